"""Scores follow ratings through `assessments.signals.ratings_changed` (assessments and reviews sit
below scoring and do not import it: docs/architecture.md). Both senders must still ask for a
debounced re-scoring, after the commit and not before."""

import pytest
from django.core.cache import cache

from assessments.signals import ratings_changed

from .fixtures import group_find, into_review

pytestmark = pytest.mark.django_db


def test_scoring_listens_to_changed_ratings():
    # given the apps are loaded, when asked who listens, then scoring's re-scoring is connected
    assert ratings_changed.has_listeners()


def test_a_group_finding_asks_for_a_rescore_after_commit(
    assessment, site_manager, staff, expert, django_capture_on_commit_callbacks
):
    from greenlist.celery import app

    into_review(assessment, site_manager=site_manager, staff=staff, expert=expert)
    cache.delete(f"scoring:pending:{assessment.pk}")
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        group_find(assessment, expert, {"1.1.1": "does_not_meet"})
    # nothing is asked before the commit
    assert cache.get(f"scoring:pending:{assessment.pk}") is None
    try:
        for callback in callbacks:
            callback()
        assert cache.get(f"scoring:pending:{assessment.pk}") is not None
    finally:
        app.control.purge()
        cache.delete(f"scoring:pending:{assessment.pk}")
