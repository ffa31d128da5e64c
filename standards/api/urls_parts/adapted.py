"""API routes of the Standard's adapted (issue 14), under /api/v1/."""

urlpatterns: list = []
