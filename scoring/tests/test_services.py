"""Scores stored as snapshots of the real Standard, from ratings saved through the real services."""

import time

import pytest
from django.core.cache import cache
from django.utils import translation

from scoring import selectors, services
from scoring.choices import ScoreKind
from scoring.models import ScoreSnapshot

from .fixtures import group_find, into_review, numbers, rate


def test_self_scores_of_the_real_standard(assessment, site_manager):
    # given: 50 indicators; 48 meet, 1.1.1 does not meet, 4.3.2 is not applicable
    all_numbers = numbers(assessment)
    assert len(all_numbers) == 50
    ratings = {n: "meets" for n in all_numbers} | {"1.1.1": "does_not_meet", "4.3.2": "not_applicable"}
    rate(assessment, site_manager, ratings)
    # when
    [snap] = services.rescore(assessment)
    # then: 48 of 49 scored indicators at 1.0 → 97.96 %; 16 of 17 criteria met; not on the list
    assert snap.kind == ScoreKind.SELF
    assert snap.percent == round(100 * 48 / 49, 2)
    assert (snap.criteria_met, snap.criteria_total, snap.met) == (16, 17, False)
    component1 = snap.results["components"][0]
    assert component1["met"] is False
    assert component1["percent"] == round(100 * 12 / 13, 2)  # component 1 has 13 indicators
    # the inputs are exactly the ratings saved, with the rules and the scale
    assert snap.inputs["ratings"]["GLS-V1.1-1.1.1"] == "does_not_meet"
    assert snap.inputs["rules"]["standard_met_when"] == "all_criteria_met"
    assert len(snap.inputs["ratings"]) == 50


def test_unchanged_inputs_store_nothing_and_a_change_stores_a_new_snapshot(assessment, site_manager):
    rate(assessment, site_manager, {"1.1.1": "meets"})
    [first] = services.rescore(assessment)
    assert services.rescore(assessment) == []
    # when the rating changes
    rate(assessment, site_manager, {"1.1.1": "partially_meets"})
    [second] = services.rescore(assessment)
    # then the first is kept as it was
    assert second.inputs_hash != first.inputs_hash
    first.refresh_from_db()
    assert first.inputs["ratings"]["GLS-V1.1-1.1.1"] == "meets"
    assert selectors.latest_snapshot(assessment).pk == second.pk
    assert ScoreSnapshot.objects.filter(assessment=assessment).count() == 2


def test_a_reader_in_another_language_does_not_make_a_new_snapshot(assessment, site_manager):
    # The shipped Standard's rating labels are in French and Spanish too; they were in the inputs, in the
    # reader's language, so each visit to the scores in another language stored a new snapshot.
    rate(assessment, site_manager, {"1.1.1": "meets"})
    [first] = services.rescore(assessment)
    assert (
        assessment.standard.localized_scale("fr")[0]["label"] != assessment.standard.localized_scale("en")[0]["label"]
    )
    for language in ("fr", "es", "en"):
        with translation.override(language):
            assert services.rescore(assessment) == []
            assert services.ensure_current(assessment)[ScoreKind.SELF].pk == first.pk
    assert ScoreSnapshot.objects.filter(assessment=assessment).count() == 1


def test_meeting_every_criterion_puts_the_site_on_the_list(assessment, site_manager):
    rate(assessment, site_manager, {n: "meets" for n in numbers(assessment)})
    [snap] = services.rescore(assessment)
    assert snap.met is True and snap.percent == 100.0 and snap.criteria_met == 17


def test_expert_scores_come_from_the_group_findings(assessment, site_manager, staff, expert):
    # given: the site rates all but two as met; the group disagrees on 2.1.1 too
    into_review(assessment, site_manager=site_manager, staff=staff, expert=expert)
    services.rescore(assessment)
    assert selectors.latest_snapshot(assessment, ScoreKind.EXPERT) is None  # no finding yet
    # when
    group_find(assessment, expert, {"1.1.1": "does_not_meet", "2.1.1": "partially_meets", "1.1.2": "meets"})
    new = services.rescore(assessment)
    # then: only the expert kind is new (the site's ratings did not change)
    assert [s.kind for s in new] == [ScoreKind.EXPERT]
    expert_snap = new[0]
    assert expert_snap.inputs["ratings"] == {
        "GLS-V1.1-1.1.1": "does_not_meet",
        "GLS-V1.1-1.1.2": "meets",
        "GLS-V1.1-2.1.1": "partially_meets",
    }
    # 1.5 of 50 scored (unrated indicators count as 0), 1.1 and 2.1 not met
    assert expert_snap.percent == 3.0
    assert expert_snap.met is False


def test_answer_save_asks_for_a_rescore_after_commit(assessment, site_manager, django_capture_on_commit_callbacks):
    from greenlist.celery import app

    cache.delete(f"scoring:pending:{assessment.pk}")
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        rate(assessment, site_manager, {"1.1.1": "meets"})
    # nothing is asked before the commit
    assert cache.get(f"scoring:pending:{assessment.pk}") is None
    try:
        for callback in callbacks:
            callback()
        assert cache.get(f"scoring:pending:{assessment.pk}") is not None
        # a second save in the burst does not enqueue a second task
        assert services.request_rescore(assessment.pk) is False
    finally:
        app.control.purge()
        cache.delete(f"scoring:pending:{assessment.pk}")


def test_debounce_waits_for_the_quiet_period_then_runs_once(settings):
    settings.SCORING_DEBOUNCE_SECONDS = 3
    settings.SCORING_MAX_WAIT_SECONDS = 60
    key_id = 10**9 + int(time.time() * 1000) % 10**6  # an id no test assessment has
    now = time.time()
    cache.set(f"scoring:requested:{key_id}", now - 1)
    cache.set(f"scoring:pending:{key_id}", now - 1)
    # an edit 1 s ago: wait about 2 s more
    decision = services.debounce_check(key_id, now=now)
    assert not decision.run_now and 1.5 < decision.wait <= 2.0
    # quiet for 3 s: run, and clear the mark so the next edit enqueues afresh
    decision = services.debounce_check(key_id, now=now + 2.5)
    assert decision.run_now
    assert cache.get(f"scoring:pending:{key_id}") is None


def test_a_burst_that_never_stops_is_still_scored_after_the_max_wait(settings):
    settings.SCORING_DEBOUNCE_SECONDS = 3
    settings.SCORING_MAX_WAIT_SECONDS = 10
    key_id = 2 * 10**9 + int(time.time() * 1000) % 10**6
    now = time.time()
    cache.set(f"scoring:pending:{key_id}", now - 11)
    cache.set(f"scoring:requested:{key_id}", now - 0.1)  # still typing
    assert services.debounce_check(key_id, now=now).run_now


def test_unknown_rules_in_a_standard_give_a_clear_error(assessment):
    from core.errors import DomainError

    standard = assessment.standard
    standard.rules = {"criterion_met_when": "most_indicators_met", "standard_met_when": "all_criteria_met"}
    standard.save(update_fields=["rules"])
    with pytest.raises(DomainError) as err:
        services.rescore(assessment)
    assert err.value.code == "scoring_rules_invalid"
    assert "most_indicators_met" in err.value.message
