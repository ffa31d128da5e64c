from django.contrib.sitemaps.views import sitemap
from django.urls import path

from . import condition_views, panel_views, registry_views, views
from .api.views import LegacyGreenListFeedView, LegacyGreenListMapView
from .sitemaps import GreenListSitemap, StaticSitemap

app_name = "certification"

urlpatterns = [
    # Public: no login.
    path("green-list/", views.green_list, name="green-list"),
    # Data for maps and registries: the API's views (api/urls.py), at the addresses they first had.
    path("green-list.json", LegacyGreenListFeedView.as_view(), name="feed"),
    # Protected Planet's columns, as CSV (certification/registry.py says who is in it).
    path("green-list.csv", registry_views.green_list_csv, name="feed-csv"),
    path("green-list.geojson", LegacyGreenListMapView.as_view(), name="geojson"),
    path("green-list/<int:pk>/", views.green_list_area, name="area-short"),
    path("green-list/<int:pk>/<slug:slug>/", views.green_list_area, name="area"),
    path("verify/", views.verify_form, name="verify-form"),
    path("verify/<str:number>/", views.verify, name="verify"),
    path(
        "sitemap.xml",
        sitemap,
        {
            "sitemaps": {"pages": StaticSitemap, "green-list": GreenListSitemap},
            "template_name": "certification/sitemap.xml",
        },
        name="sitemap",
    ),
    # IUCN staff (and a site team, for its own certificate).
    path("certification/", views.dashboard, name="dashboard"),
    # Answers 403 (panel_decides): the Green List Panel decides (issue 16); kept for old links.
    path("certification/assessments/<int:pk>/decide/", views.decide, name="decide"),
    # The Green List Panel (issue 16).
    path("certification/panel/", panel_views.panel_cases, name="panel-cases"),
    path("certification/assessments/<int:pk>/panel/", panel_views.panel_case_open, name="panel-open"),
    path("certification/panel/<int:pk>/", panel_views.panel_case, name="panel-case"),
    path("certification/panel/<int:pk>/declare/", panel_views.panel_declare, name="panel-declare"),
    path("certification/panel/<int:pk>/vote/", panel_views.panel_vote, name="panel-vote"),
    # With the grant's conditions as rows (issue 16): condition_views, beside the other condition pages.
    path("certification/panel/<int:pk>/close/", condition_views.panel_close, name="panel-close"),
    # Conditions on a listing (issue 16).
    path("certification/conditions/", condition_views.open_conditions, name="open-conditions"),
    path("certification/conditions/<int:pk>/progress/", condition_views.condition_progress, name="condition-progress"),
    path("certification/conditions/<int:pk>/status/", condition_views.condition_status, name="condition-status"),
    path(
        "certification/certificates/<str:number>/conditions/",
        condition_views.certificate_conditions,
        name="conditions",
    ),
    path("certification/certificates/<str:number>/", views.certificate_detail, name="certificate"),
    path("certification/certificates/<str:number>/status/", views.certificate_status, name="certificate-status"),
    path("certification/certificates/<str:number>/pdf/", views.certificate_pdf, name="certificate-pdf"),
]
