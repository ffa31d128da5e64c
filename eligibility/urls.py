from django.urls import path

from . import views

app_name = "eligibility"

urlpatterns = [
    path("assessments/<int:pk>/eligibility/", views.eligibility_page, name="page"),
]
