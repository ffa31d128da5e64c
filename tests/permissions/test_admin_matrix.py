"""The permission matrix of the Django admin: every registered model × every role of the matrix.

For each model in `admin.site._registry`, its list page ("changelist") and its add page, opened by
each role of tests/permissions/world.py, must answer as this table says. A model registered later
(or a change in rights, such as the one that let IUCN staff add DRF tokens and TOTP devices for
other people) fails the test until the table is updated on purpose.

Cells: "login" = sent to the admin's login (which is the site's login view, accounts.views.LoginView);
otherwise the status code. Only IUCN staff and administrators get into the admin at all; staff edit
the allow-listed apps (accounts.rules.ADMIN_STAFF_EDITABLE_APPS) and view a few more; tokens,
second factors and permission groups are administrators' only.
"""

from __future__ import annotations

import pytest
from django.contrib import admin
from django.test import Client

from .world import ROLES

# Columns, in order: the roles of world.ROLES.
COLUMNS = ROLES
OUT = ["login"] * 7  # anonymous, both site managers, the three experts, the independent reviewer

#                                          anon…reviewer   staff  admin
TABLE: dict[str, dict[str, list]] = {
    # Django's permission groups: administrators only (a group is a bundle of rights).
    "auth.group": {"changelist": [*OUT, 403, 200], "add": [*OUT, 403, 200]},
    # Second factors: administrators only (staff planted a confirmed device on another account).
    "otp_totp.totpdevice": {"changelist": [*OUT, 403, 200], "add": [*OUT, 403, 200]},
    # Personal API tokens: administrators see them (prefix, name, dates) and revoke; nobody adds one.
    "accounts.apitoken": {"changelist": [*OUT, 403, 200], "add": [*OUT, 403, 403]},
    # People: staff look, administrators edit; roles and invitations go through their services only.
    "accounts.user": {"changelist": [*OUT, 200, 200], "add": [*OUT, 403, 200]},
    "accounts.roleassignment": {"changelist": [*OUT, 200, 200], "add": [*OUT, 403, 403]},
    "accounts.invitation": {"changelist": [*OUT, 200, 200], "add": [*OUT, 403, 403]},
    # The audit trail and the e-mail outbox: read-only for everyone.
    "audit.auditevent": {"changelist": [*OUT, 200, 200], "add": [*OUT, 403, 403]},
    "core.outgoingemail": {"changelist": [*OUT, 200, 200], "add": [*OUT, 403, 403]},
    # The Standard: jurisdictions and adapted indicator sets are edited by staff; the Standard and its
    # indicators are loaded from the versioned YAML only (read-only here).
    "standards.jurisdiction": {"changelist": [*OUT, 200, 200], "add": [*OUT, 200, 200]},
    "standards.standard": {"changelist": [*OUT, 200, 200], "add": [*OUT, 403, 403]},
    "standards.indicator": {"changelist": [*OUT, 200, 200], "add": [*OUT, 403, 403]},
    "standards.adaptedindicatorset": {"changelist": [*OUT, 200, 200], "add": [*OUT, 200, 200]},
}


@pytest.fixture
def clients(site_manager, other_manager, expert, jurisdiction, reviewer, staff, admin_user):
    from accounts.tests.factories import Role, make_user

    users = {
        "manager": site_manager,
        "other_manager": other_manager,
        "expert_assigned": expert,
        "expert_unassigned": make_user(Role.EXPERT, email="unassigned-expert@example.org", jurisdiction=jurisdiction),
        "expert_conflicted": make_user(Role.EXPERT, email="conflicted-expert@example.org", jurisdiction=jurisdiction),
        "reviewer": reviewer,
        "staff": staff,
        "admin": admin_user,
    }
    result = {"anonymous": Client()}
    for role, user in users.items():
        result[role] = Client()
        result[role].force_login(user)
    assert list(result) == COLUMNS
    return result


def _cell(response) -> str:
    if response.status_code == 302 and response["Location"].startswith("/admin/login/"):
        return "login"
    return str(response.status_code)


def test_the_table_covers_every_registered_admin_model():
    registered = {model._meta.label_lower for model in admin.site._registry}
    assert registered == set(TABLE), (
        f"registered but not in the table: {sorted(registered - set(TABLE))}; "
        f"in the table but not registered: {sorted(set(TABLE) - registered)}"
    )
    for label, pages in TABLE.items():
        for page, cells in pages.items():
            assert len(cells) == len(COLUMNS), f"{label} {page}: {len(cells)} cells for {len(COLUMNS)} roles"


def test_every_role_gets_the_expected_answer_on_every_admin_model(clients):
    wrong = []
    for label, pages in TABLE.items():
        app_label, model_name = label.split(".")
        for page, cells in pages.items():
            url = f"/admin/{app_label}/{model_name}/" + ("add/" if page == "add" else "")
            for role, expected in zip(COLUMNS, cells, strict=True):
                got = _cell(clients[role].get(url))
                if got != str(expected):
                    wrong.append(f"{url:<45} {role:<18} expected {expected!s:<5} got {got}")
    assert not wrong, f"{len(wrong)} cells differ from the admin table:\n" + "\n".join(wrong)


def test_the_admin_login_page_is_the_sites_login_for_everyone(clients):
    for role, client in clients.items():
        response = client.get("/admin/login/?next=/admin/standards/jurisdiction/")
        assert response.status_code == 200, role
        assert response.resolver_match.func.view_class.__name__ == "LoginView", role
        assert response.resolver_match.func.view_class.__module__ == "accounts.views", role
