"""The demo data set behind `make run`: a few public-domain protected areas and one login per role.

Idempotent: running it again finds everything in place and changes nothing.
"""

from __future__ import annotations

from pathlib import Path

from django.conf import settings
from django.db import transaction

from accounts.choices import Role
from accounts.models import User
from accounts.services import role_grant

DEMO_PASSWORD = "greenlist-demo"  # noqa: S105 - printed by `make run`; refused in production
DEMO_AREAS_FILE = Path(__file__).resolve().parent / "demo_data" / "nps_parks_sample.geojson"
DEMO_SITE_KEY = "nps:YOSE"

# (e-mail, full name, role, scope)
DEMO_PEOPLE = [
    ("admin@demo.greenlist.test", "Ada Admin", Role.ADMINISTRATOR, None),
    ("staff@demo.greenlist.test", "Sam Staff (IUCN)", Role.IUCN_STAFF, None),
    ("manager@demo.greenlist.test", "Maya Manager", Role.SITE_MANAGER, "area"),
    ("expert@demo.greenlist.test", "Eli Expert", Role.EXPERT, "jurisdiction"),
    ("chair@demo.greenlist.test", "Chris Chair", Role.EXPERT, "chair"),
    ("reviewer@demo.greenlist.test", "Rita Reviewer", Role.INDEPENDENT_REVIEWER, None),
]


def demo_logins() -> list[tuple[str, str]]:
    return [
        (email, str(role.label) + (" (EAGL chair)" if scope == "chair" else ""))
        for email, _n, role, scope in DEMO_PEOPLE
    ]


@transaction.atomic
def demo_load() -> dict:
    if getattr(settings, "PRODUCTION", False):
        raise RuntimeError("Demo data (with known passwords) is never loaded in production.")
    from protected_areas.services import import_protected_areas

    from protected_areas.models import ProtectedArea
    from standards.models import Jurisdiction

    summary = import_protected_areas(
        DEMO_AREAS_FILE,
        field_map={
            "key": "unit_code",
            "name": "unit_name",
            "designation_eng": "unit_type",
            "iso3": "iso3",
            "iucn_category": "iucn_cat",
        },
        source="nps",
    )
    site = ProtectedArea.objects.get(key=DEMO_SITE_KEY)
    jurisdiction, _ = Jurisdiction.objects.get_or_create(
        code="usa", defaults={"name": "United States of America", "countries": ["USA"]}
    )
    for email, name, role, scope in DEMO_PEOPLE:
        user = User.objects.filter(email=email).first()
        if user is None:
            user = User.objects.create_user(email, DEMO_PASSWORD, full_name=name)
        role_grant(
            user=user,
            role=role,
            granted_by=None,
            protected_area=site if scope == "area" else None,
            jurisdiction=jurisdiction if scope in {"jurisdiction", "chair"} else None,
            is_chair=scope == "chair",
        )
    return {"areas": summary.as_dict(), "people": len(DEMO_PEOPLE)}
