"""Settings for the Green List platform, read from the environment (see .env.example).

GREENLIST_ENV=development (the default) works out of the box on loopback with `make run`.
GREENLIST_ENV=production refuses to start without a real SECRET_KEY and ALLOWED_HOSTS.
"""

from pathlib import Path

import environ
from celery.schedules import crontab
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

from greenlist import queues as celery_queues

BASE_DIR = Path(__file__).resolve().parent.parent

env = environ.Env()
environ.Env.read_env(BASE_DIR / ".env", overwrite=False)

GREENLIST_ENV = env.str("GREENLIST_ENV", default="development")
if GREENLIST_ENV not in {"development", "production"}:
    raise ImproperlyConfigured("GREENLIST_ENV must be 'development' or 'production'.")
PRODUCTION = GREENLIST_ENV == "production"

DEBUG = env.bool("DEBUG", default=not PRODUCTION)

_DEV_SECRET_KEY = "development-only-insecure-key-do-not-use-in-production"
SECRET_KEY = env.str("SECRET_KEY", default="" if PRODUCTION else _DEV_SECRET_KEY)
if PRODUCTION and (len(SECRET_KEY) < 40 or SECRET_KEY == _DEV_SECRET_KEY or "insecure" in SECRET_KEY):
    raise ImproperlyConfigured(
        "SECRET_KEY must be set to a random value of at least 40 characters in production "
        '(python -c "import secrets; print(secrets.token_urlsafe(50))").'
    )

ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=[] if PRODUCTION else ["127.0.0.1", "localhost", "[::1]"])
if PRODUCTION and not ALLOWED_HOSTS:
    raise ImproperlyConfigured("ALLOWED_HOSTS must list the host names the platform is served on.")
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])
SITE_URL = env.str("SITE_URL", default="http://127.0.0.1:8000").rstrip("/")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.gis",
    "django.contrib.humanize",
    "rest_framework",
    "rest_framework_gis",
    "django_filters",
    "drf_spectacular",
    # Redoc's files served from our own static files: the pages' CSP refuses any CDN (issue 15).
    "drf_spectacular_sidecar",
    "django_otp",
    "django_otp.plugins.otp_totp",
    # /metrics: request latency by view, database timings (issue 20; greenlist/observability.py).
    "django_prometheus",
    "core",
    "audit",
    "accounts",
    "protected_areas",
    "standards",
    "assessments",
    "evidence",
    # Stakeholder consultation in every phase: public comments, moderation, consideration (issue 16).
    "stakeholders",
    # Monitoring series of an area turned into outcome evidence (issue 18).
    "monitoring",
    "reviews",
    "certification",
    "scoring",
    # The eligibility gate closing the application phase (issue 16).
    "eligibility",
    # The expert group's site visits during the candidate phase (issue 16).
    "visits",
    # Concerns and alerts about a listed site, decided by the Green List Panel (issue 16).
    "concerns",
    "reports",
    # The mid-term and renewal reviews of a listed site (issue 16).
    "listing_reviews",
    # Backups and restore, and what running the platform for years needs (issue 20).
    "operations",
    # The project package is an app too, for what sits above all the others (docs/architecture.md):
    # the home page and the demo data set with its `load_demo` command.
    "greenlist",
]

