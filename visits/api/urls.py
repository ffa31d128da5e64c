from django.urls import path

from .views import (
    AssessmentVisitsView,
    SiteVisitView,
    VisitCancelView,
    VisitEvidenceView,
    VisitHeldView,
    VisitReleaseNotesView,
)

urlpatterns = [
    path("assessments/<int:pk>/visits/", AssessmentVisitsView.as_view(), name="assessment-visits"),
    path("site-visits/<int:pk>/", SiteVisitView.as_view(), name="site-visit"),
    path("site-visits/<int:pk>/held/", VisitHeldView.as_view(), name="site-visit-held"),
    path("site-visits/<int:pk>/cancel/", VisitCancelView.as_view(), name="site-visit-cancel"),
    path("site-visits/<int:pk>/release-notes/", VisitReleaseNotesView.as_view(), name="site-visit-release-notes"),
    path("site-visits/<int:pk>/evidence/", VisitEvidenceView.as_view(), name="site-visit-evidence"),
]
