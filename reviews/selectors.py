"""Reads for expert review: who may be assigned, what each person sees, open requests and agreement
figures. The review page itself, built in a fixed number of queries, is reviews/review_page.py."""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from typing import Any

from django.db.models import Count, F, Max, Prefetch, Q, QuerySet, Value
from django.http import Http404
from django.utils import formats, timezone, translation
from django.utils.translation import gettext

from accounts import rules
from accounts.choices import Role
from accounts.models import RoleAssignment, User
from accounts.types import Person
from assessments.choices import Status
from assessments.models import Answer, Assessment
from assessments.selectors import get_assessment_for_user
from evidence.models import EvidenceItem
from standards.selectors import JurisdictionIndex, jurisdiction_for

from .choices import AssignmentRole, RequestStatus, WarningKind
from .models import (
    GroupFinding,
    IndicatorReview,
    InformationRequest,
    ReviewAssignment,
)

REVIEW_STATUSES = (Status.SUBMITTED, Status.IN_REVIEW, Status.CHANGES_REQUESTED, Status.RESUBMITTED)


# --- lookups that 404 ---------------------------------------------------------------------------
# The review of an assessment is read through the assessment's own lookup,
# `assessments.selectors.get_assessment_for_user` (site team, staff, assignees who declared no
# conflict), by the review page, its forms and the review API alike: one rule, one 404. The lookups
# below state rules of their own.


def get_assignment_for_user(user: Person, pk: int | str) -> ReviewAssignment:
    """An assignment its assignee, staff or the group's chair may see; else 404.

    The assignee sees their own assignment before declaring (it names only the site), which is
    why this does not go through the assessment's visibility."""
    try:
        assignment = ReviewAssignment.objects.select_related(
            "assessment__protected_area", "assessment__adapted_set", "user", "assigned_by"
        ).get(pk=pk)
    except (ReviewAssignment.DoesNotExist, ValueError, TypeError):
        raise Http404("No such assignment.")
    if assignment.user_id == user.pk:
        return assignment
    if rules.can_assign_reviewers(user, assessment_jurisdiction_id(assignment.assessment)):
        return assignment
    raise Http404("No such assignment.")


# What a chair of an Expert Assessment Group works on: assessments from submission to the group's
# recommendation (their queue). Before submission an assessment is the site team's and IUCN's
# business; a chair could read its phase through the assignment form and API (issue 12).
CHAIR_STATUSES = (*REVIEW_STATUSES, Status.RECOMMENDED, Status.NOT_RECOMMENDED)


def get_managed_assessment_for_user(user: Person, pk: int | str) -> Assessment:
    """An assessment whose reviewers this person may assign: any for staff; for the chair of its
    group, one in `CHAIR_STATUSES`. Else 404, the same answer as for an id that does not exist.

    Not `get_assessment_for_user`: a chair manages the group's assessments without being able to
    read them (they see an assessment only once assigned to it and cleared), and the assignment
    pages and API ask this rule, not the reading one."""
    try:
        assessment = Assessment.objects.select_related("protected_area", "adapted_set", "standard").get(pk=pk)
    except (Assessment.DoesNotExist, ValueError, TypeError):
        raise Http404("No such assessment.") from None
    if rules.is_iucn_staff(user):
        return assessment
    if assessment.status in CHAIR_STATUSES and rules.can_assign_reviewers(user, assessment_jurisdiction_id(assessment)):
        return assessment
    raise Http404("No such assessment.")


def assignee_for(user: Person, assessment: Assessment, pk: int | str, role: str) -> User | None:
    """The person `user` names (by id) to assign in `role`, or None.

    Staff may name any active account (they are told why one cannot be assigned). Anyone else (a
    chair) only finds the people the form offers them, accredited for the role today: an account
    outside that list is None, as a missing id is, so its name never comes back (issue 12)."""
    person = User.objects.filter(pk=pk, is_active=True).first()
    if person is None or rules.is_iucn_staff(user):
        return person
    if accreditation_for(person, role, assessment_jurisdiction_id(assessment)) is None:
        return None
    return person