MIDDLEWARE = [
    # First and last: Prometheus's request counters and latency by view see the whole request (issue 20).
    "django_prometheus.middleware.PrometheusBeforeMiddleware",
    # The request id every log line of the request carries, returned in X-Request-ID (core.request_id).
    "core.request_id.RequestIdMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # Pages, JSON and tiles gzipped on the way out (issue 17's byte budget); static files are not
    # seen here: WhiteNoise serves their precompressed copies above.
    "core.middleware.TextGZipMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # Anonymous GETs of the public pages read from the read replica, when there is one (core.replica).
    "core.replica.ReplicaReadsMiddleware",
    # Greenlist-User on a signed-in person's pages: whose offline cache may keep them (core.middleware).
    "core.middleware.PageOwnerMiddleware",
    # `Cache-Control: private, no-store` on signed-in and API responses (issue 12); it wraps the
    # session and two-factor steps below, so it also sees their redirects and log-outs.
    "core.middleware.PrivateCacheControlMiddleware",
    # Logs out sessions idle too long or older than SESSION_COOKIE_AGE (before the 2FA step asks anything).
    "accounts.sessions.SessionTimeoutMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "accounts.two_factor.TwoFactorMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "core.middleware.ContentSecurityPolicyMiddleware",
    # Pages answer a refused action (core.errors.NotAllowed) with 403, as the API does.
    "core.middleware.NotAllowedMiddleware",
    # The platform's own 404 page in development too (DEBUG shows Django's technical one otherwise).
    "core.middleware.PlatformNotFoundPageMiddleware",
    "django_prometheus.middleware.PrometheusAfterMiddleware",
]

ROOT_URLCONF = "greenlist.urls"
WSGI_APPLICATION = "greenlist.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "accounts.context_processors.roles",
            ],
            # Filters every template may use without {% load %}: core/templatetags/typography.py.
            "builtins": ["core.templatetags.typography"],
        },
    },
]

# --- Database (PostGIS) -------------------------------------------------------------------------
DATABASES = {
    "default": env.db_url("DATABASE_URL", default="postgis://greenlist:greenlist@127.0.0.1:5432/greenlist"),
}
DATABASES["default"]["CONN_MAX_AGE"] = env.int("DATABASE_CONN_MAX_AGE", default=60)
# A connection dropped by a PostgreSQL restart is noticed and replaced on the next request.
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
if DATABASES["default"]["ENGINE"] != "django.contrib.gis.db.backends.postgis":
    raise ImproperlyConfigured("DATABASE_URL must use the postgis:// scheme (PostgreSQL with PostGIS).")
# The same PostGIS backend, with query counts and durations for /metrics (django-prometheus, issue 20).
DATABASES["default"]["ENGINE"] = "django_prometheus.db.backends.postgis"
# A read replica of the primary (PostgreSQL streaming replication), optional: anonymous reads of the
# public pages go there (core.replica; docs/scale.md). Empty: everything reads from the primary.
DATABASE_REPLICA_URL = env.str("DATABASE_REPLICA_URL", default="")
READ_REPLICA = bool(DATABASE_REPLICA_URL)
if READ_REPLICA:
    DATABASES["replica"] = env.db_url_config(DATABASE_REPLICA_URL)
    if DATABASES["replica"]["ENGINE"] != "django.contrib.gis.db.backends.postgis":
        raise ImproperlyConfigured("DATABASE_REPLICA_URL must use the postgis:// scheme.")
    DATABASES["replica"].update(
        ENGINE=DATABASES["default"]["ENGINE"],
        CONN_MAX_AGE=DATABASES["default"]["CONN_MAX_AGE"],
        CONN_HEALTH_CHECKS=True,
    )
