"""Reads of the stakeholder consultation: what the public sees, what the site team and the expert
group see, and the moderators' queue."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Count, Q, QuerySet
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext

from accounts.types import Person
from assessments.models import Assessment
from assessments.sections import PageLink
from standards.selectors import jurisdiction_for

from . import rules
from .choices import CommentStatus
from .models import Comment, ConsultationWindow


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
