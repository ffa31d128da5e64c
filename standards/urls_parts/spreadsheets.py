"""Routes of the Standard's spreadsheets pages (issue 14)."""

urlpatterns: list = []