DATABASE_ROUTERS = ["core.replica.ReplicaRouter"]
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Redis, cache, Celery -----------------------------------------------------------------------
REDIS_URL = env.str("REDIS_URL", default="redis://127.0.0.1:6379/0")
CACHES = {
    "default": {
        # Django's RedisCache with hit, miss and timing metrics for /metrics (issue 20).
        "BACKEND": "core.metrics_cache.InstrumentedRedisCache",
        "LOCATION": REDIS_URL,
        "KEY_PREFIX": "greenlist",
        "TIMEOUT": 300,
    }
}
CELERY_BROKER_URL = env.str("CELERY_BROKER_URL", default=REDIS_URL)
CELERY_RESULT_BACKEND = REDIS_URL
CELERY_TASK_DEFAULT_QUEUE = env.str("CELERY_TASK_DEFAULT_QUEUE", default="greenlist")
# Queues by kind of work (greenlist/queues.py, issue 19): e-mail and scoring on the default queue, then
# evidence, heavy (geodata, rasters) and bulk (imports, exports); every task routed by name, each queue
# with its own time limits. GREENLIST_QUEUES (kind → queue name) is the one list of queues; a worker per
# queue in docker-compose.yml. settings_test.py rebuilds these from its own default queue.
GREENLIST_QUEUES = celery_queues.queue_names(CELERY_TASK_DEFAULT_QUEUE)
CELERY_TASK_QUEUES = celery_queues.kombu_queues(CELERY_TASK_DEFAULT_QUEUE)
CELERY_TASK_ROUTES = celery_queues.task_routes(CELERY_TASK_DEFAULT_QUEUE)
CELERY_TASK_ANNOTATIONS = [celery_queues.QueueLimits()]
CELERY_TASK_ACKS_LATE = True  # a worker killed mid-task leaves the message to be redelivered
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
# A task that sets no limit gets its queue's (QueueLimits); these are the most any queue allows.
CELERY_TASK_TIME_LIMIT = max(kind.time_limit for kind in celery_queues.KINDS.values())
CELERY_TASK_SOFT_TIME_LIMIT = max(kind.soft_time_limit for kind in celery_queues.KINDS.values())
CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": celery_queues.VISIBILITY_TIMEOUT}
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_TIMEZONE = "UTC"
CELERY_BEAT_SCHEDULE_FILENAME = env.str(
    "CELERY_BEAT_SCHEDULE_FILENAME", default=str(BASE_DIR / "var" / "celerybeat-schedule")
)
# Beat sends only while it holds a lock in Redis (greenlist/beat.py): a second beat waits as a standby.
CELERY_BEAT_SCHEDULER = "greenlist.beat:SingleBeatScheduler"
CELERY_BEAT_SCHEDULE = {
    "celery-heartbeat": {
        "task": "core.tasks.heartbeat",
        "schedule": crontab(minute="*/5"),
    },
    # Imports and exports queued while the broker was down.
    "jobs-resend-stuck": {"task": "core.tasks.resend_stuck_jobs", "schedule": crontab(minute="*/5")},
    # E-mails queued while the broker was down, and retries the broker could not take (core.outbox).
    "outbox-resend-unsent": {"task": "core.tasks.resend_unsent_emails", "schedule": crontab(minute="*/2")},
    "scoring-nightly": {
        "task": "scoring.tasks.rescore_all",
        "schedule": crontab(hour=2, minute=30),
    },
    # Certificates expire on their date; reminders and candidate flags are sent once each.
    "certification-expire": {"task": "certification.expire_certificates", "schedule": crontab(hour=0, minute=5)},
    "certification-reminders": {"task": "certification.send_reminders", "schedule": crontab(hour=6, minute=0)},
    # Mid-term and renewal reviews of listed sites opened on their day, once each; overdue updates flagged.
    "listing-reviews-open-due": {"task": "listing_reviews.open_due_reviews", "schedule": crontab(hour=0, minute=20)},
    # Evidence whose processing never started (broker down at upload) or whose worker died.
    "evidence-sweep-stuck": {
        "task": "evidence.tasks.sweep_stuck_evidence",
        "schedule": crontab(minute="*/2"),
    },
    # Maps whose remaking after a write was lost (broker down at the moment of sending): put right.
    "maps-remake-stale": {"task": "protected_areas.tasks.remake_stale_maps", "schedule": crontab(minute="*/10")},
    # Resumable uploads abandoned past EVIDENCE_UPLOAD_EXPIRY_HOURS, with their partial bytes.
    "evidence-purge-expired-uploads": {
        "task": "evidence.tasks.purge_expired_uploads",
        "schedule": crontab(minute=17),
    },
}

# Scores are recomputed once a burst of edits has been quiet this long (seconds), and at the latest
# this long after the burst began.
SCORING_DEBOUNCE_SECONDS = env.float("SCORING_DEBOUNCE_SECONDS", default=3.0)
SCORING_MAX_WAIT_SECONDS = env.float("SCORING_MAX_WAIT_SECONDS", default=60.0)

