"""Named access rules: the one place that says who may do what.

Every view, serializer and service asks these functions; none looks at roles directly.
A person's active roles are loaded once per request (cached on the user object).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import models
from django.utils import timezone

from .choices import Role
from .types import AskedBy, AssessmentLike, AssignmentLike, IndicatorReviewLike, OnSite, OwnedByUser, Person


@dataclass(frozen=True)
class ActiveRoles:
    administrator: bool = False
    iucn_staff: bool = False
    independent_reviewer: bool = False
    standard_committee: bool = False
    panel_member: bool = False
    panel_chair: bool = False
    managed_area_ids: frozenset[int] = field(default_factory=frozenset)
    expert_jurisdiction_ids: frozenset[int] = field(default_factory=frozenset)
    chair_jurisdiction_ids: frozenset[int] = field(default_factory=frozenset)

    @property
    def names(self) -> list[str]:
        names: list[str] = []
        if self.administrator:
            names.append(Role.ADMINISTRATOR)
        if self.iucn_staff:
            names.append(Role.IUCN_STAFF)
        if self.standard_committee:
            names.append(Role.STANDARD_COMMITTEE)
        if self.expert_jurisdiction_ids:
            names.append(Role.EXPERT)
        if self.independent_reviewer:
            names.append(Role.INDEPENDENT_REVIEWER)
        if self.managed_area_ids:
            names.append(Role.SITE_MANAGER)
        if self.panel_chair:
            names.append(Role.PANEL_CHAIR)
        elif self.panel_member:
            names.append(Role.PANEL_MEMBER)
        return names


_NO_ROLES = ActiveRoles()
# The per-request caches are attributes set on the user object (a User or an AnonymousUser, which
# declare no such attribute: hence setattr/getattr by name).
_ROLES_CACHE = "_active_roles"
_SEATS_CACHE = "_review_seats"


def active_roles(user: Person | None) -> ActiveRoles:
    if user is None or not user.is_authenticated or not user.is_active:
        return _NO_ROLES
    cached: ActiveRoles | None = getattr(user, _ROLES_CACHE, None)
    if cached is not None:
        return cached
    from .models import RoleAssignment

    rows = (
        RoleAssignment.objects.active()
        .filter(user=user)
        .values_list("role", "protected_area_id", "jurisdiction_id", "is_chair")
    )
    managed: set[int] = set()
    experts: set[int] = set()
    chairs: set[int] = set()
    flags: dict[str, bool] = {
        Role.ADMINISTRATOR: False,
        Role.IUCN_STAFF: False,
        Role.INDEPENDENT_REVIEWER: False,
        Role.STANDARD_COMMITTEE: False,
        Role.PANEL_MEMBER: False,
        Role.PANEL_CHAIR: False,
    }
    for role, area_id, jurisdiction_id, is_chair in rows:
        if role == Role.SITE_MANAGER:
            managed.add(area_id)
        elif role == Role.EXPERT:
            experts.add(jurisdiction_id)
            if is_chair:
                chairs.add(jurisdiction_id)
        else:
            flags[role] = True
    roles = ActiveRoles(
        administrator=flags[Role.ADMINISTRATOR],
        iucn_staff=flags[Role.IUCN_STAFF] or flags[Role.ADMINISTRATOR],
        independent_reviewer=flags[Role.INDEPENDENT_REVIEWER],
        standard_committee=flags[Role.STANDARD_COMMITTEE],
        panel_member=flags[Role.PANEL_MEMBER] or flags[Role.PANEL_CHAIR],
        panel_chair=flags[Role.PANEL_CHAIR],
        managed_area_ids=frozenset(managed),
        expert_jurisdiction_ids=frozenset(experts),
        chair_jurisdiction_ids=frozenset(chairs),
    )
    setattr(user, _ROLES_CACHE, roles)
    return roles


def forget_roles(user: Person | None) -> None:
    """Drop the per-request cache after roles change."""
    if hasattr(user, _ROLES_CACHE):
        delattr(user, _ROLES_CACHE)


# --- data from the apps above -------------------------------------------------------------------
# Two rules read rows owned by apps that sit above accounts (docs/architecture.md): who holds a
# review seat (reviews) and who took part in an assessment's review (certification). accounts
# imports neither: each of those apps hands its reader over when Django starts (its
# AppConfig.ready() calls `provide`), and the rules call it. The import-linter contract in
# pyproject.toml keeps it that way.
PROVIDERS = {
    # (user) -> rows (assessment_id, role, coi_status) of the person's current review assignments
    "review_seat_rows": "reviews",
    # (assessment) -> ids of everyone who took part in reviewing it
    "assessment_reviewer_ids": "certification",
}
_providers: dict[str, Callable[..., Any]] = {}


def provide(name: str, reader: Callable[..., Any]) -> None:
    """Called from the owning app's AppConfig.ready(); a second call replaces the first."""
    if name not in PROVIDERS:
        raise ImproperlyConfigured(f"accounts.rules needs no provider named {name!r}.")
    _providers[name] = reader


