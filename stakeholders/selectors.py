"""Reads of the stakeholder consultation: what the public sees, what the site team and the expert
group see, and the moderators' queue."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Case, Count, Q, QuerySet, When
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext

from accounts.types import Person
from assessments.models import Assessment
from assessments.sections import PageLink
from core.errors import DomainError
from core.text import too_long_message
from protected_areas.models import ProtectedArea
from protected_areas.search import name_contains
from standards.selectors import jurisdiction_for

from . import error_codes, rules
from .choices import CommentStatus
from .models import Comment, ConsultationWindow

# The site picker of the window form: how many sites one search returns, and the longest search.
SITE_MATCHES = 10
SITE_QUERY_MAX = 200


def sites_matching(query: str, *, limit: int = SITE_MATCHES) -> list[ProtectedArea]:
    """Sites whose WDPA id is the query (all digits), or whose name (as published, original or
    English) contains it; exact names first, then by name. Protected-area data is public, but the
    picker serves staff opening windows (rules.can_manage_consultations)."""
    text = " ".join((query or "").split())[:SITE_QUERY_MAX]
    if not text:
        return []
    matches = name_contains(text)
    exact = Q(name__iexact=text)
    # A WDPA id (a bigint): that site, and names with the number. isascii: '²' is a digit int() refuses.
    if text.isascii() and text.isdigit() and len(text) <= 18:
        matches |= Q(wdpa_id=int(text))
        exact |= Q(wdpa_id=int(text))
    return list(
        ProtectedArea.objects.filter(matches)
        .annotate(exact=Case(When(exact, then=0), default=1))
        .only("id", "name", "wdpa_id", "iso3", "designation_eng")
        .order_by("exact", "name", "id")[:limit]
    )


def clean_site_query(value: str | None) -> str:
    """The window form's site text, spaces folded; longer than SITE_QUERY_MAX is refused (the form's maxlength)."""
    text = " ".join((value or "").split())
    if len(text) > SITE_QUERY_MAX:
        raise DomainError(
            error_codes.FIELD_TOO_LONG,
            too_long_message(len(text), SITE_QUERY_MAX),
            field="site",
        )
    return text


class SiteAmbiguous(DomainError):
    """Several sites match the name given: the form lists them (`sites`) to choose from."""

    def __init__(self, query: str, sites: list[ProtectedArea]):
        super().__init__(
            error_codes.CONSULTATION_SITE_AMBIGUOUS,
            gettext("Several sites match “%(query)s”: choose one.") % {"query": query},
            field="site",
            data={"sites": [site.pk for site in sites]},
        )
        self.sites = sites


def site_for_window(*, area_id: str | None, query: str | None) -> ProtectedArea:
    """The site a window is opened on: the one chosen (the picker's or the list's number), else the
    one site the name or WDPA id given matches (an exact name or WDPA id wins over partial names).
    Without script the form sends the text alone, and this is the search."""
    raw = (area_id or "").strip()
    if raw:
        is_number = raw.isascii() and raw.isdigit() and len(raw) < 19  # '²' is a digit int() refuses
        area = ProtectedArea.objects.filter(pk=int(raw)).first() if is_number else None
        if area is None:
            raise DomainError(
                error_codes.CONSULTATION_SITE_UNKNOWN,
                gettext("No site has the number “%(number)s”.") % {"number": raw[:40]},
                field="site",
            )
        return area
    text = clean_site_query(query)
    if not text:
        raise DomainError(
            error_codes.CONSULTATION_SITE_UNKNOWN, gettext("Give the site: its name or its WDPA id."), field="site"
        )
    sites = sites_matching(text, limit=SITE_MATCHES + 1)
    exact = [site for site in sites if getattr(site, "exact", 1) == 0]
    if len(exact) == 1 or len(sites) == 1:
        return (exact or sites)[0]
    if not sites:
        raise DomainError(
            error_codes.CONSULTATION_SITE_UNKNOWN,
            gettext("No site matches “%(query)s”: search by its name or its WDPA id.") % {"query": text},
            field="site",
        )
    raise SiteAmbiguous(text, sites[:SITE_MATCHES])


def window_jurisdiction_id(window: ConsultationWindow) -> int | None:
    """The jurisdiction whose expert group considers the window's comments (the assessment's
    adapted set's, else the site's by its country)."""
    if window.assessment is not None and window.assessment.adapted_set_id is not None:
        return window.assessment.adapted_set.jurisdiction_id  # type: ignore[union-attr]
    jurisdiction = jurisdiction_for(window.protected_area)
    return jurisdiction.pk if jurisdiction else None


def _windows() -> QuerySet[ConsultationWindow]:
    return ConsultationWindow.objects.select_related("protected_area", "assessment__adapted_set", "opened_by")


def open_windows(area_id: int) -> QuerySet[ConsultationWindow]:
    today = timezone.localdate()
    return _windows().filter(protected_area_id=area_id, opens_on__lte=today, closes_on__gte=today)


def open_area_ids(area_ids: list[int]) -> set[int]:
    """Of these sites, those with a window open today (the public pages link to its comments)."""
    today = timezone.localdate()
    return set(
        ConsultationWindow.objects.filter(
            protected_area_id__in=area_ids, opens_on__lte=today, closes_on__gte=today
        ).values_list("protected_area_id", flat=True)
    )


@dataclass(frozen=True)
class PublicComment:
    """What the public sees of an accepted comment: never the e-mail address; the name only if the
    commenter agreed to show it."""

    text: str
    date: object
    name: str


def public_comments(area_id: int) -> list[PublicComment]:
    comments = Comment.objects.filter(window__protected_area_id=area_id, status=CommentStatus.ACCEPTED).order_by(
        "-moderated_at", "-pk"
    )
    return [PublicComment(text=c.text, date=c.created_at, name=c.public_name) for c in comments]


def can_see(user: Person, window: ConsultationWindow) -> bool:
    return rules.can_see_comments(
        user,
        area_id=window.protected_area_id,
        assessment=window.assessment,
        jurisdiction_id=window_jurisdiction_id(window),
    )


def get_window_for_user(user: Person, pk: int | str) -> ConsultationWindow:
    """The window if this person may see its comments (staff, the site team, the expert group), else 404."""
    window = _windows().filter(pk=pk).first()
    if window is None or not user.is_authenticated or not can_see(user, window):
        raise Http404
    return window


def windows_for_user(user: Person) -> list[ConsultationWindow]:
    if not user.is_authenticated:
        return []
    windows = _windows().annotate(
        pending=Count("comments", filter=Q(comments__status=CommentStatus.PENDING)),
        accepted=Count("comments", filter=Q(comments__status=CommentStatus.ACCEPTED)),
        unconsidered=Count(
            "comments",
            filter=Q(comments__status=CommentStatus.ACCEPTED, comments__consideration__isnull=True),
        ),
    )
    return [w for w in windows[:500] if can_see(user, w)]


def comments_for(user: Person, window: ConsultationWindow) -> QuerySet[Comment]:
    """Accepted comments for the site team and the group; staff also see those waiting and rejected
    (never the unconfirmed: they are not comments until their sender confirms)."""
    comments = window.comments.select_related("consideration__by").order_by("created_at", "pk")
    if rules.can_manage_consultations(user):
        return comments.exclude(status=CommentStatus.UNCONFIRMED)
    return comments.filter(status=CommentStatus.ACCEPTED)


def moderation_queue() -> QuerySet[Comment]:
    return Comment.objects.filter(status=CommentStatus.PENDING).select_related("window__protected_area")


def get_comment_for_user(user: Person, pk: int | str) -> tuple[Comment, ConsultationWindow]:
    """A comment this person may see (its window visible; accepted, or any confirmed one for staff), else 404."""
    comment = Comment.objects.select_related("window").filter(pk=pk).first()
    if comment is None or comment.status == CommentStatus.UNCONFIRMED:
        raise Http404
    window = get_window_for_user(user, comment.window_id)
    if comment.status != CommentStatus.ACCEPTED and not rules.can_manage_consultations(user):
        raise Http404
    return comment, window


def assessment_page_links(assessment: Assessment, user: Person) -> list[PageLink]:
    """The assessment page's links to the consultations held on it (assessments.sections, provided
    in StakeholdersConfig.ready()), for whoever may see their comments."""
    if not user.is_authenticated:
        return []
    windows = _windows().filter(assessment_id=assessment.pk).order_by("-opens_on", "-pk")[:5]
    return [
        PageLink(
            label=gettext("Consultation: %(phase)s phase") % {"phase": w.get_phase_display()},
            url=w.get_absolute_url(),
        )
        for w in windows
        if can_see(user, w)
    ]