# --- Accounts ------------------------------------------------------------------------------------
AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = ["accounts.backends.RoleBackend"]
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "home"
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
INVITATION_VALID_DAYS = env.int("INVITATION_VALID_DAYS", default=14)
# Staff must log in with an authenticator app (TOTP). Off by default in development so the demo
# logins work at once; production turns it on unless told otherwise.
TWO_FACTOR_REQUIRED_FOR_STAFF = env.bool("TWO_FACTOR_REQUIRED_FOR_STAFF", default=PRODUCTION)
OTP_TOTP_ISSUER = "IUCN Green List platform"
# Personal API tokens (accounts.models.ApiToken): lifetime by default and at most, in days, and how
# many usable tokens one person may hold.
API_TOKEN_DEFAULT_DAYS = env.int("API_TOKEN_DEFAULT_DAYS", default=90)
API_TOKEN_MAX_DAYS = env.int("API_TOKEN_MAX_DAYS", default=365)
API_TOKEN_MAX_PER_PERSON = 20

# --- Sessions ------------------------------------------------------------------------------------
# A session ends after SESSION_IDLE_TIMEOUT seconds without a request (accounts.sessions), shorter
# for IUCN staff and administrators, whose sessions can do more (the admin, decisions); and at the
# latest SESSION_COOKIE_AGE after login however active it is, so a stolen cookie kept busy still
# dies. 8 hours covers a working day on an assessment without logging in again; 7 days bounds a
# session's whole life (it was 14 days, with no idle limit).
SESSION_IDLE_TIMEOUT = env.int("SESSION_IDLE_TIMEOUT", default=8 * 60 * 60)
SESSION_IDLE_TIMEOUT_STAFF = env.int("SESSION_IDLE_TIMEOUT_STAFF", default=2 * 60 * 60)
SESSION_COOKIE_AGE = env.int("SESSION_COOKIE_AGE", default=7 * 24 * 60 * 60)

# --- E-mail --------------------------------------------------------------------------------------
EMAIL_CONFIG = env.email_url("EMAIL_URL", default="consolemail://")
vars().update(EMAIL_CONFIG)
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="Green List platform <noreply@localhost>")

