"""Issue 13 moved `evidence_processing` into `evidence`: existing databases keep their tables and
rows, fresh ones get the same tables, the assessment page still gets its evidence section, and
messages queued under the old task names are still run."""

import importlib

import pytest
from django.apps import apps as global_apps
from django.core.exceptions import ImproperlyConfigured
from django.db import connection
from django.db.migrations.state import ProjectState

from evidence.models import DuplicateLink, EvidenceFacts, EvidenceItem
from evidence.tests.conftest import wait_for

MIGRATION = importlib.import_module("evidence.migrations.0003_facts_and_duplicates_from_evidence_processing")


def test_a_fresh_database_has_the_tables_under_their_old_names(db):
    tables = connection.introspection.table_names()
    assert EvidenceFacts._meta.db_table == "evidence_processing_evidencefacts"
    assert DuplicateLink._meta.db_table == "evidence_processing_duplicatelink"
    assert {"evidence_processing_evidencefacts", "evidence_processing_duplicatelink"} <= set(tables)


@pytest.mark.django_db
def test_the_move_keeps_an_existing_table_and_its_rows(arezzo_assessment, arezzo_team, upload):
    # given a database where evidence_processing made the table and wrote a row (this one's table
    # is that table: same name)
    item = upload(arezzo_assessment, arezzo_team, b"some text", name="notes.txt")
    EvidenceFacts.objects.create(item=item, kind="text", text="kept", duplicate="")
    operation = next(op for op in MIGRATION.Migration.operations if getattr(op, "name", "") == "EvidenceFacts")
    state = ProjectState.from_apps(global_apps)
    state.remove_model("evidence", "evidencefacts")
    to_state = state.clone()
    operation.state_forwards("evidence", to_state)
    # when the migration's operation runs on it
    with connection.schema_editor() as editor:
        operation.database_forwards("evidence", editor, state, to_state)
    # then the table is left as it was, row included (a CREATE TABLE would have failed)
    assert EvidenceFacts.objects.get(pk=item.pk).text == "kept"
    assert operation.describe().endswith("unless its table exists")


@pytest.mark.django_db
def test_the_move_creates_a_missing_table(arezzo_assessment, arezzo_team, upload):
    # given a database without the duplicates table (a fresh one, where the old app never ran)
    operation = next(op for op in MIGRATION.Migration.operations if getattr(op, "name", "") == "DuplicateLink")
    state = ProjectState.from_apps(global_apps)
    state.remove_model("evidence", "duplicatelink")
    to_state = state.clone()
    operation.state_forwards("evidence", to_state)
    with connection.schema_editor() as editor:
        editor.delete_model(DuplicateLink)
    assert "evidence_processing_duplicatelink" not in connection.introspection.table_names()
    # when the operation runs, then the table is there again and works
    with connection.schema_editor() as editor:
        operation.database_forwards("evidence", editor, state, to_state)
    assert "evidence_processing_duplicatelink" in connection.introspection.table_names()
    a = upload(arezzo_assessment, arezzo_team, b"one", name="a.txt")
    b = upload(arezzo_assessment, arezzo_team, b"two", name="b.txt")
    DuplicateLink.objects.create(item=a, duplicate_of=b, same_site=True)
    assert DuplicateLink.objects.get(item=a).duplicate_of == b


@pytest.mark.django_db
def test_content_types_follow_the_models():
    from django.contrib.auth.models import Permission
    from django.contrib.contenttypes.models import ContentType

    # given the content type rows an old database has (the app label of before)
    ContentType.objects.filter(app_label="evidence", model__in=MIGRATION.MOVED).delete()
    old = ContentType.objects.create(app_label="evidence_processing", model="evidencefacts")
    permission = Permission.objects.create(content_type=old, codename="view_evidencefacts_old", name="x")
    # when the migration renames them
    MIGRATION.rename_content_types(global_apps, None)
    ContentType.objects.clear_cache()
    # then the same row (same id: permissions and audit rows still point at it) names the new app
    old.refresh_from_db()
    assert old.app_label == "evidence" and ContentType.objects.get_for_model(EvidenceFacts).pk == old.pk
    assert Permission.objects.get(pk=permission.pk).content_type_id == old.pk


def test_the_assessment_page_needs_its_evidence_provider(monkeypatch):
    from assessments import sections

    monkeypatch.setattr(sections, "_evidence_reader", None)
    with pytest.raises(ImproperlyConfigured, match="evidence"):
        sections.evidence_section(None, None, [])


def test_the_evidence_app_provides_the_section():
    from assessments import sections
    from evidence.sections import assessment_evidence_section

    assert sections._evidence_reader is assessment_evidence_section


# --- drain-safe task names ---------------------------------------------------------------------


def test_the_old_task_names_are_still_registered():
    from greenlist.celery import app

    app.loader.import_default_modules()
    for name in ("process_evidence_item", "process_evidence_batch", "sweep_stuck_evidence"):
        assert f"evidence.tasks.{name}" in app.tasks
        assert f"evidence_processing.tasks.{name}" in app.tasks


@pytest.mark.worker
@pytest.mark.django_db(transaction=True)
def test_a_message_queued_under_the_old_name_is_processed(request, arezzo_assessment, arezzo_team, upload, testdata):
    from greenlist.celery import app

    # given an item whose upload's own message is lost (no worker yet: the worker's start purges
    # the queue), and a worker of the new code
    item = upload(arezzo_assessment, arezzo_team, testdata / "img-exif-samples/gps/DSCN0040.jpg")
    celery_worker_process = request.getfixturevalue("celery_worker_process")
    assert EvidenceItem.objects.get(pk=item.pk).processing_status == "pending"
    # when a message queued by the release before, under the old app's name, reaches the worker
    app.send_task("evidence_processing.tasks.process_evidence_item", args=[item.pk])
    # then the worker runs it: the item is processed
    wait_for(lambda: EvidenceItem.objects.filter(pk=item.pk, processing_status="ready").exists(), timeout=90)
    assert EvidenceFacts.objects.get(pk=item.pk).location_check == "inside"
    assert "evidence_processing.tasks.process_evidence_item" in celery_worker_process.log_path.read_text()
