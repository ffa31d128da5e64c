"""Types the access rules, services and selectors share (for mypy; nothing here runs).

The rules are asked about rows of apps that sit above accounts (assessments, certificates,
reviews): accounts may not import those apps (docs/architecture.md), so the rules describe the
little they read from such a row as a Protocol, which every one of those models satisfies.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Protocol, TypeAlias

from django.utils.functional import Promise

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser

    from .models import User

# Whoever a request stands for: a logged-in person or nobody (`request.user`).
Person: TypeAlias = "User | AnonymousUser"

# Text shown to people: a plain string or a lazily translated one (gettext_lazy).
Text: TypeAlias = str | Promise


class OnSite(Protocol):
    """A row that belongs to one protected area (an assessment, a certificate)."""

    @property
    def protected_area_id(self) -> int: ...


class AssessmentLike(OnSite, Protocol):
    """What the rules read from an assessment: its id and its site."""

    @property
    def pk(self) -> Any: ...


class OwnedByUser(Protocol):
    """A row that belongs to one person (an API token, a review assignment)."""

    @property
    def user_id(self) -> int: ...


class AssignmentLike(OwnedByUser, Protocol):
    """A review assignment: its person, and when it was withdrawn (None while current)."""

    @property
    def removed_at(self) -> Any: ...


class IndicatorReviewLike(Protocol):
    """An expert's indicator review: whose it is and whether it is shared with the group."""

    @property
    def assignment(self) -> OwnedByUser: ...

    @property
    def shared(self) -> bool: ...


class AskedBy(Protocol):
    """A request for information: who asked it."""

    @property
    def asked_by_id(self) -> int: ...