def _provider(name: str) -> Callable[..., Any]:
    try:
        return _providers[name]
    except KeyError:
        raise ImproperlyConfigured(
            f"accounts.rules has no {name!r}: the {PROVIDERS[name]!r} app provides it when Django starts "
            "(is it in INSTALLED_APPS?)."
        ) from None


# --- the named rules ---------------------------------------------------------------------------


def is_administrator(user: Person) -> bool:
    return active_roles(user).administrator


def is_iucn_staff(user: Person) -> bool:
    """IUCN staff (administrators count as staff)."""
    return active_roles(user).iucn_staff


def manages_site(user: Person, area: models.Model | None) -> bool:
    return area is not None and area.pk in active_roles(user).managed_area_ids


def managed_area_ids(user: Person) -> frozenset[int]:
    return active_roles(user).managed_area_ids


def is_expert_for(user: Person, jurisdiction_id: int | None) -> bool:
    return jurisdiction_id is not None and jurisdiction_id in active_roles(user).expert_jurisdiction_ids


def chairs_group_for(user: Person, jurisdiction_id: int | None) -> bool:
    return jurisdiction_id is not None and jurisdiction_id in active_roles(user).chair_jurisdiction_ids


def is_expert(user: Person) -> bool:
    return bool(active_roles(user).expert_jurisdiction_ids)


def is_independent_reviewer(user: Person) -> bool:
    return active_roles(user).independent_reviewer


def can_invite(user: Person) -> bool:
    return is_iucn_staff(user)


# --- the Green List Panel (issue 16) -------------------------------------------------------------
# Rules on one Panel case (its seats, declarations and votes) live in certification.rules.


def is_panel_member(user: Person) -> bool:
    """Sits on the IUCN Green List Panel (its chair too)."""
    return active_roles(user).panel_member


def chairs_panel(user: Person) -> bool:
    return active_roles(user).panel_chair


def can_open_panel_case(user: Person) -> bool:
    """The secretariat prepares the Panel's cases: IUCN staff."""
    return is_iucn_staff(user)


# --- the Django admin ------------------------------------------------------------------------
# IUCN staff use the admin for the domain's reference data. What they may edit is an allow-list of
# apps: anything not listed is for administrators only, so a third-party app added later (as
# DRF's token model and django-otp's devices were) is never editable by staff by accident.
# Sessions, permissions and groups, content types, API tokens and second factors are each a way
# to act as someone else, so they are never listed.
ADMIN_STAFF_EDITABLE_APPS = frozenset({"standards"})
# Apps staff may look at but not change: people and roles (changed through invitations and the role
# service, which audit each grant), the audit trail, and the e-mail outbox.
ADMIN_STAFF_VIEW_ONLY_APPS = frozenset({"accounts", "audit", "core"})
# Models of those apps that staff may not even see (a token's owner, name and dates are for
# administrators only).
ADMIN_ADMINISTRATORS_ONLY_MODELS = frozenset({"accounts.apitoken"})


