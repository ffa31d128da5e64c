"""Jurisdictions' onboarding (issue 16): who may read and keep the record, the list with each
jurisdiction's state and accredited experts, and the one write.

GREENLIST.md: a jurisdiction joins when the programme's Management Committee finds four enabling
conditions met; an Implementing Partner and the independent reviewer help form the Expert
Assessment Group, which has at least ten experts. The conditions are not named in any public
source, so staff enter their wording (models.ENABLING_CONDITIONS).
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.db.models import Count, IntegerField, OuterRef, QuerySet, Subquery, Value
from django.db.models.functions import Coalesce
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts import rules
from accounts.choices import Role
from accounts.models import RoleAssignment, User
from accounts.types import Person
from audit.services import audit_record
from core.errors import DomainError, NotAllowed

from . import error_codes
from .models import ENABLING_CONDITIONS, MIN_ACCREDITED_EXPERTS, Jurisdiction, JurisdictionOnboarding

TEXT_FIELDS = (
    *(f"condition_{n}_label" for n in ENABLING_CONDITIONS),
    "implementing_partner",
    "reviewer_name",
    "notes",
)
DATE_FIELDS = (
    *(f"condition_{n}_met_on" for n in ENABLING_CONDITIONS),
    "partner_since",
    "reviewer_appointed_on",
    "joined_on",
)
FIELDS = (*TEXT_FIELDS, *DATE_FIELDS, "reviewer")
NOTES_MAX = 5000
TEXT_MAX = 300  # the record's other texts (models.JurisdictionOnboarding)

# --- who ----------------------------------------------------------------------------------------


def can_edit_onboarding(user: Person) -> bool:
    """IUCN staff (the programme's secretariat) keep the record."""
    return rules.is_iucn_staff(user)


def can_read_onboarding(user: Person, jurisdiction_id: int) -> bool:
    """Staff, and the experts of the jurisdiction's own group."""
    return rules.is_iucn_staff(user) or rules.is_expert_for(user, jurisdiction_id)


def can_list_onboarding(user: Person) -> bool:
    return rules.is_iucn_staff(user) or rules.is_expert(user)


def editors_only(user: Person) -> None:
    if not can_edit_onboarding(user):
        raise NotAllowed(error_codes.NOT_STAFF, _("Only IUCN staff keep a jurisdiction's onboarding record."))


def readers_only(user: Person, jurisdiction_id: int | None = None) -> None:
    allowed = can_list_onboarding(user) if jurisdiction_id is None else can_read_onboarding(user, jurisdiction_id)
    if not allowed:
        raise NotAllowed(
            error_codes.ONBOARDING_READERS_ONLY,
            _("Only IUCN staff and the jurisdiction's experts see its onboarding record."),
        )


# --- reads --------------------------------------------------------------------------------------


def accredited_experts() -> Coalesce:
    """How many people hold an active expert accreditation for the jurisdiction (OuterRef "pk")."""
    count = (
        RoleAssignment.objects.active()
        .filter(role=Role.EXPERT, jurisdiction_id=OuterRef("pk"), user__is_active=True)
        .order_by()
        .values("jurisdiction_id")
        .annotate(n=Count("user_id", distinct=True))
        .values("n")
    )
    return Coalesce(Subquery(count, output_field=IntegerField()), Value(0))


def jurisdictions_with_onboarding(user: Person) -> QuerySet[Jurisdiction]:
    """The jurisdictions whose record this person reads (all for staff, an expert's own), each with
    `onboarding` (or none yet) and `expert_count`. One query, however many."""
    readers_only(user)
    qs = Jurisdiction.objects.select_related("onboarding__reviewer").annotate(expert_count=accredited_experts())
    if not rules.is_iucn_staff(user):
        qs = qs.filter(pk__in=rules.active_roles(user).expert_jurisdiction_ids)
    return qs.order_by("name", "id")


def get_jurisdiction_for_onboarding(user: Person, pk: int) -> Jurisdiction:
    """The jurisdiction (404 if none) if this person reads its record (else 403: jurisdictions
    are no secret to anyone signed in, their onboarding is)."""
    jurisdiction = get_object_or_404(
        Jurisdiction.objects.select_related("onboarding__reviewer").annotate(expert_count=accredited_experts()), pk=pk
    )
    readers_only(user, jurisdiction.pk)
    return jurisdiction


def onboarding_of(jurisdiction: Jurisdiction) -> JurisdictionOnboarding:
    """Its record, or an empty unsaved one (made on the first save)."""
    try:
        return jurisdiction.onboarding
    except JurisdictionOnboarding.DoesNotExist:
        return JurisdictionOnboarding(jurisdiction=jurisdiction)


@dataclass(frozen=True)
class OnboardingState:
    conditions_met: int
    has_partner: bool
    has_reviewer: bool
    expert_count: int

    @property
    def complete(self) -> bool:
        return self.conditions_met == len(ENABLING_CONDITIONS) and self.has_partner and self.has_reviewer

    @property
    def too_few_experts(self) -> bool:
        return self.expert_count < MIN_ACCREDITED_EXPERTS


def onboarding_state(jurisdiction: Jurisdiction) -> OnboardingState:
    """Where the jurisdiction stands (from `jurisdictions_with_onboarding` rows: no query)."""
    record = onboarding_of(jurisdiction)
    return OnboardingState(
        conditions_met=record.conditions_met,
        has_partner=bool(record.implementing_partner),
        has_reviewer=bool(record.reviewer_id or record.reviewer_name),
        expert_count=getattr(jurisdiction, "expert_count", 0),
    )


def jurisdictions_below_minimum() -> QuerySet[Jurisdiction]:
    """Jurisdictions with fewer than ten accredited experts (staff's worklist)."""
    return (
        Jurisdiction.objects.annotate(expert_count=accredited_experts())
        .filter(expert_count__lt=MIN_ACCREDITED_EXPERTS)
        .order_by("name", "id")
    )


def reviewer_choices() -> QuerySet[User]:
    """People who may be appointed: those holding an active independent reviewer role."""
    ids = RoleAssignment.objects.active().filter(role=Role.INDEPENDENT_REVIEWER).values("user_id")
    return User.objects.filter(pk__in=ids, is_active=True).order_by("full_name", "email")


# --- the write ----------------------------------------------------------------------------------


def _check(values: dict[str, Any], *, current_reviewer_id: int | None) -> None:
    today = timezone.localdate()
    for name in DATE_FIELDS:
        day = values[name]
        if isinstance(day, datetime.date) and day > today:
            raise DomainError(
                error_codes.DATE_IN_FUTURE, _("A date of the record cannot be in the future."), field=name
            )
    for n in ENABLING_CONDITIONS:
        if values[f"condition_{n}_met_on"] is not None and not values[f"condition_{n}_label"]:
            raise DomainError(
                error_codes.ONBOARDING_CONDITION_UNNAMED,
                _("Enter the wording of condition %(n)s before the date it was found met.") % {"n": n},
                field=f"condition_{n}_label",
            )
    for name in TEXT_FIELDS:
        limit = NOTES_MAX if name == "notes" else TEXT_MAX
        if len(values[name]) > limit:
            raise DomainError(
                error_codes.FIELD_TOO_LONG,
                _("%(field)s is over %(limit)s characters.") % {"field": name, "limit": limit},
                field=name,
            )
    reviewer = values["reviewer"]
    if reviewer is not None and values["reviewer_name"]:
        raise DomainError(
            error_codes.ONBOARDING_REVIEWER_AMBIGUOUS,
            _("Choose the reviewer among the platform's reviewers or write a name, not both."),
            field="reviewer_name",
        )
    # Checked when the reviewer changes: one appointed earlier stays on the record if their role lapses.
    appointed = reviewer is not None and reviewer.pk != current_reviewer_id
    if appointed and not reviewer_choices().filter(pk=reviewer.pk).exists():
        raise DomainError(
            error_codes.ONBOARDING_REVIEWER_NOT_ACCREDITED,
            _("This person does not hold the independent reviewer role."),
            field="reviewer",
        )


def _shown(value: Any) -> Any:
    if isinstance(value, datetime.date):
        return value.isoformat()
    if isinstance(value, User):
        return value.pk
    return value


@transaction.atomic
def onboarding_update(*, jurisdiction: Jurisdiction, by: Person, changes: dict[str, Any]) -> JurisdictionOnboarding:
    """Change the record (made on its first save); `changes` holds only the fields to change. An
    audit event keeps what was before and after; a save that changes nothing records nothing."""
    editors_only(by)
    record = JurisdictionOnboarding.objects.select_for_update().filter(jurisdiction=jurisdiction).first()
    record = record or JurisdictionOnboarding(jurisdiction=jurisdiction)
    values = {name: getattr(record, name) for name in FIELDS}
    for name, value in changes.items():
        if name in TEXT_FIELDS:
            value = (value or "").strip()
        values[name] = value
    _check(values, current_reviewer_id=record.reviewer_id)
    changed = {name: value for name, value in values.items() if getattr(record, name) != value}
    if not changed and record.pk:
        return record
    before = {name: _shown(getattr(record, name)) for name in changed}
    for name, value in changed.items():
        setattr(record, name, value)
    record.updated_by = by if by.is_authenticated else None
    record.save()
    audit_record(
        actor=by,
        action="jurisdiction.onboarding_updated",
        target=jurisdiction,
        data={"before": before, "after": {name: _shown(value) for name, value in changed.items()}},
    )
    return record
