from django.urls import path

from . import views

app_name = "concerns"

urlpatterns = [
    # Public (no account): the form on a listed site, and the raiser's private page.
    path("sites/<int:area_id>/concerns/", views.raise_page, name="raise"),
    path("concerns/track/<str:token>/", views.track, name="track"),
    # Staff, the site team, the expert group and the Panel.
    path("concerns/", views.concern_list, name="list"),
    path("concerns/<int:pk>/", views.concern_detail, name="detail"),
    path("concerns/<int:pk>/triage/", views.triage, name="triage"),
    path("concerns/<int:pk>/answer/", views.answer, name="answer"),
    path("concerns/<int:pk>/share/", views.share, name="share"),
    path("concerns/<int:pk>/advice/", views.advise, name="advise"),
    path("concerns/<int:pk>/outcome/", views.outcome, name="outcome"),
    path("concerns/<int:pk>/close/", views.close, name="close"),
    path("concerns/files/<int:pk>/", views.attachment, name="attachment"),
]
