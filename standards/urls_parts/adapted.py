"""Routes of the Standard's adapted pages (issue 14)."""

urlpatterns: list = []
