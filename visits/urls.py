from django.urls import path

from . import views

app_name = "visits"

urlpatterns = [
    path("assessments/<int:pk>/visits/", views.visit_list, name="list"),
    path("visits/<int:pk>/", views.visit_detail, name="detail"),
    path("visits/<int:pk>/held/", views.visit_held, name="held"),
    path("visits/<int:pk>/cancel/", views.visit_cancel, name="cancel"),
    path("visits/<int:pk>/release/", views.visit_release, name="release"),
    path("visits/<int:pk>/evidence/", views.visit_evidence, name="evidence"),
]
