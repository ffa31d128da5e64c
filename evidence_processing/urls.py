from django.urls import path  # noqa: F401

app_name = "evidence_processing"

urlpatterns: list = []
