"""Routes of the Standard's authoring pages (issue 14)."""

urlpatterns: list = []