def admin_permission(user: Person | None, perm: str) -> bool:
    """Django admin permission "app_label.action_model" (e.g. "standards.change_indicator").

    Administrators may do everything. IUCN staff may view, add and change (never delete) in the
    allow-listed apps, and only view in the view-only apps; everything else is refused."""
    if user is None or not user.is_active:
        return False
    if is_administrator(user):
        return True
    if not is_iucn_staff(user):
        return False
    app_label, _, codename = perm.partition(".")
    action, _, model = codename.partition("_")
    if f"{app_label}.{model}" in ADMIN_ADMINISTRATORS_ONLY_MODELS:
        return False
    if app_label in ADMIN_STAFF_EDITABLE_APPS:
        return action in {"view", "add", "change"}
    if app_label in ADMIN_STAFF_VIEW_ONLY_APPS:
        return action == "view"
    return False


def admin_module_visible(user: Person | None, app_label: str) -> bool:
    if user is None or not user.is_active:
        return False
    if is_administrator(user):
        return True
    return is_iucn_staff(user) and app_label in ADMIN_STAFF_EDITABLE_APPS | ADMIN_STAFF_VIEW_ONLY_APPS


def must_use_two_factor(user: Person) -> bool:
    """Staff and administrators must log in with an authenticator where the platform requires it
    (TWO_FACTOR_REQUIRED_FOR_STAFF): the session's rule, and the API tokens' too."""
    return bool(settings.TWO_FACTOR_REQUIRED_FOR_STAFF) and is_iucn_staff(user)


def can_create_api_token(user: Person | None, *, otp_verified: bool, has_authenticator: bool) -> bool:
    """A person creates tokens for themselves only (the services take no other owner), from a
    session as strong as the one the API token will stand for: one verified with the authenticator
    when they have one or must have one. A token never mints tokens (the API accepts only sessions
    for this), so a leaked token cannot outlive its expiry."""
    if user is None or not user.is_authenticated or not user.is_active:
        return False
    if has_authenticator or must_use_two_factor(user):
        return otp_verified
    return True


def may_use_api_token(user: Person, *, has_authenticator: Callable[[], bool]) -> bool:
    """A token stands in for a session: refused for a person who must use an authenticator but has
    none confirmed (a device removed by an administrator, or a token made before the rule applied).
    `has_authenticator` is asked only for those people: every other token request skips the query."""
    return user.is_active and (not must_use_two_factor(user) or has_authenticator())


def can_revoke_api_token(user: Person, token: OwnedByUser) -> bool:
    """One's own tokens; administrators revoke anybody's (in the admin)."""
    return token.user_id == user.pk or is_administrator(user)


def can_manage_site_teams(user: Person) -> bool:
    return is_iucn_staff(user)


def can_see_site_team(user: Person, area: models.Model) -> bool:
    """Names and login e-mails of a site's managers: the site's own team and IUCN staff.

    The area pages are public; anyone else learns only how many managers a site has (the red
    team read them anonymously, and a login e-mail is half of what a lockout attack needs)."""
    return manages_site(user, area) or is_iucn_staff(user)


def can_import_protected_areas(user: Person) -> bool:
    return is_iucn_staff(user)


# --- people, roles, accreditations, jurisdictions (the staff API, issue 13) --------------------
# The API gives staff automation what the pages and the admin give staff, through these rules:
# nothing here is a new right, except the one narrowing in `can_grant_role`.


def can_see_people(user: Person) -> bool:
    """Everybody's account, roles and invitations: whoever the admin shows people to (IUCN staff
    view them, administrators edit them). Anybody else sees only themselves."""
    return admin_permission(user, "accounts.view_user")


def can_edit_people(user: Person) -> bool:
    """Change a person's name, organisation, language, or disable the account: as in the admin
    (administrators; staff only look)."""
    return admin_permission(user, "accounts.change_user")


def can_manage_roles(user: Person) -> bool:
    """Give, renew or end some role at all (which ones: `can_grant_role`)."""
    return can_invite(user) or can_manage_site_teams(user)


def can_grant_role(user: Person, role: str) -> bool:
    """Give, renew or end a role: IUCN staff, as they invite people (`can_invite`) and change site
    teams (`can_manage_site_teams`). The administrator role only by an administrator: a member of
    staff could otherwise make themselves one, and administrators may do everything in the admin."""
    if role == Role.ADMINISTRATOR:
        return is_administrator(user)
    if role == Role.SITE_MANAGER:
        return can_manage_site_teams(user)
    return can_invite(user)


