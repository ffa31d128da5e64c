"""API routes of the Standard's diff (issue 14), under /api/v1/."""

from django.urls import path

from ..diff import StandardDiffView, TranslationStateView

urlpatterns: list = [
    path("standards/diff/", StandardDiffView.as_view(), name="standard-diff"),
    path("standards/<int:pk>/translations/", TranslationStateView.as_view(), name="standard-translations"),
]
