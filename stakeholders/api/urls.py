from django.urls import path

from .views import ConsiderationView, ModerationView, SiteSearchView, WindowCommentsView, WindowListView

urlpatterns = [
    path("consultations/", WindowListView.as_view(), name="consultation-list"),
    # The window form's site picker (staff).
    path("consultations/sites/", SiteSearchView.as_view(), name="consultation-sites"),
    path("consultations/<int:pk>/comments/", WindowCommentsView.as_view(), name="consultation-comments"),
    path("consultation-comments/<int:pk>/moderation/", ModerationView.as_view(), name="consultation-moderation"),
    path(
        "consultation-comments/<int:pk>/consideration/", ConsiderationView.as_view(), name="consultation-consideration"
    ),
]
