"""The Celery application: workers and beat import this module (`celery -A greenlist`)."""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "greenlist.settings")

app = Celery("greenlist")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
# Tasks of the project itself (it is not an installed app): retention of personal data (issue 20).
app.autodiscover_tasks(["greenlist"], related_name="retention")
