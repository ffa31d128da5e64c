"""API routes of the Standard's spreadsheets (issue 14), under /api/v1/."""

from django.urls import path

from standards.api import spreadsheet_views as views

urlpatterns = [
    path("standards/import-xlsx/", views.StandardImportXlsxView.as_view(), name="standard-import-xlsx"),
    path("standards/<int:pk>/xlsx/", views.StandardXlsxView.as_view(), name="standard-xlsx"),
    path("adapted-sets/<int:pk>/xlsx/", views.AdaptedSetXlsxView.as_view(), name="adapted-set-xlsx"),
    path(
        "adapted-sets/<int:pk>/import-xlsx/", views.AdaptedSetImportXlsxView.as_view(), name="adapted-set-import-xlsx"
    ),
]
