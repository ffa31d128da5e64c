"""Evidence pages. Mounted at the site's root (greenlist/urls.py) because their paths, kept from
before issue 13 moved them here, start under /assessments/ and /evidence-processing/. The two JSON
answers are the API's views at their page URLs; like every page they send a visitor who is not
logged in to the login page."""

from django.contrib.auth.decorators import login_required
from django.urls import path

from . import views
from .api.views import EvidencePickerPageView, EvidenceStatusPageView

app_name = "evidence"

urlpatterns = [
    path("assessments/<int:pk>/evidence/", views.evidence_post, name="upload"),
    path("assessments/<int:pk>/evidence/all/", views.evidence_library, name="library"),
    # JSON for the assessment page's picker (the API's twin: /api/v1/assessments/{id}/evidence/linkable/)
    path("assessments/<int:pk>/evidence/search/", login_required(EvidencePickerPageView.as_view()), name="picker"),
    path("assessments/<int:pk>/answers/<int:answer_id>/evidence/", views.answer_evidence, name="answer-evidence"),
    # The evidence linked to one indicator, loaded by the assessment page when its list is asked for.
    path("assessments/<int:pk>/answers/<int:answer_id>/evidence/linked/", views.answer_linked, name="answer-linked"),
    path("assessments/evidence/<int:pk>/file/", views.evidence_download, name="download"),
    path("evidence-processing/assessments/<int:pk>/", views.assessment_evidence, name="assessment"),
    path("evidence-processing/assessments/<int:pk>/search/", views.search, name="search"),
    # JSON for the overview's status poller (the API's twin: /api/v1/evidence-processing/assessments/{id}/status/)
    path(
        "evidence-processing/assessments/<int:pk>/status/",
        login_required(EvidenceStatusPageView.as_view()),
        name="status",
    ),
    path("evidence-processing/items/<int:item_id>/thumbnail/", views.thumbnail, name="thumbnail"),
]
