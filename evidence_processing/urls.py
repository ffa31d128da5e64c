from django.urls import path

from . import views

app_name = "evidence_processing"

urlpatterns = [
    path("assessments/<int:pk>/", views.assessment_evidence, name="assessment"),
    path("assessments/<int:pk>/search/", views.search, name="search"),
    path("assessments/<int:pk>/status/", views.status, name="status"),
    path("items/<int:item_id>/thumbnail/", views.thumbnail, name="thumbnail"),
]
