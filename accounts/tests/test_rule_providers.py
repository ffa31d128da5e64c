"""The two rules that read rows of apps above accounts get them from providers the owning apps
register at start-up (docs/architecture.md). A provider that is missing must fail loudly: a rule
that quietly answered "no seat" or "never reviewed" would let a reviewer decide on their own review."""

import pytest
from django.core.exceptions import ImproperlyConfigured

from accounts import rules


def test_reviews_and_certification_provide_what_the_rules_read():
    # given Django has started, then both providers are registered by their owners
    assert set(rules._providers) == set(rules.PROVIDERS) == {"review_seat_rows", "assessment_reviewer_ids"}
    assert rules._providers["review_seat_rows"].__module__.startswith("reviews.")
    assert rules._providers["assessment_reviewer_ids"].__module__.startswith("certification.")


def test_a_missing_provider_fails_loudly(monkeypatch):
    # given no provider of who reviewed an assessment
    monkeypatch.delitem(rules._providers, "assessment_reviewer_ids")
    # when a rule needs it, then it refuses to answer rather than guess
    with pytest.raises(ImproperlyConfigured, match="certification"):
        rules._provider("assessment_reviewer_ids")


def test_an_unknown_provider_is_refused():
    with pytest.raises(ImproperlyConfigured, match="no provider named"):
        rules.provide("anything_else", lambda: None)
