from django.urls import path

from . import views

app_name = "stakeholders"

urlpatterns = [
    # Public (no account): the comment page of a site, and the e-mailed confirmation link.
    path("sites/<int:area_id>/comments/", views.public_page, name="public"),
    path("sites/comments/confirm/<str:token>/", views.confirm, name="confirm"),
    # Staff, the site team and the expert group.
    path("consultations/", views.consultations, name="list"),
    path("consultations/<int:pk>/", views.window_page, name="window"),
    path("consultations/<int:pk>/close/", views.window_close, name="window-close"),
    path("consultations/comments/<int:pk>/moderate/", views.comment_moderate, name="moderate"),
    path("consultations/comments/<int:pk>/consider/", views.comment_consider, name="consider"),
]