def get_request_for_user(user: Person, pk: int | str) -> InformationRequest:
    """A question to the site, for whoever may read its assessment (`get_assessment_for_user`,
    whose select_related `req.answer.assessment` then is); else 404, as for a missing id."""
    try:
        req = InformationRequest.objects.select_related("answer__indicator").get(pk=pk)
    except (InformationRequest.DoesNotExist, ValueError, TypeError):
        raise Http404("No such request.") from None
    try:
        req.answer.assessment = get_assessment_for_user(user, req.answer.assessment_id)
    except Http404:
        raise Http404("No such request.") from None
    return req


def get_answer_of(assessment: Assessment, answer_id: int | str) -> Answer:
    try:
        return Answer.objects.select_related("indicator").get(pk=answer_id, assessment=assessment)
    except (Answer.DoesNotExist, ValueError, TypeError):
        raise Http404("No such indicator in this assessment.")


# --- assignment ---------------------------------------------------------------------------------


def assessment_jurisdiction_id(assessment: Assessment) -> int | None:
    """The jurisdiction whose Expert Assessment Group reviews this assessment."""
    if assessment.adapted_set is not None:
        return assessment.adapted_set.jurisdiction_id
    jurisdiction = jurisdiction_for(assessment.protected_area)
    return jurisdiction.pk if jurisdiction else None


def assessment_jurisdiction_ids(assessments: Iterable[Assessment]) -> dict[int, int | None]:
    """`assessment_jurisdiction_id` of many assessments (lists), by assessment id: the jurisdictions
    are read in one query (the assessments should come with `adapted_set` and `protected_area`)."""
    index: JurisdictionIndex | None = None
    found: dict[int, int | None] = {}
    for assessment in assessments:
        if assessment.adapted_set is not None:
            found[assessment.pk] = assessment.adapted_set.jurisdiction_id
        else:
            index = index or JurisdictionIndex()
            found[assessment.pk] = index.id_for(assessment.protected_area)
    return found


def accreditation_for(
    user: User, role: str, jurisdiction_id: int | None, on: datetime.date | None = None
) -> RoleAssignment | None:
    """The active accreditation that lets `user` be assigned in `role` (None when lapsed)."""
    qs = RoleAssignment.objects.active(on).filter(user=user)
    if role == AssignmentRole.EXPERT:
        if jurisdiction_id is None:  # no group reviews it: nobody is its expert
            return None
        qs = qs.filter(role=Role.EXPERT, jurisdiction_id=jurisdiction_id)
    else:
        qs = qs.filter(role=Role.INDEPENDENT_REVIEWER)
    return qs.order_by("-valid_until").first()


def eligible_assignees(assessment: Assessment) -> dict[str, list[RoleAssignment]]:
    """Experts of the group and independent reviewers whose accreditation is active today."""
    jid = assessment_jurisdiction_id(assessment)
    active = RoleAssignment.objects.active().select_related("user").order_by("user__full_name", "user__email")
    return {
        AssignmentRole.EXPERT: list(active.filter(role=Role.EXPERT, jurisdiction_id=jid)) if jid else [],
        AssignmentRole.INDEPENDENT_REVIEWER: list(active.filter(role=Role.INDEPENDENT_REVIEWER)),
    }


def _normalise(text: str) -> str:
    return " ".join((text or "").lower().replace(".", " ").replace(",", " ").split())


def conflict_warnings(
    *,
    assessment: Assessment,
    user: User,
    due_date: datetime.date | None = None,
    accreditation: RoleAssignment | None = None,
) -> list[dict[str, Any]]:
    """What staff should know about this assignee, found without asking them."""
    warnings = conflict_warnings_of(assessment=assessment, users=[user])[user.pk]
    if accreditation is not None and due_date and accreditation.valid_until and accreditation.valid_until < due_date:
        params = {"until": accreditation.valid_until.isoformat(), "due": due_date.isoformat()}
        warnings.append(
            {
                "kind": WarningKind.LAPSES_BEFORE_DUE,
                "params": params,
                "detail": _warning_en(WarningKind.LAPSES_BEFORE_DUE, params),
            }
        )
    return warnings


