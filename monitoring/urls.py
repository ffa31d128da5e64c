from django.urls import path

from . import upload_views, views

app_name = "monitoring"

urlpatterns = [
    path("areas/<int:pk>/outcomes/", views.outcome_page, name="outcomes"),
    path("areas/<int:pk>/outcomes/add/", upload_views.dataset_add, name="dataset-add"),
    path("areas/<int:pk>/outcomes/datasets/<int:dataset_id>/process/", views.dataset_process, name="dataset-process"),
    path("areas/<int:pk>/outcomes/links/", views.link_add, name="link-add"),
    path("areas/<int:pk>/outcomes/links/<int:link_id>/remove/", views.link_remove, name="link-remove"),
]
