from django.urls import path

from evidence.views import evidence_download

from . import views

app_name = "assessments"

urlpatterns = [
    path("", views.assessment_list, name="list"),
    path("start/", views.assessment_start, name="start"),
    path("<int:pk>/", views.assessment_detail, name="detail"),
    path("<int:pk>/answers/<int:answer_id>/", views.answer_post, name="answer"),
    path("<int:pk>/answers/<int:answer_id>/evidence/", views.answer_evidence, name="answer-evidence"),
    path("<int:pk>/evidence/", views.evidence_post, name="evidence-upload"),
    path("<int:pk>/evidence/all/", views.evidence_library, name="evidence-library"),
    path("<int:pk>/evidence/search/", views.evidence_search, name="evidence-search"),
    path("<int:pk>/submit/", views.assessment_submit, name="submit"),
    path("<int:pk>/transition/", views.assessment_transition, name="transition"),
    path("evidence/<int:pk>/file/", evidence_download, name="evidence-download"),
]
