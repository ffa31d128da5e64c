"""E-mails about the reviews of a listed site, queued in the outbox (core.outbox) within the
transaction of the step they announce, in the site team's language (staff's and experts' in English,
as the certificate notices are)."""

from __future__ import annotations

from django.conf import settings
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _

from certification import selectors as certification_selectors
from core.outbox import queue_email
from reviews.models import ReviewAssignment

from .models import MidtermReview, RenewalReview


def _link(name: str, pk: int) -> str:
    return str(settings.SITE_URL) + reverse(name, args=[pk])


def _send(kind: str, key: str, to: list[str], language: str, subject_fn, body_fn) -> None:
    if not to:
        return
    with translation.override(language):
        subject, body = subject_fn(), body_fn()
    queue_email(kind=kind, to=sorted(set(to)), subject=subject, body=body, dedupe_key=f"{kind}:{key}:{language}")


def _team(review: MidtermReview | RenewalReview) -> tuple[list[str], str]:
    area = review.certificate.protected_area
    return certification_selectors.site_team_emails([area.pk]).get(area.pk, []), (
        certification_selectors.site_team_language(area)
    )


def _group(review: MidtermReview) -> list[str]:
    seats = ReviewAssignment.objects.cleared().filter(
        assessment_id=review.certificate.decision.assessment_id, role="expert", user__is_active=True
    )
    return list(seats.values_list("user__email", flat=True))


def midterm_opened_queue(review: MidtermReview) -> None:
    to, language = _team(review)
    area = review.certificate.protected_area.name
    link = _link("listing_reviews:midterm", review.pk)
    _send(
        "listing_reviews.midterm_opened",
        str(review.pk),
        to,
        language,
        lambda: _("Mid-term review of %(area)s: your update is due") % {"area": area},
        lambda: (
            _(
                "Half-way through the Green List listing of %(area)s, the mid-term review has opened.\n\n"
                "Please file a short update: what changed at the site, the progress on the listing's conditions, "
                "and your monitoring evidence. The expert group then reviews it and the Green List Panel takes note "
                "or asks for action.\n\n%(link)s\n"
            )
            % {"area": area, "link": link}
        ),
    )


def midterm_overdue_queue(review: MidtermReview) -> None:
    area = review.certificate.protected_area.name
    link = _link("listing_reviews:midterm", review.pk)
    _send(
        "listing_reviews.midterm_overdue",
        str(review.pk),
        certification_selectors.staff_emails(),
        "en",
        lambda: _("Mid-term update overdue: %(area)s") % {"area": area},
        lambda: (
            _("The site team of %(area)s has not filed its mid-term update (due since %(due)s).\n\n%(link)s\n")
            % {"area": area, "due": review.due_on.isoformat(), "link": link}
        ),
    )


def midterm_filed_queue(review: MidtermReview) -> None:
    area = review.certificate.protected_area.name
    link = _link("listing_reviews:midterm", review.pk)
    _send(
        "listing_reviews.midterm_filed",
        str(review.pk),
        _group(review) + certification_selectors.staff_emails(),
        "en",
        lambda: _("Mid-term update filed: %(area)s") % {"area": area},
        lambda: (
            _("The site team of %(area)s has filed its mid-term update; the expert group reviews it.\n\n%(link)s\n")
            % {"area": area, "link": link}
        ),
    )


def midterm_closed_queue(review: MidtermReview) -> None:
    to, language = _team(review)
    area = review.certificate.protected_area.name
    link = _link("listing_reviews:midterm", review.pk)
    for audience, recipients, lang in (("team", to, language), ("staff", certification_selectors.staff_emails(), "en")):
        _send(
            "listing_reviews.midterm_closed",
            f"{review.pk}:{audience}",
            recipients,
            lang,
            lambda: _("Mid-term review of %(area)s: the Panel's view") % {"area": area},
            lambda: (
                _("The Green List Panel has considered the mid-term review of %(area)s: %(outcome)s.\n\n%(link)s\n")
                % {"area": area, "outcome": review.get_status_display(), "link": link}
            ),
        )


def renewal_opened_queue(review: RenewalReview) -> None:
    to, language = _team(review)
    area = review.certificate.protected_area.name
    link = _link("listing_reviews:renewal", review.pk)
    expires = review.certificate.expires_on.isoformat()
    for audience, recipients, lang in (("team", to, language), ("staff", certification_selectors.staff_emails(), "en")):
        _send(
            "listing_reviews.renewal_opened",
            f"{review.pk}:{audience}",
            recipients,
            lang,
            lambda: _("Renewal review of %(area)s has opened") % {"area": area},
            lambda: (
                _(
                    "The Green List certificate of %(area)s expires on %(expires)s. Its renewal review has opened: "
                    "the site team starts the renewal cycle, prefilled from the listed one.\n\n%(link)s\n"
                )
                % {"area": area, "expires": expires, "link": link}
            ),
        )
