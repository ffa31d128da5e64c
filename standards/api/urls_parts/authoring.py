"""API routes of the Standard's authoring (issue 14), under /api/v1/."""

urlpatterns: list = []
