"""Debounced re-scoring with a real Celery worker on Redis: a burst of saves gives one computation."""

import time

import pytest

from scoring.models import ScoreSnapshot

from .fixtures import rate

pytestmark = pytest.mark.worker


@pytest.fixture
def live_assessment(transactional_db, site_manager, staff, area):
    from assessments.services import assessment_create
    from assessments.workflow import transition
    from eligibility.tests.factories import make_eligible
    from standards.tests.factories import load_gls

    load_gls()
    a = assessment_create(protected_area=area, user=site_manager, year=2026)
    make_eligible(a, staff=staff)
    transition(a, "candidate", by=staff, note="eligible")
    return a


def wait_for(predicate, timeout):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.2)
    return False


def test_ten_rapid_saves_give_one_snapshot_with_the_last_rating(live_assessment, site_manager, celery_worker_process):
    from django.conf import settings

    # when: ten saves of the same indicator within about a second (each its own transaction)
    ratings = ["does_not_meet", "partially_meets"] * 4 + ["partially_meets", "meets"]
    for rating in ratings:
        rate(live_assessment, site_manager, {"1.1.1": rating})
    # then: one snapshot appears once the edits have been quiet for the debounce period
    snapshots = ScoreSnapshot.objects.filter(assessment=live_assessment)
    assert wait_for(snapshots.exists, timeout=settings.SCORING_DEBOUNCE_SECONDS + 20), (
        celery_worker_process.log_path.read_text()
    )
    time.sleep(settings.SCORING_DEBOUNCE_SECONDS + 2)  # and no second one follows
    assert snapshots.count() == 1
    snap = snapshots.get()
    assert snap.inputs["ratings"]["GLS-V1.1-1.1.1"] == "meets"
    assert snap.kind == "self"
    # when: a later, separate edit
    rate(live_assessment, site_manager, {"1.1.2": "meets"})
    assert wait_for(lambda: snapshots.count() == 2, timeout=settings.SCORING_DEBOUNCE_SECONDS + 20)
    assert snapshots.order_by("-computed_at").first().inputs["ratings"]["GLS-V1.1-1.1.2"] == "meets"
