"""Routes of the Standard's adapted sets and their consultation (issue 14), under /standard/."""

from django.urls import path

from standards import adapted_views as views

urlpatterns = [
    path("adapted/", views.adapted_list, name="adapted-list"),
    path("adapted/new/", views.adapted_new, name="adapted-new"),
    path("adapted/<int:pk>/", views.adapted_detail, name="adapted-detail"),
    path(
        "adapted/<int:pk>/indicators/<int:indicator_pk>/edit/",
        views.adapted_indicator_edit,
        name="adapted-indicator-edit",
    ),
    path("adapted/<int:pk>/consultation/", views.consultation_edit, name="adapted-consultation"),
    path("adapted/<int:pk>/consultation/comments/", views.comment_add, name="adapted-comment-add"),
    path("adapted/<int:pk>/consultation/comments/<int:comment_pk>/", views.comment_edit, name="adapted-comment-edit"),
    path("adapted/<int:pk>/consultation/attachments/", views.attachment_add, name="adapted-attachment-add"),
    path(
        "adapted/<int:pk>/consultation/attachments/<int:attachment_pk>/",
        views.attachment_download,
        name="adapted-attachment",
    ),
    path("adapted/<int:pk>/move/", views.adapted_move, name="adapted-move"),
]
