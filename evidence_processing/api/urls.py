from django.urls import path

from . import views

urlpatterns = [
    path("evidence-processing/assessments/<int:pk>/search/", views.evidence_search, name="evidence-search"),
    path("evidence-processing/assessments/<int:pk>/status/", views.evidence_status, name="evidence-status"),
    path("evidence-processing/items/<int:item_id>/facts/", views.evidence_facts, name="evidence-facts"),
]
