"""Redis stopped while a site team saves answers and uploads evidence and staff invite someone:
nothing is lost; the evidence is processed and the invitation mailed, once, when Redis is back (the
beat sweeps re-send what could not be queued).

A gunicorn process with the production settings and a Celery worker both use a private Redis
that the test really stops and starts, and the test database (transactional test)."""

import datetime
import os
import re
import subprocess
import sys
import time
from pathlib import Path

import pytest
import requests
from django.conf import settings
from django.db import connection
from django.utils import timezone

from .services import PrivateRedis, free_port, wait_for_port

ROOT = Path(__file__).resolve().parents[2]
pytestmark = [pytest.mark.faults, pytest.mark.django_db(transaction=True)]


def app_env(redis_url: str) -> dict:
    s = connection.settings_dict
    env = {k: v for k, v in os.environ.items() if not k.startswith("DJANGO_")}
    env.update(
        GREENLIST_ENV="production",
        SECRET_KEY="fault-test-" + "Hk3Pz8Qm2Wd6Ty1Nv5Rb" * 3,
        ALLOWED_HOSTS="127.0.0.1",
        SECURE_SSL_REDIRECT="false",
        SECURE_COOKIES="false",
        DATABASE_URL=(
            f"postgis://{s['USER']}:{s['PASSWORD']}@{s['HOST'] or '127.0.0.1'}:{s['PORT'] or 5432}/{s['NAME']}"
        ),
        REDIS_URL=redis_url,
        MEDIA_ROOT=str(settings.MEDIA_ROOT),
        EVIDENCE_ROOT=str(settings.EVIDENCE_ROOT),
        CELERY_TASK_DEFAULT_QUEUE=f"faults-{os.getpid()}",
        STATIC_ROOT=str(ROOT / "var" / "test-static"),
        # the fault here is Redis; staff log in with their password alone
        TWO_FACTOR_REQUIRED_FOR_STAFF="false",
    )
    return env


@pytest.fixture
def site(db):
    from django.contrib.auth.hashers import make_password

    from accounts.tests.factories import DEFAULT_PASSWORD, Role, make_user
    from assessments.services import assessment_create
    from assessments.workflow import transition
    from eligibility.tests.factories import make_eligible
    from protected_areas.tests.factories import ProtectedAreaFactory, square
    from reviews.tests.factories import make_standard

    make_standard(3)
    # Arezzo, where the GPS sample photos were taken
    area = ProtectedAreaFactory(name="Arezzo Hills", geom=square(11.85, 43.45, 0.06), iso3=["ITA"])
    manager = make_user(Role.SITE_MANAGER, email="team@example.org", protected_area=area)
    # the server runs with the production settings, which do not accept the tests' fast hasher
    manager.password = make_password(DEFAULT_PASSWORD, hasher="pbkdf2_sha256")
    manager.save(update_fields=["password"])
    staff = make_user(Role.IUCN_STAFF, email="staff-faults@example.org")
    assessment = assessment_create(protected_area=area, user=manager, year=timezone.localdate().year)
    make_eligible(assessment, staff=staff)
    transition(assessment, "candidate", by=staff)
    return assessment, manager


@pytest.fixture
def inviter(db):
    from django.contrib.auth.hashers import make_password

    from accounts.tests.factories import DEFAULT_PASSWORD, Role, make_user

    staff = make_user(Role.IUCN_STAFF, email="inviter-faults@example.org")
    staff.password = make_password(DEFAULT_PASSWORD, hasher="pbkdf2_sha256")
    staff.save(update_fields=["password"])
    return staff


@pytest.fixture
def stack(tmp_path):
    redis = PrivateRedis()
    redis.start()
    env = app_env(redis.url)
    # e-mails are written to files the test reads (four slashes: an absolute path)
    env["EMAIL_URL"] = f"filemail:///{tmp_path / 'mail'}"
    port = free_port()
    procs = []

    def start(argv, name):
        log = open(tmp_path / f"{name}.log", "wb")
        proc = subprocess.Popen(argv, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
        procs.append(proc)
        return proc

    # Production serves hashed static files from a manifest: build it as a deployment would.
    subprocess.run(
        [sys.executable, "manage.py", "collectstatic", "--noinput", "-v", "0"],
        cwd=ROOT,
        env=env,
        check=True,
        timeout=120,
    )
    start(
        [
            sys.executable,
            "-m",
            "gunicorn",
            "greenlist.wsgi:application",
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            "1",
        ],
        "gunicorn",
    )
    wait_for_port(port)
    yield {"redis": redis, "env": env, "url": f"http://127.0.0.1:{port}", "start": start, "logs": tmp_path}
    for proc in procs:
        proc.terminate()
        proc.wait(timeout=30)
    redis.stop()


def logged_in(url, email, password):
    session = requests.Session()
    page = session.get(f"{url}/accounts/login/", timeout=10)
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text).group(1)
    response = session.post(
        f"{url}/accounts/login/",
        data={"username": email, "password": password, "csrfmiddlewaretoken": token},
        headers={"Referer": f"{url}/accounts/login/"},
        allow_redirects=False,
        timeout=10,
    )
    assert response.status_code == 302, response.text[:500]
    session.headers.update({"X-CSRFToken": session.cookies["csrftoken"], "Referer": f"{url}/"})
    return session


