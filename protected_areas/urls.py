from django.urls import path

from . import views

app_name = "protected_areas"

urlpatterns = [
    path("", views.area_list, name="list"),
    path("map/", views.area_map, name="map"),
    path("tiles/<int:z>/<int:x>/<int:y>.pbf", views.area_tile, name="tile"),
    path("basemap/<int:z>/<int:x>/<int:y>.pbf", views.basemap_tile, name="basemap-tile"),
    path("basemap/places/<str:language>.json", views.basemap_places, name="basemap-places"),
    path("import/", views.import_start, name="import"),
    path("import/<int:job_id>/", views.import_status, name="import-status"),
    path("import/<int:job_id>/confirm/", views.import_confirm, name="import-confirm"),
    path("import/<int:job_id>/layer/", views.import_layer, name="import-layer"),
    path("import/<int:job_id>/status.json", views.import_status_json, name="import-status-json"),
    path("<int:pk>/", views.area_detail, name="detail"),
    path("<int:pk>/team/", views.team_add, name="team-add"),
    path("<int:pk>/team/<int:assignment_id>/remove/", views.team_remove, name="team-remove"),
]
