"""Evidence counts by processing status (issue 19): kept by triggers on the items' table, so the
staff dashboard reads them without counting a million rows, and they are right the moment a
change commits, whichever way the items were written."""

import pytest
from django.db import connection, transaction

from evidence.models import EvidenceItem, EvidenceStatusCount
from evidence.selectors import evidence_counts
from evidence.tests.test_evidence_links import assessment, make_items  # noqa: F401 - a fixture
from reports.selectors import staff_dashboard


def counted() -> dict[str, int]:
    """What counting the rows says (what the dashboard did before)."""
    items = EvidenceItem.objects
    return {
        "total": items.count(),
        "pending": items.filter(processing_status__in=["pending", "processing"]).count(),
        "failed": items.filter(processing_status="failed").count(),
    }


@pytest.mark.django_db
def test_counts_follow_every_kind_of_write(assessment, site_manager):  # noqa: F811
    # given items made one by one and in bulk, in several statuses
    make_items(assessment, site_manager, 3, processing_status="pending")
    make_items(assessment, site_manager, 2, prefix="Bad", processing_status="failed")
    single = EvidenceItem.objects.create(
        assessment=assessment, title="One", file="x/one.pdf", original_filename="one.pdf", size=1,
        uploaded_by=site_manager, processing_status="processing",
    )  # fmt: skip
    assert evidence_counts() == counted() == {"total": 6, "pending": 4, "failed": 2}

    # when a queryset update moves some on, a save moves one, and a delete removes some
    EvidenceItem.objects.filter(title__startswith="Doc").update(processing_status="ready")
    single.processing_status = "failed"
    single.save()
    EvidenceItem.objects.filter(title="Bad 0").delete()
    # and raw SQL writes one (a restore, a script)
    with connection.cursor() as cursor:
        cursor.execute("UPDATE evidence_evidenceitem SET processing_status = 'pending' WHERE title = 'Bad 1'")

    # then the kept counts are what counting says, and the dashboard shows them
    assert evidence_counts() == counted() == {"total": 5, "pending": 1, "failed": 1}
    assert staff_dashboard()["evidence"] == counted()


@pytest.mark.django_db
def test_a_rolled_back_write_leaves_the_counts(assessment, site_manager):  # noqa: F811
    make_items(assessment, site_manager, 2)
    with pytest.raises(RuntimeError), transaction.atomic():
        make_items(assessment, site_manager, 5, prefix="Gone")
        raise RuntimeError
    assert evidence_counts() == counted() == {"total": 2, "pending": 2, "failed": 0}


@pytest.mark.django_db
def test_an_update_that_moves_no_status_writes_no_count(assessment, site_manager):  # noqa: F811
    make_items(assessment, site_manager, 2)
    before = list(EvidenceStatusCount.objects.order_by("status", "slot").values_list("status", "slot", "items"))
    EvidenceItem.objects.update(title="Renamed")
    after = list(EvidenceStatusCount.objects.order_by("status", "slot").values_list("status", "slot", "items"))
    assert before == after


@pytest.mark.django_db(transaction=True)
def test_truncating_the_items_clears_the_counts(assessment, site_manager):  # noqa: F811
    make_items(assessment, site_manager, 2)
    with connection.cursor() as cursor:
        cursor.execute("TRUNCATE evidence_evidenceitem CASCADE")
    assert evidence_counts() == {"total": 0, "pending": 0, "failed": 0}
