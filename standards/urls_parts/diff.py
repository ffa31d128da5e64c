"""Routes of the Standard's diff pages (issue 14)."""

urlpatterns: list = []