def can_edit_jurisdictions(user: Person) -> bool:
    """Add and change jurisdictions: whoever the admin lets (the Standard's app is staff-editable)."""
    return admin_permission(user, "standards.add_jurisdiction") and admin_permission(
        user, "standards.change_jurisdiction"
    )


# --- assessments and evidence (issue 4) -------------------------------------------------------
# Rules take the assessment (or evidence item) and look only at ids already on it, so asking
# them for 50 rows costs no query beyond the per-request role load.


def is_standard_keeper(user: Person) -> bool:
    """A member of the IUCN Green List Standard Committee, the body that keeps the Standard (a role
    of its own: IUCN staff may hold it, but being staff is not enough)."""
    return active_roles(user).standard_committee


def can_author_standard(user: Person) -> bool:
    """Draft, edit, import and publish versions of the Standard."""
    return is_standard_keeper(user)


def can_approve_adapted_indicators(user: Person) -> bool:
    """The Standard Committee approves a jurisdiction's adapted indicator set (GREENLIST.md)."""
    return is_standard_keeper(user)


def can_author_adapted_set(user: Person, jurisdiction_id: int | None) -> bool:
    """A jurisdiction's Expert Assessment Group adapts the indicators for it; the keepers of the
    Standard may too."""
    return is_expert_for(user, jurisdiction_id) or is_standard_keeper(user)


def can_see_adapted_set(user: Person, jurisdiction_id: int | None, *, in_force: bool) -> bool:
    """An approved (or once approved, now retired) set is what sites are assessed against: anyone
    logged in reads it. Drafts and submitted sets, with their consultation, are for the
    jurisdiction's expert group and the Committee (`standards.selectors.adapted_sets_visible`
    must agree)."""
    if not user.is_authenticated or not user.is_active:
        return False
    return in_force or can_author_adapted_set(user, jurisdiction_id)


def can_move_assessment_version(user: Person) -> bool:
    """Move an unsubmitted assessment to another version of the Standard: IUCN staff run the
    process."""
    return is_iucn_staff(user)


def can_view_version_moves(user: Person, assessment: AssessmentLike) -> bool:
    """The reports of an assessment's moves to another version: IUCN staff, who move it, and the
    site team, who must write again the answers the move could not carry."""
    return is_iucn_staff(user) or is_site_team_of(user, assessment)


def is_site_team_of(user: Person, assessment: AssessmentLike) -> bool:
    return assessment.protected_area_id in active_roles(user).managed_area_ids


def can_start_assessment(user: Person, area: models.Model) -> bool:
    return manages_site(user, area)


def can_view_assessment(user: Person, assessment: AssessmentLike) -> bool:
    """Site team, IUCN staff, and experts/reviewers assigned to it who declared no conflict;
    `Assessment.objects.visible_to` (via `review_assignment_q`) must agree with this rule."""
    return is_site_team_of(user, assessment) or is_iucn_staff(user) or is_assigned_reviewer(user, assessment)


def can_edit_assessment(user: Person, assessment: AssessmentLike) -> bool:
    """Who may write answers and evidence (the phase is checked by the workflow, not here)."""
    return is_site_team_of(user, assessment)


def can_submit_assessment(user: Person, assessment: AssessmentLike) -> bool:
    return is_site_team_of(user, assessment)


def can_accept_candidate(user: Person, assessment: AssessmentLike) -> bool:
    return is_iucn_staff(user)


def can_review_assessment(user: Person, assessment: AssessmentLike) -> bool:
    """Move an assessment through review (start, send back, start again): IUCN staff.

    Experts and the reviewer never make these moves: through the generic transition page and API
    an assigned expert could otherwise have moved it on, skipping the group's findings and the
    independent check (found by tests/permissions). Concluding the review is `can_conclude_review`."""
    return is_iucn_staff(user)


def can_conclude_review(user: Person, assessment: AssessmentLike) -> bool:
    """Move an assessment in review to recommended / not recommended: only its assigned
    independent reviewer, and in practice only through `reviews.services.process_confirm`, which
    confirms the group's recommendation and makes the move in the same transaction (the workflow's
    guard refuses the move without that confirmation).

    Not IUCN staff: a staff shortcut skipped the Expert Assessment Group's recommendation and the
    independent reviewer's check, which certification relies on."""
    return is_assigned_independent_reviewer(user, assessment)


