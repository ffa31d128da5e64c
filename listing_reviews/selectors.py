"""Reads of the reviews of a listed site: the one lookup of each for a person, staff's worklist, the
state of a renewal, and the certificate's status rule while a renewal is under way."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db.models import Q, QuerySet
from django.http import Http404
from django.urls import reverse
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from accounts.types import Person
from assessments.choices import Status
from assessments.models import Assessment
from assessments.sections import PageLink
from certification.choices import Outcome
from certification.models import Certificate, ConditionProgress

from . import rules
from .choices import CLOSED_MIDTERM, RenewalState
from .models import MidtermReview, RenewalReview

# The platform's rule (IUCN publishes none that we found: GREENLIST.md, "The process", says only that a
# renewal review comes before the five years end), shown on the certificate and renewal pages.
RENEWAL_STATUS_RULE = _(
    "Platform rule while a renewal is under way: the listed certificate stays valid until its expiry date. "
    "If the Green List Panel grants the renewal before then, the new certificate takes over at once: the "
    "site's public page, the Green List and the registry show the new one, and this one is marked as "
    "superseded. If no decision is recorded by the expiry date, this certificate expires on that date as "
    "any other, and the site's public page says that its renewal is under way."
)


def _midterms(qs: QuerySet[MidtermReview]) -> QuerySet[MidtermReview]:
    return qs.select_related(
        "certificate__protected_area",
        "certificate__decision__assessment",
        "filed_by",
        "reviewed_by",
        "panel_by",
    ).prefetch_related("transitions__by", "evidence")


def _renewals(qs: QuerySet[RenewalReview]) -> QuerySet[RenewalReview]:
    return qs.select_related(
        "certificate__protected_area", "certificate__decision__assessment", "assessment__decision", "started_by"
    )


def get_midterm_for_user(user: Person, pk: Any) -> MidtermReview:
    """The review if this person may see it, else 404 (they need not know it exists)."""
    try:
        return _midterms(MidtermReview.objects.visible_to(user)).get(pk=int(pk))
    except (MidtermReview.DoesNotExist, ValueError, TypeError):
        raise Http404("No such mid-term review.") from None


def get_renewal_for_user(user: Person, pk: Any) -> RenewalReview:
    try:
        return _renewals(RenewalReview.objects.visible_to(user)).get(pk=int(pk))
    except (RenewalReview.DoesNotExist, ValueError, TypeError):
        raise Http404("No such renewal review.") from None


def renewal_state(review: RenewalReview) -> str:
    """Read from the renewal cycle: not started, under way, or decided (renewed or not)."""
    cycle = review.assessment
    if cycle is None:
        return RenewalState.AWAITING_START
    if cycle.status == Status.DECIDED:
        decision = getattr(cycle, "decision", None)
        if decision is not None and decision.outcome == Outcome.GRANTED:
            return RenewalState.RENEWED
        return RenewalState.NOT_RENEWED
    return RenewalState.UNDER_WAY


def superseded_by(certificate: Certificate) -> Certificate | None:
    """A newer certificate of the same site (its renewal granted): this one is no longer current,
    whatever its own status (certification.selectors.public_certificates shows only the newest)."""
    return (
        Certificate.objects.filter(
            protected_area_id=certificate.protected_area_id, granted_on__gte=certificate.granted_on
        )
        .exclude(pk=certificate.pk)
        .filter(id__gt=certificate.pk)
        .order_by("-granted_on", "-id")
        .first()
    )


@dataclass
class OpenReviews:
    midterm: list[MidtermReview]
    renewal: list[RenewalReview]


def open_reviews() -> OpenReviews:
    """Staff's worklist: mid-term reviews the Panel has not closed (overdue updates flagged) and
    renewal reviews whose cycle is not decided. With all the API reads (each certificate's decision,
    evidence and steps; each cycle's decision): a fixed number of queries, whatever the number of reviews."""
    midterm = list(_midterms(MidtermReview.objects.exclude(status__in=CLOSED_MIDTERM)).order_by("due_on", "id"))
    renewal = list(_renewals(RenewalReview.objects.exclude(assessment__status=Status.DECIDED)).order_by("due_on", "id"))
    for review in renewal:
        review.state_label = RenewalState(renewal_state(review)).label  # type: ignore[attr-defined]
    return OpenReviews(midterm=midterm, renewal=renewal)


@dataclass
class CertificateReviews:
    """What the certificate page shows of its reviews, for one person."""

    midterm: MidtermReview | None
    renewal: RenewalReview | None
    renewal_state: str
    superseded_by: Certificate | None
    rule: Any = RENEWAL_STATUS_RULE


def certificate_reviews(certificate: Certificate, user: Person) -> CertificateReviews | None:
    """For the certificate page (staff and the site team: who may see the certificate)."""
    midterm = MidtermReview.objects.filter(certificate=certificate).first()
    renewal = RenewalReview.objects.select_related("assessment__decision").filter(certificate=certificate).first()
    if midterm is not None and not rules.can_see_review(user, midterm):
        midterm = None
    if renewal is not None and not rules.can_see_review(user, renewal):
        renewal = None
    return CertificateReviews(
        midterm=midterm,
        renewal=renewal,
        renewal_state=renewal_state(renewal) if renewal else "",
        superseded_by=superseded_by(certificate),
    )


def renewal_under_way_publicly(certificate: Certificate) -> bool:
    """The public page's "renewal under way": a renewal review opened on this certificate whose cycle
    is started and not decided yet (whatever the certificate's status, expired included). A review
    whose cycle the team never started is no renewal under way."""
    return (
        RenewalReview.objects.filter(certificate=certificate, assessment__isnull=False)
        .exclude(assessment__status=Status.DECIDED)
        .exists()
    )


def assessment_page_links(assessment: Assessment, user: Person) -> list[PageLink]:
    """The assessment page's links (assessments.sections, provided in ListingReviewsConfig.ready()):
    a listed cycle's mid-term and renewal reviews, and the renewal review a cycle belongs to. Two
    queries, whatever the data."""
    links: list[PageLink] = []
    for review in MidtermReview.objects.filter(certificate__decision__assessment=assessment).select_related(
        "certificate__protected_area", "certificate__decision__assessment"
    ):
        if rules.can_see_review(user, review):
            links.append(
                PageLink(label=gettext("Mid-term review"), url=reverse("listing_reviews:midterm", args=[review.pk]))
            )
    renewals = RenewalReview.objects.filter(
        Q(certificate__decision__assessment=assessment) | Q(assessment=assessment)
    ).select_related("certificate__protected_area", "certificate__decision__assessment")
    for renewal in renewals:
        if rules.can_see_review(user, renewal):
            links.append(
                PageLink(label=gettext("Renewal review"), url=reverse("listing_reviews:renewal", args=[renewal.pk]))
            )
    return links


def progress_filed_with(review: MidtermReview) -> list[ConditionProgress]:
    """The progress the site team reported on the listing's conditions with its mid-term update: the
    update form's per-condition fields are kept as the conditions' progress reports (services.
    midterm_update_file), so those made from the review's opening to its filing, each with its
    condition, in the conditions' order. Nothing before the update is filed."""
    if review.filed_at is None:
        return []
    return list(
        ConditionProgress.objects.filter(
            condition__certificate_id=review.certificate_id, at__gte=review.opened_at, at__lte=review.filed_at
        )
        .select_related("condition")
        .order_by("condition__due_on", "condition_id", "at", "id")
    )
