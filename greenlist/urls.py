from django.contrib import admin
from django.urls import include, path

from accounts.views import LoginView
from core.views import healthz, ping

from .api_docs import ApiDocsView, FaviconView, SchemaView
from .home import home
from .jsi18n import PlatformJavaScriptCatalog
from .offline import manifest, offline_list, service_worker
from .privacy import privacy

api_v1 = [
    path("", include("accounts.api.urls")),
    path("", include("protected_areas.api.urls")),
    path("", include("standards.api.urls")),
    path("", include("assessments.api.urls")),
    path("", include("evidence.api.urls")),
    path("", include("stakeholders.api.urls")),
    path("", include("reviews.api.urls")),
    path("", include("eligibility.api.urls")),
    path("", include("visits.api.urls")),
    path("", include("monitoring.api.urls")),
    path("", include("concerns.api.urls")),
    path("", include("certification.api.urls")),
    path("", include("listing_reviews.api.urls")),
    path("", include("scoring.api.urls")),
    path("", include("reports.api.urls")),
]

urlpatterns = [
    path("", home, name="home"),
    path("healthz", healthz, name="healthz"),
    path("ping", ping, name="ping"),
    # Prometheus's /metrics and the staff system page under /operations/system/ (issue 20).
    path("", include("operations.urls")),
    path("privacy/", privacy, name="privacy"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("jsi18n/", PlatformJavaScriptCatalog.as_view(), name="javascript-catalog"),
    path("accounts/", include("accounts.urls")),
    path("areas/", include("protected_areas.urls")),
    path("standard/", include("standards.urls")),
    path("assessments/", include("assessments.urls")),
    # Evidence pages under /assessments/… and /evidence-processing/… (their paths predate the app).
    path("", include("evidence.urls")),
    path("reviews/", include("reviews.urls")),
    # Site visits under /assessments/<id>/visits/ and /visits/<id>/ (issue 16).
    path("", include("visits.urls")),
    # Public comment pages under /sites/<id>/comments/, staff's and the group's under /consultations/ (issue 16).
    path("", include("stakeholders.urls")),
    # The eligibility gate's page under /assessments/<id>/eligibility/ (issue 16).
    path("", include("eligibility.urls")),
    # Concerns about a listed site: the public form under /sites/<id>/concerns/, the rest under /concerns/ (issue 16).
    path("", include("concerns.urls")),
    path("scoring/", include("scoring.urls")),
    path("reports/", include("reports.urls")),
    # The reviews of a listed site: /listing-reviews/, /listing-reviews/midterm/<id>/, …/renewal/<id>/ (issue 16).
    path("", include("listing_reviews.urls")),
    # Public Green List, certificate verification and staff certification pages.
    path("", include("certification.urls")),
    # The outcome page of an area (its monitoring series) under /areas/<id>/outcomes/ (issue 18).
    path("", include("monitoring.urls")),
    # Before the admin's own login view, which has no throttle and no two-factor step: the admin's
    # login page is the site's (accounts.views.LoginView); the 2FA middleware guards /admin/ after it.
    path("admin/login/", LoginView.as_view(), name="admin-login"),
    path("admin/", admin.site.urls),
    path("api/v1/", include(api_v1)),
    path("api/v1/schema/", SchemaView.as_view(), name="api-schema"),
    path("api/v1/docs/", ApiDocsView.as_view(url_name="api-schema"), name="api-docs"),
    # Browsers ask /favicon.ico on every page, whatever the page links (issue 15).
    path("favicon.ico", FaviconView.as_view(), name="favicon"),
    # The installable, offline-first app (issue 17): the worker's scope is the whole site, so it is
    # served from the root; the list of what this device keeps offline.
    path("sw.js", service_worker, name="service-worker"),
    path("manifest.webmanifest", manifest, name="web-manifest"),
    path("offline/", offline_list, name="offline-list"),
]

# Uploaded and generated files (evidence, exports, certificates) are never served from MEDIA_URL,
# not even in development: each goes through a view that checks who is asking.

admin.site.site_header = "IUCN Green List platform"
admin.site.site_title = "Green List admin"

handler404 = "core.views.not_found"
handler500 = "core.views.server_error"
