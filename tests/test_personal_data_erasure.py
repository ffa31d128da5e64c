"""Erasure of a person (issue 20), done means: after it, the person's full name (in its usual written
forms: "First Last", "Last, First", "Last First") and e-mail address (their username) appear in no
text, varchar, JSON or array column of any table, the audit chain verifies, and the certificate of the
site they worked on still verifies on the public page. Separate name words in other text, slugs, keys,
the Standard and protected areas are never rewritten (review H1)."""

from __future__ import annotations

import os

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.db import connection

from accounts.erasure import pseudonym_for
from accounts.models import ApiToken, User
from accounts.personal_data import export_build, export_request
from accounts.services import api_token_create
from accounts.tests.factories import DEFAULT_PASSWORD, Role, make_user
from audit import chain
from audit.models import AuditEvent
from audit.services import audit_record
from core.outbox import queue_email

pytestmark = pytest.mark.django_db(transaction=False)

FIRST, LAST, EMAIL = "Zephyrine", "Quolltrap", "zephyrine.quolltrap@example.org"


@pytest.fixture(autouse=True)
def _forget_concern_rates():
    """The concern form's rate limits live in Redis: each run starts with a clean record."""
    import redis
    from django.conf import settings

    client = redis.Redis.from_url(settings.REDIS_URL)
    for key in client.scan_iter(match="*concern-rate:*", count=500):
        client.delete(key)


def occurrences(needle: str) -> list[str]:
    """Every table.column whose value contains `needle`, over the whole database (information_schema)."""
    hits = []
    with connection.cursor() as cursor:
        cursor.execute(
            """SELECT table_schema, table_name, column_name FROM information_schema.columns
               WHERE table_schema NOT IN ('pg_catalog', 'information_schema')
                 AND data_type IN ('text', 'character varying', 'character', 'json', 'jsonb', 'ARRAY')"""
        )
        for schema, table, column in cursor.fetchall():
            cursor.execute(
                f'SELECT count(*) FROM "{schema}"."{table}" WHERE "{column}"::text ILIKE %s',  # noqa: S608
                ["%" + needle + "%"],
            )
            if cursor.fetchone()[0]:
                hits.append(f"{table}.{column}")
    return hits


def test_an_erased_person_is_nowhere_in_the_database_and_everything_still_verifies(
    client, area, jurisdiction, staff, admin_user, settings, tmp_path, django_capture_on_commit_callbacks
):
    from certification.tests.factories import panel_decide_for_tests
    from certification.tests.helpers import make_recommended
    from concerns.tests.factories import raised
    from evidence.services import evidence_upload
    from standards.tests.factories import load_gls

    settings.PERSONAL_DATA_ROOT = str(tmp_path / "exports")
    load_gls()
    person = make_user(Role.SITE_MANAGER, email=EMAIL, protected_area=area)
    User.objects.filter(pk=person.pk).update(full_name=f"{FIRST} {LAST}")
    person.refresh_from_db()
    reviewer = make_user(Role.IUCN_STAFF, email="revisora@example.org")
    assessment = make_recommended(area=area, site_manager=person, reviewer=reviewer)
    evidence_upload(
        assessment=assessment,
        user=person,
        file=SimpleUploadedFile("nota.txt", b"Informe de campo."),
        title=f"Informe de {FIRST} {LAST}",
        enforce_quota=False,
        answering_question=True,
    )
    certificate = panel_decide_for_tests(
        assessment=assessment, user=staff, outcome="granted", reasons="Cumple.", public_summary="Bien."
    )
    certificate = certificate.certificate
    # Copies of the name and address elsewhere: others' text, the outbox, an invitation, a token's
    # name, a public concern sent under the address, an audit event's data, a login session.
    queue_email(kind="test", to=[EMAIL], subject=f"Hola {FIRST} {LAST}", body=f"Estimada {LAST}, {FIRST}:")
    api_token_create(user=person, name=f"script {LAST} {FIRST}", otp_verified=False)
    audit_record(actor=staff, action="test.note", target=area, data={"said": f"{LAST}, {FIRST} llamó", "to": [EMAIL]})
    raised(area, email=EMAIL.upper(), name=f"{FIRST} {LAST}", text=f"Soy {FIRST} {LAST}; tala ilegal cerca.")
    from django_otp.plugins.otp_totp.models import TOTPDevice

    TOTPDevice.objects.create(user=person, name=f"{FIRST}'s phone", confirmed=True)
    export = export_build(export_request(user=person).pk)
    assert export.status == "ready"
    assert client.login(username=EMAIL, password=DEFAULT_PASSWORD)
    assert occurrences(f"{FIRST} {LAST}"), "the world holds the name before the erasure"
    before = chain.verify()
    assert before.ok and before.checked > 50

    zip_path = export.file.path
    with django_capture_on_commit_callbacks(execute=True):
        call_command("erase_person", EMAIL, "--by", admin_user.email, "--yes")

    for needle in (f"{FIRST} {LAST}", f"{LAST}, {FIRST}", f"{LAST} {FIRST}", EMAIL):
        assert occurrences(needle) == [], needle
    assert not os.path.exists(zip_path)  # the zip made before the erasure is gone once it committed
    person.refresh_from_db()
    pseudonym = pseudonym_for(person.pk)
    assert person.full_name == pseudonym and not person.is_active and not person.has_usable_password()
    assert not ApiToken.objects.filter(user=person, revoked_at__isnull=True).exists()
    assert not TOTPDevice.objects.filter(user=person).exists()
    assert client.get("/accounts/tokens/").status_code == 302  # the session is gone
    # The audit chain verifies; the erasure is audited with the pseudonym, never the name.
    after = chain.verify()
    assert after.ok, after.problems
    assert after.redacted >= 3
    erasure = AuditEvent.objects.get(action=chain.ERASURE_ACTION)
    assert erasure.actor == admin_user and erasure.data["pseudonym"] == pseudonym
    assert set(erasure.data["redacted_events"]) == set(
        AuditEvent.objects.filter(redacted_by_event=erasure.pk).values_list("pk", flat=True)
    )
    assert AuditEvent.objects.filter(target_repr__contains=pseudonym).exists()
    # Certificates and decisions stay valid: the public page still verifies the certificate.
    page = client.get(f"/verify/{certificate.number}/").content.decode()
    assert 'data-verdict="valid"' in page
    # A row changed behind the chain's back is found; so is a redaction no erasure names.
    with connection.cursor() as cursor:
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        cursor.execute("ALTER TABLE audit_auditevent DISABLE TRIGGER audit_event_no_update")
        cursor.execute("UPDATE audit_auditevent SET data = '{\"x\": 1}' WHERE id = %s", [before_id(erasure)])
        cursor.execute("UPDATE audit_auditevent SET redacted_by_event = 1 WHERE id = %s", [erasure.pk])
        cursor.execute("ALTER TABLE audit_auditevent ENABLE TRIGGER audit_event_no_update")
    problems = " ".join(chain.verify().problems)
    assert "content does not match" in problems and "redacted without an erasure" in problems


