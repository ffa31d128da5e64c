"""Reads of the eligibility gate: the WDPA pre-check, the site's own answers to the eligibility
indicators, and the records in effect."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.http import Http404
from django.utils.translation import gettext_lazy as _

from accounts.types import Person, Text
from assessments.choices import Status
from assessments.models import Answer, Assessment, AssessmentSite
from assessments.selectors import scale_by_code
from assessments.sites import application_sites
from protected_areas.choices import IucnCategory, SiteType, governance_label
from protected_areas.models import ProtectedArea
from reviews.selectors import assessment_jurisdiction_id

from . import rules
from .choices import Step
from .models import EligibilityRecord

# GREENLIST.md: eligibility rests on indicators 2.1.1 and 2.1.2 (the site meets the definition of
# a protected or conserved area; it is in the WDPA with a category or as an OECM, and a
# governance type).
ELIGIBILITY_INDICATORS = ("2.1.1", "2.1.2")
# IUCN management categories Ia–VI; "Not Reported", "Not Applicable", "Not Assigned" are not one.
MANAGEMENT_CATEGORIES = frozenset(
    {
        IucnCategory.IA,
        IucnCategory.IB,
        IucnCategory.II,
        IucnCategory.III,
        IucnCategory.IV,
        IucnCategory.V,
        IucnCategory.VI,
    }
)
_GOVERNANCE_NOT_REPORTED = {"", "not reported"}


@dataclass(frozen=True)
class PrecheckItem:
    """One line of the pre-check computed from the site's WDPA record."""

    code: str
    label: Text
    passed: bool
    reason: Text


def precheck(area: ProtectedArea) -> list[PrecheckItem]:
    """What the WDPA record says about eligibility. It informs the group; it does not decide (the
    group's evaluation and the reviewer's check do, eligibility.guards)."""
    items = []
    if area.wdpa_id:
        reason: Text = _("WDPA id %(id)s.") % {"id": area.wdpa_id}
    else:
        reason = _("The site has no WDPA id: it is not registered in the WDPA.")
    items.append(PrecheckItem("registered", _("Registered in the WDPA"), bool(area.wdpa_id), reason))

    if area.site_type == SiteType.OECM:
        passed, reason = True, _("Recorded as an OECM.")
    elif area.iucn_category in MANAGEMENT_CATEGORIES:
        passed, reason = True, _("IUCN management category %(category)s.") % {"category": area.iucn_category}
    else:
        passed = False
        reason = _("IUCN category “%(category)s”: not a management category (Ia–VI), and the site is not an OECM.") % {
            "category": IucnCategory(area.iucn_category).label if area.iucn_category in IucnCategory.values else "—"
        }
    items.append(PrecheckItem("category", _("IUCN category or OECM"), passed, reason))

    governance = (area.governance_type or "").strip()
    if governance.lower() in _GOVERNANCE_NOT_REPORTED:
        passed, reason = False, _("No governance type is reported.")
    else:
        passed, reason = True, _("Governance type: %(type)s.") % {"type": governance_label(governance)}
    items.append(PrecheckItem("governance", _("Governance type reported"), passed, reason))

    if area.geom is not None:
        passed, reason = True, _("A boundary polygon is recorded.")
    else:
        passed, reason = False, _("Only a point is recorded, no boundary.")
    items.append(PrecheckItem("boundary", _("Boundary present"), passed, reason))
    return items


@dataclass(frozen=True)
class Missing:
    """What keeps the gate closed: a stable code (the API's `missing`) and the sentence for people."""

    code: str
    text: Text


@dataclass(frozen=True)
class SitePrecheck:
    """An added site of a multi-site application (assessments.sites) with its own WDPA pre-check and
    the applicant's statement of how it is connected (issue 16)."""

    site: AssessmentSite
    items: list[PrecheckItem]

    @property
    def passed(self) -> bool:
        return all(item.passed for item in self.items)


@dataclass
class GateState:
    """The eligibility gate of one assessment, for the page, the API, the guard and the section."""

    precheck: list[PrecheckItem]
    # The site's own answers to 2.1.1 / 2.1.2, as (answer, rating label); empty when the Standard has no such indicator.
    answers: list[tuple[Answer, str]]
    evaluation: EligibilityRecord | None
    check: EligibilityRecord | None  # in effect only if it checked the evaluation in effect
    override: EligibilityRecord | None
    missing: list[Missing]
    history: list[EligibilityRecord] = field(default_factory=list)
    # The added sites of a multi-site application, each with its pre-check (the main site's is `precheck`).
    sites: list[SitePrecheck] = field(default_factory=list)

    @property
    def established(self) -> bool:
        """Both positive, or overridden by staff: the assessment may become a candidate."""
        return not self.missing


