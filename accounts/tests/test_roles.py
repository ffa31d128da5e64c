import datetime

import pytest
from django.db import IntegrityError, transaction
from django.utils import timezone

from accounts import rules
from accounts.choices import Role
from accounts.models import RoleAssignment
from accounts.services import role_grant, role_revoke
from accounts.tests.factories import make_user
from audit.models import AuditEvent
from core.errors import DomainError

pytestmark = pytest.mark.django_db


def test_site_manager_role_is_scoped_to_its_area(site_manager, area, other_area):
    assert rules.manages_site(site_manager, area)
    assert not rules.manages_site(site_manager, other_area)
    assert not rules.is_iucn_staff(site_manager)


def test_a_site_manager_role_without_an_area_is_refused(outsider):
    with pytest.raises(DomainError) as err:
        role_grant(user=outsider, role=Role.SITE_MANAGER, granted_by=None)
    assert err.value.code == "role_scope_missing"
    assert not RoleAssignment.objects.filter(user=outsider).exists()


def test_staff_role_cannot_be_scoped_to_an_area(outsider, area):
    with pytest.raises(DomainError) as err:
        role_grant(user=outsider, role=Role.IUCN_STAFF, granted_by=None, protected_area=area)
    assert err.value.code == "role_scope_not_allowed"


def test_database_refuses_an_expert_without_jurisdiction(outsider):
    with pytest.raises(IntegrityError), transaction.atomic():
        RoleAssignment.objects.create(user=outsider, role=Role.EXPERT)


def test_admin_flags_follow_roles_and_every_change_is_audited(outsider, staff):
    # when
    assignment = role_grant(user=outsider, role=Role.IUCN_STAFF, granted_by=staff)
    # then
    outsider.refresh_from_db()
    assert outsider.is_staff and not outsider.is_superuser
    assert AuditEvent.objects.filter(action="role.granted", target_id=str(assignment.pk), actor=staff).exists()
    # when
    role_revoke(assignment=assignment, revoked_by=staff)
    # then
    outsider.refresh_from_db()
    assert not outsider.is_staff
    assert not rules.is_iucn_staff(outsider)
    assert AuditEvent.objects.filter(action="role.revoked", target_id=str(assignment.pk)).exists()


def test_administrator_is_superuser_and_counts_as_staff(admin_user):
    admin_user.refresh_from_db()
    assert admin_user.is_superuser and admin_user.is_staff
    assert rules.is_iucn_staff(admin_user)


def test_lapsed_accreditation_gives_no_role(jurisdiction):
    today = timezone.localdate()
    expert = make_user(
        Role.EXPERT,
        jurisdiction=jurisdiction,
        valid_from=today - datetime.timedelta(days=400),
        valid_until=today - datetime.timedelta(days=1),
    )
    assert not rules.is_expert_for(expert, jurisdiction.pk)


def test_end_before_start_is_refused(outsider):
    today = timezone.localdate()
    with pytest.raises(DomainError) as err:
        role_grant(
            user=outsider,
            role=Role.INDEPENDENT_REVIEWER,
            granted_by=None,
            valid_from=today,
            valid_until=today - datetime.timedelta(days=1),
        )
    assert err.value.code == "role_dates_invalid"


def test_granting_the_same_role_twice_changes_nothing(site_manager, area):
    before = RoleAssignment.objects.count()
    role_grant(user=site_manager, role=Role.SITE_MANAGER, granted_by=None, protected_area=area)
    assert RoleAssignment.objects.count() == before


def test_staff_see_accreditations_lapsing_soon(client, staff, jurisdiction):
    from accounts.tests.factories import DEFAULT_PASSWORD

    lapsing = make_user(
        Role.EXPERT, jurisdiction=jurisdiction, valid_until=timezone.localdate() + datetime.timedelta(days=20)
    )
    client.login(username=staff.email, password=DEFAULT_PASSWORD)
    page = client.get("/").content.decode()
    assert "Accreditations lapsing soon" in page
    assert str(lapsing) in page
