"""Test settings: the real PostGIS and Redis, isolated from a running `make run` instance."""

import os
from pathlib import Path

from .settings import *  # noqa: F403

# A Redis database and queue of its own, so a development worker never takes test tasks.
REDIS_URL = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/14")
CACHES["default"]["LOCATION"] = REDIS_URL  # noqa: F405
CACHES["default"]["KEY_PREFIX"] = "greenlist-test"  # noqa: F405
CELERY_BROKER_URL = REDIS_URL
CELERY_RESULT_BACKEND = REDIS_URL
CELERY_TASK_DEFAULT_QUEUE = os.environ.get("GREENLIST_TEST_QUEUE", "greenlist-test")
# Parallel test runs on one machine (several developers' sessions) each use their own database.
DATABASES["default"]["TEST"] = {  # noqa: F405
    "NAME": os.environ.get("GREENLIST_TEST_DB", "test_greenlist"),
    # PostGIS is not a trusted extension: test databases are cloned from a template that has it, so
    # the tests need no superuser either (scripts/setup.sh makes the template and the role).
    "TEMPLATE": os.environ.get("GREENLIST_TEST_DB_TEMPLATE", "greenlist_template"),
}
# The role the platform itself runs as (web, worker, beat): tests/security checks it is no superuser.
APP_DATABASE_ROLE = (DATABASES["default"]["USER"], DATABASES["default"]["PASSWORD"])  # noqa: F405
# The tests (and the workers they start) connect as a role that may create databases and nothing more.
DATABASES["default"]["USER"] = os.environ.get("GREENLIST_TEST_DB_USER", "greenlist_test")  # noqa: F405
DATABASES["default"]["PASSWORD"] = os.environ.get("GREENLIST_TEST_DB_PASSWORD", "greenlist")  # noqa: F405

# Fast hashing for tests; PBKDF2 stays available for accounts that a production-settings server
# (tests/faults) must accept.
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.MD5PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
MEDIA_ROOT = Path(os.environ.get("MEDIA_ROOT", BASE_DIR / "var" / "test-media"))  # noqa: F405
EVIDENCE_ROOT = Path(os.environ.get("EVIDENCE_ROOT", f"{MEDIA_ROOT}-private"))
DATABASES["default"]["CONN_MAX_AGE"] = 0  # noqa: F405
# The read replica (core.replica) is the test database itself, through a connection of its own: routing
# is on only where a test turns READ_REPLICA on (core/tests/test_replica.py).
DATABASES["replica"] = {**DATABASES["default"], "TEST": {"MIRROR": "default"}}  # noqa: F405
READ_REPLICA = False
STORAGES["staticfiles"] = {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}  # noqa: F405
# The queues by kind (greenlist/queues.py) take their names from this run's default queue, so parallel
# runs (scripts/test.sh) never take each other's tasks.
GREENLIST_QUEUES = celery_queues.queue_names(CELERY_TASK_DEFAULT_QUEUE)  # noqa: F405
CELERY_TASK_QUEUES = celery_queues.kombu_queues(CELERY_TASK_DEFAULT_QUEUE)  # noqa: F405
CELERY_TASK_ROUTES = celery_queues.task_routes(CELERY_TASK_DEFAULT_QUEUE)  # noqa: F405
