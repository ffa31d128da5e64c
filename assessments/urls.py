from django.urls import path

from . import site_views, version_move_views, views

app_name = "assessments"

urlpatterns = [
    path("", views.assessment_list, name="list"),
    path("start/", views.assessment_start, name="start"),
    path("<int:pk>/", views.assessment_detail, name="detail"),
    path("<int:pk>/answers/<int:answer_id>/", views.answer_post, name="answer"),
    path("<int:pk>/submit/", views.assessment_submit, name="submit"),
    path("<int:pk>/transition/", views.assessment_transition, name="transition"),
    path("<int:pk>/sites/", site_views.sites_page, name="sites"),
    path("<int:pk>/sites/<int:site_pk>/remove/", site_views.site_remove, name="site_remove"),
    path("<int:pk>/move-version/", version_move_views.version_move_page, name="version_move"),
    path("<int:pk>/move-version/<int:move_pk>/", version_move_views.version_move_report, name="version_move_report"),
]