def before_id(erasure: AuditEvent) -> int:
    return AuditEvent.objects.filter(redacted_by_event__isnull=True).exclude(pk=erasure.pk).order_by("seq")[0].pk


def test_the_trigger_still_refuses_any_other_rewrite(staff, area):
    from django.db import DatabaseError, transaction

    event = audit_record(actor=staff, action="test.touched", target=area)
    chain.seal()
    for sql in [
        "UPDATE audit_auditevent SET target_repr = 'x', content_salt = '' WHERE id = %s",  # redaction without erasure
        "UPDATE audit_auditevent SET chain_hash = 'x' WHERE id = %s",  # re-sealing
        "UPDATE audit_auditevent SET action = 'x', redacted_by_event = 1, content_salt = '' WHERE id = %s",
    ]:
        with pytest.raises(DatabaseError, match="append-only"), transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(sql, [event.pk])


def test_erasing_rosa_sierra_green_renames_no_site_slug_or_green_list(staff, admin_user):
    """Review H1: name words are ordinary words and place names. Only the person's own fields and
    texts quoting their full name (or e-mail) are rewritten; JSON keys are never rewritten."""
    from accounts.erasure import erase_person
    from core.models import OutgoingEmail
    from protected_areas.tests.factories import ProtectedAreaFactory

    park = ProtectedAreaFactory(
        key="sierra-de-neiba", name="Sierra de Neiba National Park", designation="Parque Nacional Sierra"
    )
    person = make_user(Role.SITE_MANAGER, email="rosa.green@example.org", protected_area=park)
    User.objects.filter(pk=person.pk).update(full_name="Rosa Sierra Green")
    person.refresh_from_db()
    general = queue_email(
        kind="test", to=["otra@example.org"], subject="IUCN Green List", body="Sierra de Neiba: /sierra-de-neiba/"
    )
    quoting = queue_email(kind="test", to=["otra@example.org"], subject="Nota", body="Firmado: Green, Rosa Sierra.")
    about_park = audit_record(actor=staff, action="test.note", target=park, data={"Green": "IUCN Green List"})
    about_rosa = audit_record(actor=staff, action="test.note", target=park, data={"Green": "Rosa  Sierra Green"})

    erasure = erase_person(person=person, by=admin_user)

    park.refresh_from_db()
    assert (park.key, park.name, park.designation) == (
        "sierra-de-neiba",
        "Sierra de Neiba National Park",
        "Parque Nacional Sierra",
    )
    general = OutgoingEmail.objects.get(pk=general.pk)
    assert (general.subject, general.body) == ("IUCN Green List", "Sierra de Neiba: /sierra-de-neiba/")
    assert OutgoingEmail.objects.get(pk=quoting.pk).body == f"Firmado: {erasure.pseudonym}."
    person.refresh_from_db()
    assert person.full_name == erasure.pseudonym and person.email.endswith("@erased.invalid")
    # Audit rows: only the one quoting the full name is redacted, and its JSON key stays.
    redacted = set(AuditEvent.objects.filter(redacted_by_event=erasure.event_id).values_list("pk", flat=True))
    assert about_rosa.pk in redacted and about_park.pk not in redacted
    assert AuditEvent.objects.get(pk=about_rosa.pk).data == {"Green": erasure.pseudonym}
    assert AuditEvent.objects.get(pk=about_park.pk).data == {"Green": "IUCN Green List"}
    assert chain.verify().ok


def test_a_failed_erasure_keeps_the_export_zip(admin_user, area, settings, tmp_path, monkeypatch):
    """Review L1: the zip is deleted only once the erasure has committed; a rollback keeps it."""
    from django.db import IntegrityError

    from accounts import erasure

    settings.PERSONAL_DATA_ROOT = str(tmp_path / "exports")
    person = make_user(Role.SITE_MANAGER, email="lote@example.org", protected_area=area)
    export = export_build(export_request(user=person).pk)
    zip_path = export.file.path

    def fails(*args, **kwargs):
        raise IntegrityError("a later step failed")

    monkeypatch.setattr(erasure, "rewrite_everywhere", fails)
    with pytest.raises(IntegrityError):
        erasure.erase_person(person=person, by=admin_user)
    export.refresh_from_db()
    assert os.path.exists(zip_path) and export.file.name