def test_answers_uploads_and_invitations_survive_redis_down_and_are_done_when_it_returns(
    site, inviter, stack, testdata
):
    from accounts.models import Invitation
    from accounts.tests.factories import DEFAULT_PASSWORD
    from assessments.models import Answer
    from core.models import OutgoingEmail
    from evidence.models import EvidenceItem

    assessment, manager = site
    url = stack["url"]
    session = logged_in(url, manager.email, DEFAULT_PASSWORD)
    staff_session = logged_in(url, inviter.email, DEFAULT_PASSWORD)
    answer = Answer.objects.filter(assessment=assessment).order_by("indicator__position").first()

    # when Redis goes away
    stack["redis"].stop()
    saved = session.patch(
        f"{url}/api/v1/assessments/{assessment.pk}/answers/{answer.pk}/",
        json={"version": answer.version, "rating": "meets", "justification": "Saved while Redis was down."},
        timeout=20,
    )
    photo = testdata / "img-exif-samples" / "gps" / "DSCN0010.jpg"
    with open(photo, "rb") as fh:
        uploaded = session.post(
            f"{url}/api/v1/assessments/{assessment.pk}/evidence/",
            data={"title": "Patrol photo", "sensitivity": "reviewers"},
            files={"file": (photo.name, fh, "image/jpeg")},
            timeout=30,
        )
    invited = staff_session.post(
        f"{url}/accounts/invitations/",
        data={"email": "invitee-faults@example.org", "role": "independent_reviewer"},
        allow_redirects=False,
        timeout=30,
    )

    # then all were saved and answered normally; the invitation's e-mail waits in the outbox
    assert saved.status_code == 200, saved.text[:500]
    assert uploaded.status_code == 201, uploaded.text[:500]
    answer.refresh_from_db()
    assert (answer.rating, answer.justification) == ("meets", "Saved while Redis was down.")
    item = EvidenceItem.objects.get(pk=uploaded.json()["id"])
    assert item.processing_status == "pending"
    assert invited.status_code == 302, invited.text[:500]
    assert Invitation.objects.filter(email="invitee-faults@example.org").exists()
    email = OutgoingEmail.objects.get(kind="invitation", to=["invitee-faults@example.org"])
    assert email.sent_at is None and email.attempts == 0

    # when Redis is back, a worker runs and beat's sweep comes round (its grace period has passed)
    stack["redis"].start()
    stack["start"](
        [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "greenlist",
            "worker",
            "--pool=solo",
            # No -Q: every queue by kind this run's default queue names (CELERY_TASK_QUEUES, issue 19).
            "-n",
            f"faults-{os.getpid()}@localhost",
        ],
        "worker",
    )
    EvidenceItem.objects.filter(pk=item.pk).update(uploaded_at=timezone.now() - datetime.timedelta(minutes=5))
    OutgoingEmail.objects.filter(pk=email.pk).update(next_attempt_at=timezone.now() - datetime.timedelta(minutes=6))
    for sweep in ("evidence.tasks.sweep_stuck_evidence", "core.tasks.resend_unsent_emails"):
        subprocess.run(
            [
                sys.executable,
                "-m",
                "celery",
                "-A",
                "greenlist",
                "call",
                sweep,
                "--queue",
                stack["env"]["CELERY_TASK_DEFAULT_QUEUE"],
            ],
            cwd=ROOT,
            env=stack["env"],
            check=True,
            capture_output=True,
            timeout=60,
        )

    # then the upload is processed, with its facts
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        item.refresh_from_db()
        if item.processing_status in {"ready", "failed"}:
            break
        time.sleep(0.5)
    worker_log = (stack["logs"] / "worker.log").read_text(errors="replace")[-2000:]
    assert item.processing_status == "ready", (item.status_reason, worker_log)
    assert len(item.sha256) == 64

    # and the invitation is mailed, once, with its link
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and email.sent_at is None:
        time.sleep(0.5)
        email.refresh_from_db()
    assert email.sent_at is not None and email.attempts == 1, (email.last_error, worker_log)
    mails = [p.read_text(errors="replace") for p in (stack["logs"] / "mail").glob("*.log")]
    to_invitee = [m for m in mails if "To: invitee-faults@example.org" in m]
    assert len(to_invitee) == 1 and "/accounts/invite/" in to_invitee[0], mails

    # and with Redis back, the web process queues the next invitation's e-mail itself (no sweep)
    again = staff_session.post(
        f"{url}/accounts/invitations/",
        data={"email": "second-faults@example.org", "role": "independent_reviewer"},
        allow_redirects=False,
        timeout=30,
    )
    assert again.status_code == 302, again.text[:500]
    second = OutgoingEmail.objects.get(kind="invitation", to=["second-faults@example.org"])
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline and second.sent_at is None:
        time.sleep(0.5)
        second.refresh_from_db()
    assert second.sent_at is not None, (stack["logs"] / "gunicorn.log").read_text(errors="replace")[-3000:]