# --- Internationalisation ------------------------------------------------------------------------
LANGUAGE_CODE = "en"
LANGUAGES = [("en", _("English")), ("fr", _("French")), ("es", _("Spanish"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
USE_I18N = True
# One date format per language (greenlist/formats/<lang>/formats.py); templates use DATE_FORMAT etc.
FORMAT_MODULE_PATH = ["greenlist.formats"]
USE_TZ = True
TIME_ZONE = "UTC"

# --- Static files and uploaded files -------------------------------------------------------------
STATIC_URL = "/static/"
STATIC_ROOT = env.path("STATIC_ROOT", default=BASE_DIR / "var" / "static")
STATICFILES_DIRS = [BASE_DIR / "static"]
WHITENOISE_USE_FINDERS = not PRODUCTION  # development serves straight from static/
MEDIA_URL = "/media/"
MEDIA_ROOT = env.path("MEDIA_ROOT", default=BASE_DIR / "var" / "media")
STORAGE_BACKEND = env.str("STORAGE_BACKEND", default="local")
if STORAGE_BACKEND == "s3":
    _default_storage = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": env.str("S3_BUCKET"),
            "endpoint_url": env.str("S3_ENDPOINT_URL", default=None),
            "access_key": env.str("S3_ACCESS_KEY_ID"),
            "secret_key": env.str("S3_SECRET_ACCESS_KEY"),
            "default_acl": "private",
            "querystring_auth": True,
        },
    }
elif STORAGE_BACKEND == "local":
    _default_storage = {"BACKEND": "django.core.files.storage.FileSystemStorage"}
else:
    raise ImproperlyConfigured("STORAGE_BACKEND must be 'local' or 's3'.")
STORAGES = {
    "default": _default_storage,
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if PRODUCTION
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
DATA_UPLOAD_MAX_MEMORY_SIZE = 10 * 1024 * 1024
IMPORT_MAX_UPLOAD_MB = env.int("IMPORT_MAX_UPLOAD_MB", default=500)
EVIDENCE_MAX_UPLOAD_MB = env.int("EVIDENCE_MAX_UPLOAD_MB", default=200)
# What one person may upload as evidence in 24 hours (page, API, replies to reviewers), so that
# one account cannot fill the disk or keep the workers busy; `import_evidence` is not counted.
EVIDENCE_UPLOAD_QUOTA_MB_PER_DAY = env.int("EVIDENCE_UPLOAD_QUOTA_MB_PER_DAY", default=2000)
# Evidence files live outside MEDIA_ROOT (which development serves without permission checks).
EVIDENCE_ROOT = env.path("EVIDENCE_ROOT", default=f"{MEDIA_ROOT}-private")
# Resumable (tus) evidence uploads, issue 17: where the bytes of unfinished uploads wait (empty:
# EVIDENCE_ROOT + "-partial"), and how long an upload that stopped arriving is kept before beat
# purges it.
EVIDENCE_PARTIAL_ROOT = env("EVIDENCE_PARTIAL_ROOT", default="")
EVIDENCE_UPLOAD_EXPIRY_HOURS = env.int("EVIDENCE_UPLOAD_EXPIRY_HOURS", default=72)

# --- Personal data (issue 20; docs/personal-data.md, the privacy page reads these) ------------------
# A person's download of their own data: where the zips wait (outside MEDIA_ROOT, which development
# serves without checks) and for how many days the download stays available.
PERSONAL_DATA_ROOT = env.path("PERSONAL_DATA_ROOT", default=f"{MEDIA_ROOT}-personal-data")
PERSONAL_DATA_EXPORT_DAYS = env.int("PERSONAL_DATA_EXPORT_DAYS", default=7)
# Retention, applied nightly by beat (greenlist.retention): days after a consultation window closes
# before a public comment's name and e-mail address are removed (the text stays, as the group
# considered it); days after a concern is closed before its raiser's name and address are removed;
# days a refused or failed evidence upload and a finished resumable upload's leftovers are kept.
RETENTION_COMMENT_PERSONAL_DAYS = env.int("RETENTION_COMMENT_PERSONAL_DAYS", default=365)
RETENTION_CONCERN_PERSONAL_DAYS = env.int("RETENTION_CONCERN_PERSONAL_DAYS", default=730)
RETENTION_REJECTED_UPLOAD_DAYS = env.int("RETENTION_REJECTED_UPLOAD_DAYS", default=30)
CELERY_BEAT_SCHEDULE["personal-data-retention"] = {
    "task": "greenlist.apply_retention",
    "schedule": crontab(hour=3, minute=40),
}
CELERY_BEAT_SCHEDULE["personal-data-exports-expire"] = {
    "task": "accounts.expire_data_exports",
    "schedule": crontab(minute=47),
}
# The audit trail's new events are sealed into its hash chain (audit.chain).
CELERY_BEAT_SCHEDULE["audit-seal-chain"] = {"task": "audit.seal_chain", "schedule": crontab(minute="*/10")}
# Evidence processing (evidence.pipeline): limits that keep hostile files from hurting a worker.
EVIDENCE_MAX_IMAGE_PIXELS = env.int("EVIDENCE_MAX_IMAGE_PIXELS", default=120_000_000)
EVIDENCE_ZIP_MAX_MB = env.int("EVIDENCE_ZIP_MAX_MB", default=2000)
EVIDENCE_ZIP_MAX_FILES = 50_000
# Files a member of the public sends with a concern about a listed site (concerns.attachments): how
# many, how large each (bytes), and the most pixels an image may have before it is decoded (a photo
# from a phone is 12–25 million; more is refused as a possible decompression bomb: a decoded pixel
# costs 4 bytes, twice over while it is re-encoded, and a one-colour PNG of 25 million is 25 kB sent).
GREENLIST_CONCERN_ATTACHMENTS = env.int("GREENLIST_CONCERN_ATTACHMENTS", default=3)
GREENLIST_CONCERN_ATTACHMENT_BYTES = env.int("GREENLIST_CONCERN_ATTACHMENT_BYTES", default=10_000_000)
GREENLIST_CONCERN_IMAGE_MAX_PIXELS = env.int("GREENLIST_CONCERN_IMAGE_MAX_PIXELS", default=25_000_000)
EVIDENCE_TEXT_MAX_CHARS = 2_000_000
EVIDENCE_MAX_FEATURES = 50_000
EVIDENCE_RASTER_MAX_PIXELS = 200_000_000
# An upload larger than this (MB) is processed on the heavy queue, beside rasters and big geodata (issue 19).
EVIDENCE_HEAVY_UPLOAD_MB = env.int("EVIDENCE_HEAVY_UPLOAD_MB", default=50)
EVIDENCE_TASK_TIME_LIMIT = env.int("EVIDENCE_TASK_TIME_LIMIT", default=600)
EVIDENCE_TASK_SOFT_TIME_LIMIT = EVIDENCE_TASK_TIME_LIMIT - 30
EVIDENCE_MAX_ATTEMPTS = 3
EVIDENCE_PERIOD_YEARS = 5
EVIDENCE_SWEEP_GRACE_SECONDS = 120
EVIDENCE_SWEEP_BATCH = 500

# --- Backups (issue 20; docs/operations.md) ------------------------------------------------------
# Where beat writes its backups (empty: no scheduled backups; `manage.py backup DEST` works anyway),
# at which hour (UTC) each day, and how many of the newest it keeps (the only verified one is never deleted).
GREENLIST_BACKUP_DIR = env.str("GREENLIST_BACKUP_DIR", default="")
GREENLIST_BACKUP_SCHEDULE = env.int("GREENLIST_BACKUP_SCHEDULE", default=3)
GREENLIST_BACKUP_KEEP = env.int("GREENLIST_BACKUP_KEEP", default=7)
if not 0 <= GREENLIST_BACKUP_SCHEDULE <= 23 or GREENLIST_BACKUP_KEEP < 1:
    raise ImproperlyConfigured("GREENLIST_BACKUP_SCHEDULE must be an hour (0-23) and GREENLIST_BACKUP_KEEP at least 1.")
CELERY_BEAT_SCHEDULE["operations-scheduled-backup"] = {
    "task": "operations.scheduled_backup",
    "schedule": crontab(hour=GREENLIST_BACKUP_SCHEDULE, minute=40),
}

# --- Certification -------------------------------------------------------------------------------
# Years a Green List certificate is valid from the day it is granted.
CERTIFICATE_VALID_YEARS = env.int("CERTIFICATE_VALID_YEARS", default=5)
# The Green List Panel decides (issue 16; certification.panel). Quorum: how many of a case's
# members free of conflict must have voted. Rule: "majority", more than half of the votes cast
# (by members free of conflict) go one way (grant, with or without conditions / do not grant /
# defer), or "unanimous", every vote cast goes one way. Two, not three: a case often loses a
# member to a conflict, and two is the least that is not one person deciding alone.
GREENLIST_PANEL_QUORUM = env.int("GREENLIST_PANEL_QUORUM", default=2)
GREENLIST_PANEL_RULE = env.str("GREENLIST_PANEL_RULE", default="majority")
if GREENLIST_PANEL_RULE not in {"majority", "unanimous"} or GREENLIST_PANEL_QUORUM < 1:
    raise ImproperlyConfigured("GREENLIST_PANEL_RULE must be 'majority' or 'unanimous', and the quorum at least 1.")
# Conditions on a listing (issue 16; certification.conditions): days before a condition's due date
# that the site team and its checker are reminded (an overdue notice follows the day after it).
GREENLIST_CONDITION_REMINDER_DAYS = env.int("GREENLIST_CONDITION_REMINDER_DAYS", default=30)
# Reviews of a listed site (issue 16, listing_reviews). The mid-term review opens once this share of the
# certificate's validity has passed (0.5: half-way, GREENLIST.md "The process"); the renewal review this many
# days before expiry (no IUCN lead time was found: 365 is the platform's default); a mid-term update not filed
# this many days after the review fell due is flagged to staff (the platform's practice).
GREENLIST_MIDTERM_AT = env.float("GREENLIST_MIDTERM_AT", default=0.5)
GREENLIST_RENEWAL_LEAD_DAYS = env.int("GREENLIST_RENEWAL_LEAD_DAYS", default=365)
GREENLIST_MIDTERM_UPDATE_DAYS = env.int("GREENLIST_MIDTERM_UPDATE_DAYS", default=90)
if not 0 < GREENLIST_MIDTERM_AT < 1 or GREENLIST_RENEWAL_LEAD_DAYS < 1 or GREENLIST_MIDTERM_UPDATE_DAYS < 1:
    raise ImproperlyConfigured(
        "GREENLIST_MIDTERM_AT must be between 0 and 1; the renewal lead and update days at least 1."
    )

# --- Maps ----------------------------------------------------------------------------------------
# Optional raster base map, an XYZ template like https://tile.example.org/{z}/{x}/{y}.png. Empty: the
# maps draw protected areas (our own vector tiles) on a plain background, with nothing from elsewhere.
BASEMAP_TILE_URL = env.str("BASEMAP_TILE_URL", default="")
BASEMAP_ATTRIBUTION = env.str("BASEMAP_ATTRIBUTION", default="")
BASEMAP_TILE_ORIGIN = "/".join(BASEMAP_TILE_URL.split("/")[:3]) if BASEMAP_TILE_URL else ""

# --- API -----------------------------------------------------------------------------------------
REST_FRAMEWORK = {
    # Browsers use the session (with CSRF); scripts and offline-sync clients use a personal token
    # (`Authorization: Token <key>` or `Bearer <key>`) that each person creates for themselves at
    # /accounts/tokens/ or /api/v1/me/tokens/: hashed at rest, expiring, optionally read-only
    # (accounts.authentication). Nobody issues a token for someone else, not even administrators.
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "rest_framework.authentication.SessionAuthentication",
        "accounts.authentication.ApiTokenAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    # drf-spectacular's, documenting every operation's error answers with the one error body.
    "DEFAULT_SCHEMA_CLASS": "core.schema.AutoSchema",
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    # JSON nested deeper than 64 levels is a 400, not a RecursionError (issue 12).
    "DEFAULT_PARSER_CLASSES": [
        "core.api.JSONParser",
        "rest_framework.parsers.FormParser",
        "rest_framework.parsers.MultiPartParser",
    ],
    # Page numbers are checked before they reach the database's OFFSET (issue 12).
    "DEFAULT_PAGINATION_CLASS": "core.pagination.PageNumberPagination",
    "PAGE_SIZE": 50,
    "EXCEPTION_HANDLER": "core.api.exception_handler",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "IUCN Green List platform API",
    "DESCRIPTION": "Protected areas, the Green List Standard, assessments, reviews and certificates.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    # /api/v1/docs/ loads Redoc from drf_spectacular_sidecar's static files, not a CDN (issue 15).
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    # Choice sets used under the same field name in several apps get one stable name each.
    "ENUM_NAME_OVERRIDES": {
        "AssessmentStatusEnum": "assessments.choices.Status",
        "CertificateStatusEnum": "certification.choices.CertificateStatus",
        # A condition on a listing and who checks it (issue 16, certification.conditions).
        "ConditionStatusEnum": "certification.choices.ConditionStatus",
        "ConditionCheckerEnum": "certification.choices.ConditionChecker",
        # A mid-term review's steps (listing_reviews.workflow).
        "MidtermStatusEnum": "listing_reviews.choices.MidtermStatus",
        "ReviewOutcomeEnum": "reviews.choices.Outcome",
        "DecisionOutcomeEnum": "certification.choices.Outcome",
        # A review seat's role (expert, independent reviewer) and a person's role (accounts).
        "RoleEnum": "reviews.choices.AssignmentRole",
        "PersonRoleEnum": "accounts.choices.Role",
        # An adapted indicator set's status (standards.adaptation's lifecycle).
        "AdaptedSetStatusEnum": "standards.models.AdaptedSetStatus",
        # A site visit's status (visits.workflow's lifecycle).
        "SiteVisitStatusEnum": "visits.choices.VisitStatus",
        # A concern's status and the Panel's outcome on it (concerns.workflow).
        "ConcernStatusEnum": "concerns.choices.ConcernStatus",
        "ConcernOutcomeKindEnum": "concerns.choices.ConcernOutcomeKind",
        # A monitoring dataset's lifecycle and kind (issue 18, monitoring.workflow).
        "MonitoringStatusEnum": "monitoring.choices.DatasetStatus",
        "MonitoringKindEnum": "monitoring.choices.DatasetKind",
        # The error body's `code`: every code of every app's error_codes.py.
        "ErrorCodeEnum": "core.error_codes.declared",
    },
}

# --- Security --------------------------------------------------------------------------------------
SESSION_COOKIE_HTTPONLY = True
# Secure cookies whenever served over TLS (production); a loopback load test may turn them off.
SESSION_COOKIE_SECURE = env.bool("SECURE_COOKIES", default=PRODUCTION)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"
SECURE_REFERRER_POLICY = "same-origin"
if PRODUCTION:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=True)
    SECURE_REDIRECT_EXEMPT = [r"^healthz$"]  # container health checks speak plain HTTP inside
    SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=31536000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True

# --- Observability (issue 20; README "Monitoring") ------------------------------------------------
from .observability import (  # noqa: E402 - reads the settings above
    init_error_reporting,
    logging_config,
    metrics_allowed_networks,
    prepare_multiprocess_dir,
)

# Logs: one line per record with its request id (core.request_id); "json" (the default in production)
# gives one JSON object per line for a log collector, "text" a readable line for people.
GREENLIST_LOG_FORMAT = env.str("GREENLIST_LOG_FORMAT", default="json" if PRODUCTION else "text")
LOGGING = logging_config(fmt=GREENLIST_LOG_FORMAT, level=env.str("LOG_LEVEL", default="INFO"))
# The worker logs through the same configuration (JSON, request ids) instead of Celery's own.
CELERY_WORKER_HIJACK_ROOT_LOGGER = False

# /metrics answers a scraper that sends `Authorization: Bearer <GREENLIST_METRICS_TOKEN>` or connects
# from one of GREENLIST_METRICS_ALLOWED_NETWORKS (CIDRs, comma-separated); anyone else gets a 404.
# Neither set: /metrics is closed.
GREENLIST_METRICS_TOKEN = env.str("GREENLIST_METRICS_TOKEN", default="")
GREENLIST_METRICS_ALLOWED_NETWORKS = metrics_allowed_networks(
    env.list("GREENLIST_METRICS_ALLOWED_NETWORKS", default=[])
)
# Gunicorn's processes each count their own requests: with this folder (empty at start, shared by
# them, written by prometheus_client) one scrape adds them all up. Unset: one process, kept in memory.
PROMETHEUS_MULTIPROC_DIR = env.str("PROMETHEUS_MULTIPROC_DIR", default="")
prepare_multiprocess_dir(PROMETHEUS_MULTIPROC_DIR)
# Errors to a Sentry-compatible service, with the Django and Celery integrations; unset: none sent.
SENTRY_DSN = env.str("SENTRY_DSN", default="")
init_error_reporting(SENTRY_DSN, environment=GREENLIST_ENV)

# Debian 12 ships GDAL 3.6, which cannot block file/network access from spatial references given
# to Django's SpatialReference (gis.W001); we only build those from EPSG codes. Files from people
# are opened through core.gdal_safety: their format's driver only, no VRT/database/network
# drivers, and GDAL's HTTP client and /vsicurl/ closed for the whole process (core.apps).
SILENCED_SYSTEM_CHECKS = ["gis.W001"]
