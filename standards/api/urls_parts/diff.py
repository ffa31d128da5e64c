"""API routes of the Standard's diff (issue 14), under /api/v1/."""

urlpatterns: list = []