def has_reviewed_assessment(user: Person, assessment: AssessmentLike) -> bool:
    """Took part in the assessment's review (`certification.selectors.assessment_reviewer_ids`, the
    one place that says who did, handed over at start-up: see "Data from the apps above" below;
    one query, asked only for staff)."""
    return user.pk in _provider("assessment_reviewer_ids")(assessment)


def can_decide_assessment(user: Person, assessment: AssessmentLike) -> bool:
    """Record the Green List Panel's decision (issue 16): its chair or IUCN staff on its behalf,
    only once the Panel's rule is met (the workflow's `panel_decided` guard, certification.panel);
    never someone who reviewed the same assessment (ISO/IEC 17065)."""
    return (is_iucn_staff(user) or chairs_panel(user)) and not has_reviewed_assessment(user, assessment)


# --- certification (issue 7) ----------------------------------------------------------------------


def can_manage_certificates(user: Person) -> bool:
    """Record decisions' follow-up: suspend, reinstate, withdraw; see every certificate."""
    return is_iucn_staff(user)


def can_download_certificate(user: Person, certificate: OnSite) -> bool:
    """The PDF: staff, and the certified site's own team."""
    return is_iucn_staff(user) or certificate.protected_area_id in active_roles(user).managed_area_ids


def team_only_sites(user: Person) -> frozenset[int] | None:
    """The sites whose team-only material (evidence marked "site team only") this person may see,
    within what they may see at all: None for every site (IUCN staff), else their own sites' (the
    site team). Reviewers see none. The evidence app applies it to items
    (`EvidenceItem.objects.visible_to`, `evidence.rules.can_view_evidence_of`)."""
    return None if is_iucn_staff(user) else managed_area_ids(user)


def can_view_team_only_of(user: Person, assessment: AssessmentLike) -> bool:
    """`team_only_sites` for one assessment."""
    sites = team_only_sites(user)
    return sites is None or assessment.protected_area_id in sites


# --- expert review (issue 6) -----------------------------------------------------------------
# A person's current review assignments are loaded once per request, like their roles, so that
# asking these rules for every row of a page costs no further query.


@dataclass(frozen=True)
class ReviewSeat:
    role: str  # reviews.choices.AssignmentRole
    coi_status: str  # reviews.choices.CoiStatus


# The seat values these rules look for, as reviews.choices names them: accounts sits below reviews
# and cannot import its enums, so they are named once here (reviews' tests check they agree).
SEAT_CLEARED = "no_conflict"  # CoiStatus.NO_CONFLICT
SEAT_EXPERT = "expert"  # AssignmentRole.EXPERT
SEAT_INDEPENDENT_REVIEWER = "independent_reviewer"  # AssignmentRole.INDEPENDENT_REVIEWER


def review_seats(user: Person | None) -> dict[int, ReviewSeat]:
    """The person's current (not withdrawn) assignments, by assessment id."""
    if user is None or not user.is_authenticated or not user.is_active:
        return {}
    cached: dict[int, ReviewSeat] | None = getattr(user, _SEATS_CACHE, None)
    if cached is not None:
        return cached
    seats = {assessment_id: ReviewSeat(role, coi) for assessment_id, role, coi in _provider("review_seat_rows")(user)}
    setattr(user, _SEATS_CACHE, seats)
    return seats


def forget_review_seats(user: Person | None) -> None:
    if hasattr(user, _SEATS_CACHE):
        delattr(user, _SEATS_CACHE)


def reviewing_assessment_ids(user: Person) -> list[int]:
    """Assessments this person reviews without a conflict (what `review_assignment_q` lets them see)."""
    return [pk for pk, seat in review_seats(user).items() if seat.coi_status == SEAT_CLEARED]


def is_assigned_reviewer(user: Person, assessment: AssessmentLike) -> bool:
    """Assigned to this assessment (as expert or independent reviewer) and declared no conflict."""
    seat = review_seats(user).get(assessment.pk)
    return seat is not None and seat.coi_status == SEAT_CLEARED


