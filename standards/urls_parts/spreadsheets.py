"""Routes of the Standard's spreadsheets pages (issue 14)."""

from django.urls import path

from standards import spreadsheet_views as views

urlpatterns = [
    path("versions/<int:pk>/xlsx", views.version_xlsx, name="version-xlsx"),
    path("import/", views.import_xlsx, name="import-xlsx"),
]