def conflict_warnings_of(*, assessment: Assessment, users: Iterable[User]) -> dict[int, list[dict[str, Any]]]:
    """The warnings about the person that `conflict_warnings` finds (the site's team, the same
    organisation, a review of the previous cycle), for many people at once, by user id.

    One home for these rules, read in the same two queries whatever the number of people: a form
    that lists the whole Panel, each member with why they may not take part, stays one page's cost."""
    people = list(users)
    ids = [u.pk for u in people]
    area = assessment.protected_area
    # Each warning keeps its English `detail` (logs, the audit trail, notes) and the `params` that
    # `warning_text` puts into the reader's language when a page shows it.
    team_roles: dict[int, list[RoleAssignment]] = {}
    for role in RoleAssignment.objects.filter(user_id__in=ids, role=Role.SITE_MANAGER, protected_area=area):
        team_roles.setdefault(role.user_id, []).append(role)
    reviewed_before: set[int] = set()
    if assessment.cycle > 1:
        reviewed_before = set(
            ReviewAssignment.objects.filter(
                user_id__in=ids, assessment__protected_area=area, assessment__cycle=assessment.cycle - 1
            ).values_list("user_id", flat=True)
        )
    today = timezone.localdate()
    authority = _normalise(area.management_authority)
    found: dict[int, list[dict[str, Any]]] = {}
    for user in people:
        warnings = []
        if user.pk in team_roles:
            current = any(r.is_active_on(today) for r in team_roles[user.pk])
            params: dict[str, Any] = {"user": str(user), "area": str(area), "current": current}
            warnings.append(
                {"kind": WarningKind.SITE_TEAM, "params": params, "detail": _warning_en(WarningKind.SITE_TEAM, params)}
            )
        org = _normalise(user.organisation)
        if len(org) >= 3 and len(authority) >= 3 and (org == authority or org in authority or authority in org):
            params = {"user": str(user), "organisation": user.organisation, "authority": area.management_authority}
            warnings.append(
                {
                    "kind": WarningKind.SAME_ORGANISATION,
                    "params": params,
                    "detail": _warning_en(WarningKind.SAME_ORGANISATION, params),
                }
            )
        if user.pk in reviewed_before:
            params = {"user": str(user), "area": str(area), "cycle": assessment.cycle - 1}
            warnings.append(
                {
                    "kind": WarningKind.PREVIOUS_CYCLE,
                    "params": params,
                    "detail": _warning_en(WarningKind.PREVIOUS_CYCLE, params),
                }
            )
        found[user.pk] = warnings
    return found


def _warning_message(kind: str, params: dict[str, Any]) -> str:
    if kind == WarningKind.SITE_TEAM:
        if params.get("current"):
            return gettext("%(user)s is on the team of %(area)s.")
        return gettext("%(user)s was on the team of %(area)s.")
    if kind == WarningKind.SAME_ORGANISATION:
        return gettext("%(user)s works for “%(organisation)s”; the site is managed by “%(authority)s”.")
    if kind == WarningKind.PREVIOUS_CYCLE:
        return gettext("%(user)s reviewed %(area)s in cycle %(cycle)s.")
    return gettext("The accreditation ends on %(until)s, before the due date %(due)s.")


def _warning_en(kind: str, params: dict[str, Any]) -> str:
    with translation.override("en"):
        return _warning_message(kind, params) % params


def warning_text(warning: dict[str, Any]) -> str:
    """A conflict warning in the reader's language. Warnings recorded before they kept their
    `params` show the English `detail` they were stored with."""
    params = warning.get("params")
    if not isinstance(params, dict):
        return str(warning.get("detail", ""))
    shown = dict(params)
    for key in ("until", "due"):
        if key in shown:
            shown[key] = formats.date_format(datetime.date.fromisoformat(shown[key]))
    try:
        return _warning_message(str(warning.get("kind", "")), shown) % shown
    except (KeyError, TypeError, ValueError):
        return str(warning.get("detail", ""))


def assignments_of(assessment: Assessment) -> QuerySet[ReviewAssignment]:
    return (
        ReviewAssignment.objects.current()
        .filter(assessment=assessment)
        .select_related("user", "assigned_by")
        .order_by("role", "assigned_at")
    )


