from django.urls import path

from . import views
from .urls_parts import adapted, authoring, diff, onboarding, spreadsheets

app_name = "standards"

# Each part of the Standard's pages keeps its routes in its own module (issue 14).
urlpatterns = [
    path("", views.standard_current, name="current"),
    *authoring.urlpatterns,
    *spreadsheets.urlpatterns,
    *adapted.urlpatterns,
    *diff.urlpatterns,
    *onboarding.urlpatterns,
]
