from django.urls import path

from . import version_move_views, views

app_name = "assessments"

urlpatterns = [
    path("", views.assessment_list, name="list"),
    path("start/", views.assessment_start, name="start"),
    path("<int:pk>/", views.assessment_detail, name="detail"),
    path("<int:pk>/answers/<int:answer_id>/", views.answer_post, name="answer"),
    path("<int:pk>/submit/", views.assessment_submit, name="submit"),
    path("<int:pk>/transition/", views.assessment_transition, name="transition"),
    path("<int:pk>/move-version/", version_move_views.version_move_page, name="version_move"),
    path("<int:pk>/move-version/<int:move_pk>/", version_move_views.version_move_report, name="version_move_report"),
]
