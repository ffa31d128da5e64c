"""Routes of the Standard's diff pages (issue 14)."""

from django.urls import path

from .. import diff_views

urlpatterns: list = [
    path("diff/", diff_views.diff_page, name="diff"),
    path("versions/<int:pk>/translations/", diff_views.translations_page, name="translations"),
]
