"""The staff dashboard's words and numbers in the reader's language, from a review on a phone in
French and Spanish: countries by name (not "VNM"), "No jurisdiction" translated, "(1 decision)" in
the singular, and a real 0 shown as 0 (not "—", which means "no decision at all")."""

import json
import re

import pytest


def _dashboard(client, user, language):
    client.force_login(user)
    html = client.get("/reports/dashboard/", HTTP_ACCEPT_LANGUAGE=language).content.decode()
    data = re.search(r'<script id="dashboard-charts" type="application/json">(.*?)</script>', html).group(1)
    charts = json.loads(data)
    return html, charts


def _table(html, table_id):
    """The table's text, tags dropped and spaces folded."""
    table = re.search(rf'<table[^>]*id="{table_id}".*?</table>', html, re.S).group(0)
    return " ".join(re.sub(r"<[^>]+>", " ", table).replace("\xa0", " ").replace("\u202f", " ").split())


def _decided_within_the_hour(assessment, staff):
    """A decision an hour after the first submission: 0.04 days, rounded to 0.0."""
    import datetime

    from assessments.models import AssessmentTransition
    from certification.models import Decision

    decision = Decision.objects.create(
        assessment=assessment, outcome="granted", reasons="Test.", decided_by=staff, recommendation="recommended"
    )
    submitted = AssessmentTransition.objects.create(
        assessment=assessment, from_status="candidate", to_status="submitted", by=staff
    )
    AssessmentTransition.objects.filter(pk=submitted.pk).update(at=decision.decided_at - datetime.timedelta(hours=1))


@pytest.mark.parametrize(("language", "names"), [("fr", ["Viêt Nam", "Laos"]), ("es", ["Vietnam", "Laos"])])
def test_countries_are_named_in_the_readers_language_in_the_chart_and_the_table(
    client, staff, assessment, other_area, language, names
):
    # given sites in Viet Nam and in Laos
    from assessments.models import Assessment

    Assessment.objects.create(
        protected_area=other_area, cycle=1, year=2026, standard=assessment.standard, created_by=staff
    )
    # when staff read the dashboard
    html, charts = _dashboard(client, staff, language)
    # then the chart's labels and the table name both countries in the reader's language, no code
    assert sorted(charts["portfolio"]["countries"]["labels"]) == sorted(names)
    table = _table(html, "country-table")
    assert all(name in table for name in names), table
    assert "VNM" not in table and "LAO" not in table


def test_no_jurisdiction_is_in_the_readers_language(client, staff, assessment):
    # given a site in no jurisdiction
    # when staff read the dashboard in French, then in English
    french, charts = _dashboard(client, staff, "fr")
    english, _ = _dashboard(client, staff, "en")
    # then the row and the chart's data say so in each language
    assert "Aucune juridiction 1" in _table(french, "jurisdiction-table")
    assert charts["portfolio"]["jurisdictions"]["labels"] == ["Aucune juridiction"]
    assert "No jurisdiction 1" in _table(english, "jurisdiction-table")


@pytest.mark.parametrize(
    "language, caption",
    [("en", "Submission → decision (1 decision)"), ("fr", "Soumission → décision (1 décision)")],
)
def test_one_decision_is_said_in_the_singular(client, staff, assessment, language, caption):
    # given one decision
    _decided_within_the_hour(assessment, staff)
    # when staff read the dashboard
    html, _ = _dashboard(client, staff, language)
    # then the caption counts it in the singular ("(1 décisions)" before)
    assert caption in _table(html, "throughput-table")


def test_a_decision_made_the_same_day_shows_0_days_not_a_dash(client, staff, assessment):
    # given one decision made within the hour of the submission (0.0 days)
    _decided_within_the_hour(assessment, staff)
    # when staff read the dashboard
    html, _ = _dashboard(client, staff, "en")
    # then its mean and longest time are 0, not "—" (kept for no decision at all)
    assert "mean / longest 0.0 / 0.0" in _table(html, "throughput-table")


def test_no_decision_at_all_shows_a_dash(client, staff, assessment):
    html, _ = _dashboard(client, staff, "en")
    assert "mean / longest — / —" in _table(html, "throughput-table")
    assert "(0 decisions)" in _table(html, "throughput-table")


def test_the_jurisdictions_page_names_its_countries(client, staff, jurisdiction):
    # given a jurisdiction over Viet Nam and Laos
    jurisdiction.countries = ["VNM", "LAO"]
    jurisdiction.save(update_fields=["countries"])
    client.force_login(staff)
    # when staff read its page in French
    html = client.get(f"/standard/jurisdictions/{jurisdiction.pk}/", HTTP_ACCEPT_LANGUAGE="fr").content.decode()
    # then its countries are named, in French
    facts = re.search(r'<dl class="onboarding-facts">.*?</dl>', html, re.S).group(0)
    assert "Viêt Nam, Laos" in facts and "VNM" not in facts, facts