def my_assignments(user: User) -> QuerySet[ReviewAssignment]:
    return (
        ReviewAssignment.objects.current()
        .filter(user=user)
        .select_related("assessment__protected_area")
        .order_by("due_date", "id")
    )


def review_queue(user: Person) -> QuerySet[Assessment]:
    """For staff (all) and chairs (their group's): assessments in review with their assignments."""
    qs = Assessment.objects.filter(status__in=CHAIR_STATUSES)
    if not rules.is_iucn_staff(user):
        chairs = rules.active_roles(user).chair_jurisdiction_ids
        if not chairs:
            return Assessment.objects.none()
        qs = qs.filter(
            Q(adapted_set__jurisdiction_id__in=chairs)
            | Q(adapted_set__isnull=True, protected_area__iso3__overlap=_chair_countries(chairs))
        )
    return (
        qs.select_related("protected_area")
        .prefetch_related(
            Prefetch(
                "review_assignments",
                queryset=ReviewAssignment.objects.current().select_related("user").order_by("role", "assigned_at"),
                to_attr="current_assignments",
            )
        )
        .order_by("submitted_at", "id")
    )


def _chair_countries(jurisdiction_ids: Iterable[int]) -> list[str]:
    from standards.models import Jurisdiction

    countries: set[str] = set()
    for codes in Jurisdiction.objects.filter(pk__in=jurisdiction_ids).values_list("countries", flat=True):
        countries.update(codes)
    return sorted(countries)


# --- the review page: reviews/review_page.py -----------------------------------------------------


def review_answers(assessment: Assessment) -> QuerySet[Answer]:
    return (
        Answer.objects.filter(assessment=assessment)
        .select_related("indicator")
        .prefetch_related(
            Prefetch(
                "evidence",
                queryset=EvidenceItem.objects.only(
                    "id",
                    "title",
                    "original_filename",
                    "content_type",
                    "size",
                    "sensitivity",
                    "processing_status",
                    "status_reason",
                    "uploaded_at",
                    "evidence_date",
                    "assessment_id",
                ).order_by("uploaded_at", "id"),
            )
        )
        .order_by("indicator__position")
    )


def review_answers_counted(assessment: Assessment, visible: Q | None) -> QuerySet[Answer]:
    """`review_answers` without the items themselves, for the review page that only counts them: per
    answer, in the same query, how many of its items the person sees (`visible_evidence`; `visible`
    is `evidence.rules.evidence_filter_of(..., via="evidence__")`, None: none) and when the newest
    of all of them was uploaded (`newest_evidence_at`, read by `newest_upload`)."""
    return (
        Answer.objects.filter(assessment=assessment)
        .select_related("indicator")
        .annotate(
            visible_evidence=Count("evidence", filter=visible) if visible is not None else Value(0),
            newest_evidence_at=Max("evidence__uploaded_at"),
        )
        .order_by("indicator__position")
    )


def newest_upload(answer: Answer) -> datetime.datetime | None:
    """When the newest of the answer's evidence (all of it, whoever looks) was uploaded; None without
    any. From `review_answers_counted`'s figure when the answer has it, else from its items."""
    if hasattr(answer, "newest_evidence_at"):
        counted: datetime.datetime | None = answer.newest_evidence_at
        return counted
    return max((item.uploaded_at for item in answer.evidence.all()), default=None)


def changed_after(
    answer: Answer, newest_upload: datetime.datetime | None, version: int, when: datetime.datetime
) -> bool:
    """The site changed the answer (a new version) or linked newer evidence since a review."""
    return answer.version > version or (newest_upload is not None and newest_upload > when)


def unreviewed_indicators(assessment: Assessment) -> list[str]:
    """Indicator numbers without a current group finding (none yet, or made before the site changed
    the answer)."""
    answers = review_answers(assessment).select_related("group_finding")
    missing = []
    for answer in answers:
        finding = getattr(answer, "group_finding", None)
        if finding is None or changed_after(answer, newest_upload(answer), finding.answer_version, finding.updated_at):
            missing.append(answer.indicator.number)
    return missing


