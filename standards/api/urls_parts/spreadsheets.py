"""API routes of the Standard's spreadsheets (issue 14), under /api/v1/."""

urlpatterns: list = []
