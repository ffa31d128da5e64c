"""Routes of jurisdictions' onboarding pages (issue 16)."""

from django.urls import path

from .. import onboarding_views

urlpatterns: list = [
    path("jurisdictions/", onboarding_views.onboarding_list, name="onboarding-list"),
    path("jurisdictions/<int:pk>/", onboarding_views.onboarding_detail, name="onboarding-detail"),
]