def is_assigned_expert(user: Person, assessment: AssessmentLike) -> bool:
    seat = review_seats(user).get(assessment.pk)
    return seat is not None and seat.coi_status == SEAT_CLEARED and seat.role == SEAT_EXPERT


def is_assigned_independent_reviewer(user: Person, assessment: AssessmentLike) -> bool:
    seat = review_seats(user).get(assessment.pk)
    return seat is not None and seat.coi_status == SEAT_CLEARED and seat.role == SEAT_INDEPENDENT_REVIEWER


def can_assign_reviewers(user: Person, jurisdiction_id: int | None) -> bool:
    """IUCN staff, or the chair of the Expert Assessment Group of the assessment's jurisdiction."""
    return is_iucn_staff(user) or chairs_group_for(user, jurisdiction_id)


def can_declare_conflict(user: Person, assignment: AssignmentLike) -> bool:
    """Only the assignee declares, and only once."""
    return assignment.user_id == getattr(user, "pk", None) and assignment.removed_at is None


def can_see_assignment_warnings(user: Person) -> bool:
    return is_iucn_staff(user)


def can_write_indicator_review(user: Person, assessment: AssessmentLike) -> bool:
    """An expert's own rating: assigned experts of the group without conflict."""
    return is_assigned_expert(user, assessment)


def can_see_indicator_review(user: Person, review: IndicatorReviewLike, assessment: AssessmentLike) -> bool:
    """Drafts are their author's; shared reviews are for the other reviewers and staff. Site
    teams never see individual experts' reviews, only released group findings."""
    if review.assignment.user_id == getattr(user, "pk", None):
        return True
    return review.shared and (is_iucn_staff(user) or is_assigned_reviewer(user, assessment))


def can_record_group_finding(user: Person, assessment: AssessmentLike) -> bool:
    return is_assigned_expert(user, assessment)


def can_see_group_findings(user: Person, assessment: AssessmentLike, released: bool) -> bool:
    """Reviewers and staff always; the site team once staff have released the findings."""
    if is_iucn_staff(user) or is_assigned_reviewer(user, assessment):
        return True
    return released and is_site_team_of(user, assessment)


def can_ask_site(user: Person, assessment: AssessmentLike) -> bool:
    """Requests for information come from the assigned reviewers (or staff)."""
    return is_iucn_staff(user) or is_assigned_reviewer(user, assessment)


def can_reply_to_request(user: Person, assessment: AssessmentLike) -> bool:
    """The site team answers; reviewers and staff may follow up in the same thread."""
    return is_site_team_of(user, assessment) or can_ask_site(user, assessment)


def can_close_request(user: Person, request_obj: AskedBy, assessment: AssessmentLike) -> bool:
    return request_obj.asked_by_id == getattr(user, "pk", None) or is_iucn_staff(user)


def can_recommend(user: Person, assessment: AssessmentLike) -> bool:
    """The group's recommendation is made by one of its assigned experts."""
    return is_assigned_expert(user, assessment)


def can_confirm_process(user: Person, assessment: AssessmentLike) -> bool:
    return is_assigned_independent_reviewer(user, assessment)


def can_manage_review(user: Person, assessment: AssessmentLike) -> bool:
    """Start the review, send the assessment back, release findings: IUCN staff."""
    return is_iucn_staff(user)


def can_see_agreement(user: Person) -> bool:
    return is_iucn_staff(user)


# --- dashboards, reports and exports (issue 8) ------------------------------------------------


def can_view_reports(user: Person, assessment: AssessmentLike) -> bool:
    """Gap analysis, scores and dashboards of an assessment: whoever may see the assessment."""
    return can_view_assessment(user, assessment)


def can_export_assessment(user: Person, assessment: AssessmentLike) -> bool:
    """Exports hold what the person may see anyway (findings and reviews are filtered per rule)."""
    return can_view_assessment(user, assessment)


def can_view_portfolio(user: Person) -> bool:
    """The whole portfolio (every site, phase, certificate and throughput): IUCN staff."""
    return is_iucn_staff(user)


def can_import_assessment(user: Person) -> bool:
    """Bring an assessment package from another instance into this one."""
    return is_iucn_staff(user)


def today() -> date:
    return timezone.localdate()
