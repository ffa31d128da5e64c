from django.urls import path

from .views import (
    MidtermEvidenceView,
    MidtermGroupReviewView,
    MidtermPanelView,
    MidtermReviewView,
    MidtermUpdateView,
    OpenReviewsView,
    RenewalReviewView,
    RenewalStartView,
)

urlpatterns = [
    path("listing-reviews/", OpenReviewsView.as_view(), name="listing-reviews"),
    path("midterm-reviews/<int:pk>/", MidtermReviewView.as_view(), name="midterm-review"),
    path("midterm-reviews/<int:pk>/update/", MidtermUpdateView.as_view(), name="midterm-review-update"),
    path("midterm-reviews/<int:pk>/evidence/", MidtermEvidenceView.as_view(), name="midterm-review-evidence"),
    path("midterm-reviews/<int:pk>/group-review/", MidtermGroupReviewView.as_view(), name="midterm-review-group"),
    path("midterm-reviews/<int:pk>/panel/", MidtermPanelView.as_view(), name="midterm-review-panel"),
    path("renewal-reviews/<int:pk>/", RenewalReviewView.as_view(), name="renewal-review"),
    path("renewal-reviews/<int:pk>/start/", RenewalStartView.as_view(), name="renewal-review-start"),
]
