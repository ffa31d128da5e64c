from django.urls import path

from . import views

app_name = "protected_areas"

urlpatterns = [
    path("", views.area_list, name="list"),
    path("map/", views.area_map, name="map"),
    path("import/", views.import_start, name="import"),
    path("import/<int:job_id>/", views.import_status, name="import-status"),
    path("<int:pk>/", views.area_detail, name="detail"),
]