def _missing(evaluation: EligibilityRecord | None, check: EligibilityRecord | None) -> list[Missing]:
    missing = []
    if evaluation is None:
        missing.append(
            Missing("evaluation_missing", _("The expert group has not evaluated the site's eligibility yet."))
        )
    elif not evaluation.positive:
        missing.append(Missing("evaluation_negative", _("The expert group found the site not eligible.")))
    if check is None:
        missing.append(
            Missing("check_missing", _("The independent reviewer has not checked the group's evaluation yet."))
        )
    elif not check.positive:
        missing.append(Missing("check_negative", _("The independent reviewer did not confirm the group's evaluation.")))
    return missing


def gate_state(assessment: Assessment, *, with_details: bool = True) -> GateState:
    """The records in effect (the newest of each step; a check counts only if it is newer than the
    evaluation in effect, which it checked) and what is missing. `with_details=False` skips the
    pre-check, the answers and the history (the guard needs none of them)."""
    history = list(EligibilityRecord.objects.filter(assessment_id=assessment.pk).select_related("by"))
    newest: dict[str, EligibilityRecord] = {}
    for record in history:  # newest first
        newest.setdefault(record.step, record)
    evaluation, check, override = (newest.get(s) for s in (Step.EVALUATION, Step.CHECK, Step.OVERRIDE))
    if check is not None and (evaluation is None or (check.at, check.pk) < (evaluation.at, evaluation.pk)):
        check = None
    # Every site of a multi-site application must be eligible. The main site's WDPA record informs the
    # group's evaluation, which is about that site; an added site's record is all the gate holds to show
    # that it meets the definition, so its failing pre-check is missing information (issue 16, the
    # platform's practice). Staff's override, with its reason, still opens the gate.
    sites = [SitePrecheck(site, precheck(site.protected_area)) for site in application_sites(assessment)]
    missing = [] if override is not None else [*_missing(evaluation, check), *_sites_missing(sites)]
    if not with_details:
        return GateState([], [], evaluation, check, override, missing, sites=sites)
    return GateState(
        precheck=precheck(assessment.protected_area),
        answers=eligibility_answers(assessment),
        evaluation=evaluation,
        check=check,
        override=override,
        missing=missing,
        history=history,
        sites=sites,
    )


def _sites_missing(sites: list[SitePrecheck]) -> list[Missing]:
    return [
        Missing(
            "site_precheck_failed",
            _("The WDPA pre-check fails for %(site)s (%(failed)s): the record must be completed or corrected.")
            % {
                "site": site.site.protected_area.name,
                "failed": ", ".join(str(item.label) for item in site.items if not item.passed),
            },
        )
        for site in sites
        if not site.passed
    ]


def eligibility_answers(assessment: Assessment) -> list[tuple[Answer, str]]:
    """The site's own answers to the eligibility indicators, by number, with the rating's label."""
    answers = list(
        Answer.objects.filter(assessment=assessment, indicator__number__in=ELIGIBILITY_INDICATORS)
        .select_related("indicator")
        .order_by("indicator__number")
    )
    scale = scale_by_code(assessment.standard) if answers else {}
    return [(a, str(scale.get(a.rating, {}).get("label", a.rating)) if a.rating else "") for a in answers]


def get_assessment_for_eligibility(user: Person, pk: Any) -> tuple[Assessment, int | None]:
    """The assessment and its jurisdiction if this person may see its eligibility gate
    (rules.can_see_eligibility), else 404, as for an id that does not exist."""
    try:
        assessment = Assessment.objects.select_related("protected_area", "standard", "adapted_set").get(pk=pk)
    except (Assessment.DoesNotExist, ValueError, TypeError):
        raise Http404("No such assessment.") from None
    jurisdiction_id = assessment_jurisdiction_id(assessment)
    if not rules.can_see_eligibility(user, assessment, jurisdiction_id):
        raise Http404("No such assessment.")
    return assessment, jurisdiction_id


def gate_is_open(assessment: Assessment) -> bool:
    """Records may still be added: the assessment is in the application phase."""
    return assessment.status == Status.APPLICATION
