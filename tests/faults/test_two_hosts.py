"""Nothing tied to one host (issue 19): the web server and the worker run as if on two machines, each with
a local disk of its own (different MEDIA_ROOT and EVIDENCE_ROOT, neither reachable by the other), and share
only the database, Redis and an S3-compatible object store (STORAGE_BACKEND=s3; our own S3 test server on
loopback, tests/faults/s3_server.py, stands in for the production bucket). A site team's upload is processed
by the worker and downloaded through the web server, and neither local disk holds the file.

What breaks first (the "local" case): with STORAGE_BACKEND=local and those two disks, the file stays on the
web server's disk and the worker, finding none, fails the item. Local storage needs one volume mounted by
web and workers alike (docker-compose.yml's `evidence` volume); past one machine the answer is the object
store, and then nothing breaks (the "s3" case)."""

import hashlib
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
import requests
from django.conf import settings
from django.db import connection

from .s3_server import S3TestServer
from .services import free_port, wait_for_port
from .test_broker_down import logged_in, site  # noqa: F401 - the site fixture

ROOT = Path(__file__).resolve().parents[2]
BUCKET = "greenlist-two-hosts"
ACCESS_KEY, SECRET_KEY = "two-hosts", "two-hosts-secret"
pytestmark = [pytest.mark.faults, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def object_store():
    """An S3-compatible server on a free loopback port, for this test only (tests/faults/s3_server.py:
    our own, which checks SigV4 signatures and speaks the multipart uploads and ranged downloads boto3
    uses). A server, not an in-process stub: gunicorn and the worker are separate processes and must
    see one bucket."""
    import boto3

    with S3TestServer(access_key=ACCESS_KEY, secret_key=SECRET_KEY) as server:
        s3 = boto3.client(
            "s3",
            endpoint_url=server.endpoint,
            aws_access_key_id=ACCESS_KEY,
            aws_secret_access_key=SECRET_KEY,
            region_name="us-east-1",
        )
        s3.create_bucket(Bucket=BUCKET)
        yield server.endpoint, s3


def host_env(disk: Path, endpoint: str, backend: str) -> dict:
    """One machine's environment: its own disk, the shared database, Redis and bucket."""
    s = connection.settings_dict
    env = {k: v for k, v in os.environ.items() if not k.startswith("DJANGO_")}
    env.update(
        DJANGO_SETTINGS_MODULE="greenlist.settings",
        GREENLIST_ENV="development",
        DATABASE_URL=(
            f"postgis://{s['USER']}:{s['PASSWORD']}@{s['HOST'] or '127.0.0.1'}:{s['PORT'] or 5432}/{s['NAME']}"
        ),
        REDIS_URL=settings.REDIS_URL,
        CELERY_TASK_DEFAULT_QUEUE=f"two-hosts-{os.getpid()}",
        MEDIA_ROOT=str(disk / "media"),
        EVIDENCE_ROOT=str(disk / "media-private"),
        PERSONAL_DATA_ROOT=str(disk / "media-personal-data"),
        STORAGE_BACKEND=backend,
        S3_BUCKET=BUCKET,
        S3_ENDPOINT_URL=endpoint,
        S3_ACCESS_KEY_ID=ACCESS_KEY,
        S3_SECRET_ACCESS_KEY=SECRET_KEY,
        AWS_DEFAULT_REGION="us-east-1",
    )
    return env


def files_under(folder: Path) -> list[Path]:
    return [p for p in folder.rglob("*") if p.is_file()] if folder.exists() else []


@pytest.mark.parametrize("backend", ["local", "s3"])
def test_web_and_worker_on_different_disks_share_evidence_through_the_object_store(
    backend,
    site,  # noqa: F811
    object_store,
    tmp_path,
    testdata,
):
    from accounts.tests.factories import DEFAULT_PASSWORD
    from evidence.models import EvidenceItem

    assessment, manager = site
    endpoint, s3 = object_store
    web_disk, worker_disk = tmp_path / "web-host", tmp_path / "worker-host"
    port = free_port()
    procs = []
    try:
        for name, disk, argv in (
            ("web", web_disk, ["-m", "gunicorn", "greenlist.wsgi", "--bind", f"127.0.0.1:{port}", "-t", "120"]),
            (
                "worker",
                worker_disk,
                ["-m", "celery", "-A", "greenlist", "worker", "--pool=solo", "-n", f"two-hosts-{port}@localhost"],
            ),
        ):
            with open(tmp_path / f"{name}.log", "wb") as log:
                procs.append(
                    subprocess.Popen(
                        [sys.executable, *argv],
                        cwd=ROOT,
                        env=host_env(disk, endpoint, backend),
                        stdout=log,
                        stderr=subprocess.STDOUT,
                    )
                )
        wait_for_port(port)
        url = f"http://127.0.0.1:{port}"
        requests.get(f"{url}/accounts/login/", timeout=120)  # the first request loads Django (a shared, busy machine)
        session = logged_in(url, manager.email, DEFAULT_PASSWORD)

        photo = testdata / "img-exif-samples" / "gps" / "DSCN0010.jpg"
        content = photo.read_bytes()
        uploaded = session.post(
            f"{url}/api/v1/assessments/{assessment.pk}/evidence/",
            data={"title": "Patrol photo", "sensitivity": "reviewers"},
            files={"file": (photo.name, content, "image/jpeg")},
            timeout=30,
        )
        assert uploaded.status_code == 201, uploaded.text[:500]
        item = EvidenceItem.objects.get(pk=uploaded.json()["id"])

        # the worker, on the other machine, reads the file from the bucket and processes it
        deadline = time.monotonic() + 90
        while item.processing_status in ("pending", "processing") and time.monotonic() < deadline:
            time.sleep(0.5)
            item.refresh_from_db()
        if backend == "local":
            # what breaks on one host's disk: the worker never sees the web server's file
            assert item.processing_status == "failed", item.processing_status
            assert files_under(web_disk / "media-private") and not files_under(worker_disk / "media-private")
            return
        assert item.processing_status == "ready", (
            f"{item.processing_status}: {item.processing_error}\n{(tmp_path / 'worker.log').read_text()[-3000:]}"
        )
        assert item.sha256 == hashlib.sha256(content).hexdigest()

        # the web server serves it back from the bucket
        downloaded = session.get(f"{url}/assessments/evidence/{item.pk}/file/", timeout=30)
        assert downloaded.status_code == 200 and downloaded.content == content
        stored = s3.get_object(Bucket=BUCKET, Key=item.file.name)["Body"].read()
        assert stored == content
        # and neither machine's own disk holds the evidence
        for disk in (web_disk, worker_disk):
            kept = [p for p in files_under(disk) if p.read_bytes() == content]
            assert not kept, f"evidence written to one host's disk: {kept}"
    finally:
        for proc in procs:
            proc.terminate()
        for proc in procs:
            try:
                proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                proc.kill()