def open_requests(assessment: Assessment) -> QuerySet[InformationRequest]:
    return (
        InformationRequest.objects.filter(answer__assessment=assessment)
        .exclude(status=RequestStatus.CLOSED)
        .select_related("answer__indicator", "asked_by")
        .order_by("answer__indicator__position", "created_at")
    )


# --- agreement ----------------------------------------------------------------------------------


def assessment_agreement(assessment_ids: Iterable[int] | None = None) -> list[dict[str, Any]]:
    """Per assessment: how often the group's findings (and the shared expert ratings) match the
    site's own rating."""
    findings = GroupFinding.objects.all()
    reviews = IndicatorReview.objects.filter(shared=True)
    if assessment_ids is not None:
        findings = findings.filter(answer__assessment_id__in=assessment_ids)
        reviews = reviews.filter(answer__assessment_id__in=assessment_ids)
    per: dict[int, dict[str, tuple[int, int]]] = {}
    for row in findings.values("answer__assessment_id").annotate(
        n=Count("id"), same=Count("id", filter=Q(rating=F("answer__rating")))
    ):
        per.setdefault(row["answer__assessment_id"], {})["findings"] = (row["same"], row["n"])
    for row in reviews.values("answer__assessment_id").annotate(
        n=Count("id"), same=Count("id", filter=Q(rating=F("answer__rating")))
    ):
        per.setdefault(row["answer__assessment_id"], {})["reviews"] = (row["same"], row["n"])
    names = {
        a.pk: a for a in Assessment.objects.filter(pk__in=per.keys()).select_related("protected_area").order_by("id")
    }
    out = []
    for pk, data in sorted(per.items()):
        f_same, f_n = data.get("findings", (0, 0))
        r_same, r_n = data.get("reviews", (0, 0))
        out.append(
            {
                "assessment": names[pk],
                "findings": f_n,
                "findings_agree": f_same,
                "findings_percent": round(100 * f_same / f_n) if f_n else None,
                "reviews": r_n,
                "reviews_agree": r_same,
                "reviews_percent": round(100 * r_same / r_n) if r_n else None,
            }
        )
    return out


def expert_agreement() -> list[dict[str, Any]]:
    """Per expert, over their shared reviews: agreement with the site's rating and with the
    group's finding on the same indicator."""
    rows = (
        IndicatorReview.objects.filter(shared=True)
        .values("assignment__user_id", "assignment__user__email", "assignment__user__full_name")
        .annotate(
            n=Count("id"),
            with_site=Count("id", filter=Q(rating=F("answer__rating"))),
            with_group_n=Count("id", filter=Q(answer__group_finding__isnull=False)),
            with_group=Count("id", filter=Q(rating=F("answer__group_finding__rating"))),
            assessments=Count("answer__assessment_id", distinct=True),
        )
        .order_by("assignment__user__email")
    )
    out = []
    for r in rows:
        out.append(
            {
                "user_id": r["assignment__user_id"],
                "name": r["assignment__user__full_name"] or r["assignment__user__email"],
                "email": r["assignment__user__email"],
                "assessments": r["assessments"],
                "reviews": r["n"],
                "agree_with_site": r["with_site"],
                "site_percent": round(100 * r["with_site"] / r["n"]) if r["n"] else None,
                "compared_with_group": r["with_group_n"],
                "agree_with_group": r["with_group"],
                "group_percent": round(100 * r["with_group"] / r["with_group_n"]) if r["with_group_n"] else None,
            }
        )
    return out


def staff_emails() -> list[str]:
    """Active IUCN staff (and administrators), to tell about declared conflicts."""
    return sorted(
        set(
            RoleAssignment.objects.active()
            .filter(role__in=[Role.IUCN_STAFF, Role.ADMINISTRATOR], user__is_active=True)
            .values_list("user__email", flat=True)
        )
    )


def site_team_emails(assessment: Assessment) -> list[str]:
    return sorted(
        set(
            RoleAssignment.objects.active()
            .filter(role=Role.SITE_MANAGER, protected_area_id=assessment.protected_area_id, user__is_active=True)
            .values_list("user__email", flat=True)
        )
    )
