"""Moving a running assessment to a corrected version of the Standard (issue 14): answers follow the
indicator's lineage; what cannot follow is archived, never lost; submitted assessments never move.

Two small hand-written versions of "GLS" (standards.content.create_version), with explicit lineages:

    version 8.0                         version 8.1
    1.1.1 Boundaries      (L-a)  ──→    1.1.1 Boundaries      (L-a)   same words: carried
    1.1.2 Registered      (L-b)  ──→    —                             meaning gone: dropped
    1.1.3 Plan            (L-c)  ──→    1.1.2 Plan            (L-c)   renumbered: carried
    —                                   1.1.3 Stakeholders    (L-e)   new: needs an answer
    1.2.1 Reviewed        (L-d)  ──→    1.2.1 Reviewed        (L-d)   reworded: carried, check it
    —                                   1.2.2 Registered (new meaning, L-b2): needs an answer
"""

from __future__ import annotations

import copy
import datetime

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from assessments import version_move
from assessments.models import Answer, ArchivedAnswer, Assessment, AssessmentVersionMove
from assessments.services import AnswerConflict, answer_save, assessment_create
from assessments.tests.helpers import fill_all
from assessments.workflow import transition
from audit.models import AuditEvent
from core.errors import Conflict, DomainError, NotAllowed
from eligibility.tests.factories import make_eligible
from reviews.tests.factories import PNG, RATING_SCALE
from standards.content import create_version, normalise, validate
from standards.models import Standard


def _indicator(number, lineage, title, text):
    return {"number": number, "lineage": lineage, "title": title, "text": text, "wording": "paraphrase"}


def _content(version, criteria):
    data = {
        "standard": {"code": "GLS", "version": version, "title": f"Test Standard {version}"},
        "rules": {},
        "rating_scale": copy.deepcopy(RATING_SCALE),
        "components": [{"number": "1", "title": "Good governance", "criteria": criteria}],
    }
    data = normalise(data)
    assert validate(data) == []
    return data


V80 = [
    {
        "number": "1.1",
        "title": "Legitimacy",
        "indicators": [
            _indicator("1.1.1", "L-a", "Boundaries", "The boundaries are legally defined."),
            _indicator("1.1.2", "L-b", "Registered", "The site is registered nationally."),
            _indicator("1.1.3", "L-c", "Plan", "A management plan is in force."),
        ],
    },
    {
        "number": "1.2",
        "title": "Transparency",
        "indicators": [_indicator("1.2.1", "L-d", "Reviewed", "Decisions are reviewed yearly.")],
    },
]
V81 = [
    {
        "number": "1.1",
        "title": "Legitimacy",
        "indicators": [
            _indicator("1.1.1", "L-a", "Boundaries", "The boundaries are legally defined."),
            _indicator("1.1.2", "L-c", "Plan", "A management plan is in force."),
            {
                **_indicator("1.1.3", "L-e", "Stakeholders", "Stakeholders are identified."),
                "translations": {"fr": {"title": "Parties prenantes"}},
            },
        ],
    },
    {
        "number": "1.2",
        "title": "Transparency",
        "indicators": [
            _indicator("1.2.1", "L-d", "Reviewed", "Decisions and their reasons are reviewed every year."),
            _indicator("1.2.2", "L-b2", "Registered", "The site is registered in the WDPA with a category."),
        ],
    },
]
EXPECTED = [
    # (number_from, number_to, lineage, outcome)
    ("1.1.1", "1.1.1", "L-a", "carried"),
    ("1.1.3", "1.1.2", "L-c", "carried"),
    (None, "1.1.3", "L-e", "needs_answer"),
    ("1.2.1", "1.2.1", "L-d", "carried_reworded"),
    (None, "1.2.2", "L-b2", "needs_answer"),
    ("1.1.2", None, "L-b", "dropped"),
]


@pytest.fixture
def v80(db):
    return create_version(_content("8.0", V80))


@pytest.fixture
def running(v80, area, site_manager, staff):
    """A candidate assessment on 8.0, every answer filled in, evidence on L-a and L-b, and an action on L-b."""
    from evidence.services import evidence_upload

    assessment = assessment_create(protected_area=area, user=site_manager, year=2026)
    assert assessment.standard == v80
    make_eligible(assessment, staff=staff)
    transition(assessment, "candidate", by=staff)
    for answer in _answers(assessment).values():
        changes = {"rating": "meets", "justification": f"Why {answer.indicator.lineage} is met."}
        if answer.indicator.lineage == "L-b":
            changes.update(
                rating="partially_meets",
                action_text="Register with the ministry.",
                action_owner="Director",
                action_due=datetime.date(2030, 1, 1),
                evidence_date=datetime.date(2025, 5, 1),
            )
        answer_save(answer=answer, user=site_manager, expected_version=answer.version, changes=changes)
    for lineage in ("L-a", "L-b"):
        evidence_upload(
            assessment=assessment,
            user=site_manager,
            file=SimpleUploadedFile(f"{lineage}.png", PNG, content_type="image/png"),
            title=f"Photo for {lineage}",
            indicators=[_answers(assessment)[lineage].indicator],
        )
    return Assessment.objects.get(pk=assessment.pk)


@pytest.fixture
def v81(running):
    # Published after the assessment started: the corrected version.
    return create_version(_content("8.1", V81))


def _answers(assessment) -> dict[str, Answer]:
    return {
        a.indicator.lineage: a
        for a in Answer.objects.filter(assessment=assessment).select_related("indicator").prefetch_related("evidence")
    }


def _shape(lines):
    return [(line["number_from"], line["number_to"], line["lineage"], line["outcome"]) for line in lines]


def test_move_carries_kept_answers_news_empty_and_archives_dropped(running, v80, v81, staff):
    # given
    before = _answers(running)
    evidence_a = sorted(i.pk for i in before["L-a"].evidence.all())
    evidence_b = sorted(i.pk for i in before["L-b"].evidence.all())
    assert evidence_a and evidence_b
    # when
    move = version_move.version_move(running, v81, by=staff)
    # then
    running.refresh_from_db()
    assert running.standard == v81
    after = _answers(running)
    assert set(after) == {"L-a", "L-c", "L-e", "L-d", "L-b2"}
    for lineage in ("L-a", "L-c", "L-d"):
        # the same row, re-pointed: id, words, evidence kept; the indicator is the new version's
        assert after[lineage].pk == before[lineage].pk
        assert after[lineage].indicator.standard_id == v81.pk
        assert after[lineage].rating == "meets"
        assert after[lineage].justification == f"Why {lineage} is met."
        assert after[lineage].version == before[lineage].version + 1
    assert after["L-c"].indicator.number == "1.1.2"
    assert sorted(i.pk for i in after["L-a"].evidence.all()) == evidence_a
    for lineage in ("L-e", "L-b2"):
        assert after[lineage].rating == "" and after[lineage].justification == ""
        assert not after[lineage].evidence.exists()
    # the dropped answer: archived whole, the live row gone
    assert not Answer.objects.filter(pk=before["L-b"].pk).exists()
    archived = ArchivedAnswer.objects.get(move=move)
    assert archived.assessment == running
    assert archived.answer_id == before["L-b"].pk
    assert archived.indicator == before["L-b"].indicator
    assert (archived.number, archived.title) == ("1.1.2", "Registered")
    assert archived.rating == "partially_meets"
    assert archived.justification == "Why L-b is met."
    assert archived.action_text == "Register with the ministry."
    assert archived.action_owner == "Director"
    assert archived.action_due == datetime.date(2030, 1, 1)
    assert archived.evidence_date == datetime.date(2025, 5, 1)
    assert archived.evidence_ids == evidence_b
    assert archived.version == before["L-b"].version
    assert archived.updated_by == before["L-b"].updated_by
    # the report, indicator by indicator, with every answer to look at linked
    assert _shape(move.report) == EXPECTED
    assert move.counts == {"carried": 2, "carried_reworded": 1, "needs_answer": 2, "dropped": 1}
    by_lineage = {line["lineage"]: line["answer"] for line in move.report}
    assert by_lineage == {lineage: answer.pk for lineage, answer in after.items()} | {"L-b": before["L-b"].pk}
    assert (move.from_standard, move.to_standard, move.by) == (v80, v81, staff)
    event = AuditEvent.objects.get(action="assessment.version_moved", target_id=str(running.pk))
    assert event.data["move"] == move.pk and event.data["archived"] == [before["L-b"].pk]
    assert event.data["needs_answer"] == 2


def test_preview_is_the_report_and_writes_nothing(running, v81):
    answers_before = sorted(Answer.objects.filter(assessment=running).values_list("pk", "indicator_id", "version"))
    plan = version_move.version_move_preview(running, v81)
    assert _shape(plan.lines) == EXPECTED
    assert plan.counts["needs_answer"] == 2
    running.refresh_from_db()
    assert running.standard.version == "8.0"
    assert (
        sorted(Answer.objects.filter(assessment=running).values_list("pk", "indicator_id", "version")) == answers_before
    )
    assert not AssessmentVersionMove.objects.exists() and not ArchivedAnswer.objects.exists()


def test_a_page_loaded_before_the_move_gets_a_conflict_not_a_silent_save(running, v81, staff, site_manager):
    stale = _answers(running)["L-d"]
    version_move.version_move(running, v81, by=staff)
    with pytest.raises(AnswerConflict):
        answer_save(answer=stale, user=site_manager, expected_version=stale.version, changes={"rating": ""})


def test_submitted_assessment_keeps_its_version(running, v81, staff, site_manager):
    # given: the new indicators answered too, then submitted and sent back (changes requested)
    fill_all(running, site_manager, action_text="x", action_owner="y", action_due=datetime.date(2030, 1, 1))
    transition(running, "submitted", by=site_manager)
    # when / then
    with pytest.raises(Conflict) as refused:
        version_move.version_move(running, v81, by=staff)
    assert refused.value.code == "assessment_submitted_keeps_version"
    with pytest.raises(Conflict):
        version_move.version_move_preview(running, v81)
    Assessment.objects.filter(pk=running.pk).update(status="changes_requested")  # back with the team
    running.refresh_from_db()
    with pytest.raises(Conflict) as again:
        version_move.version_move(running, v81, by=staff)
    assert again.value.code == "assessment_submitted_keeps_version"
    running.refresh_from_db()
    assert running.standard.version == "8.0"
    assert not AssessmentVersionMove.objects.exists()


def test_target_must_be_another_published_version_of_the_same_standard(running, v81, staff):
    draft = create_version(_content("8.2", V81), status=Standard.Status.DRAFT)
    other = _content("1.0", V81)
    other["standard"]["code"] = "OTHER"
    other_standard = create_version(other)
    for target, words in ((draft, "draft"), (other_standard, "another Standard"), (running.standard, "already")):
        with pytest.raises(DomainError) as refused:
            version_move.version_move(running, target, by=staff)
        assert refused.value.code == "version_target_invalid"
        assert words in refused.value.message
    assert version_move.targets_for(running) == [v81]
    assert not AssessmentVersionMove.objects.exists()


@pytest.mark.parametrize("who", ["site_manager", "expert"])
def test_only_staff_move(running, v81, who, request):
    person = request.getfixturevalue(who)
    with pytest.raises(NotAllowed) as refused:
        version_move.version_move(running, v81, by=person)
    assert refused.value.code == "version_move_not_allowed"
    running.refresh_from_db()
    assert running.standard.version == "8.0"


def test_moving_twice_and_back(running, v81, v80, staff):
    first_ids = {lineage: a.pk for lineage, a in _answers(running).items()}
    version_move.version_move(running, v81, by=staff)
    back = version_move.version_move(running, v80, by=staff)
    running.refresh_from_db()
    assert running.standard == v80
    assert _shape(back.report) == [
        ("1.1.1", "1.1.1", "L-a", "carried"),
        (None, "1.1.2", "L-b", "needs_answer"),
        ("1.1.2", "1.1.3", "L-c", "carried"),
        ("1.2.1", "1.2.1", "L-d", "carried_reworded"),
        ("1.1.3", None, "L-e", "dropped"),
        ("1.2.2", None, "L-b2", "dropped"),
    ]
    after = _answers(running)
    for lineage in ("L-a", "L-c", "L-d"):
        assert after[lineage].pk == first_ids[lineage]
    # both moves listed, newest first; the first move's archive is still there
    assert [m.to_standard for m in version_move.moves_of(running)] == [v80, v81]
    assert ArchivedAnswer.objects.filter(assessment=running).count() == 3


def test_progress_and_scores_count_the_new_indicators(running, v81, staff):
    from assessments.selectors import assessment_page
    from scoring.services import rescore

    version_move.version_move(running, v81, by=staff)
    running.refresh_from_db()
    page = assessment_page(running, staff)
    assert (page["answered"], page["total"]) == (3, 5)
    snapshots = {s.kind: s for s in rescore(running)}
    self_score = snapshots["self"]
    assert self_score.inputs["standard"]["version"] == "8.1"
    assert set(self_score.inputs["ratings"]) == set(v81.indicators.values_list("code", flat=True))
    assert self_score.criteria_total == 2


def test_the_adapted_set_follows_the_target_version(running, v81, staff, jurisdiction):
    from standards.models import AdaptedIndicatorSet

    area = running.protected_area  # in the jurisdiction's country

    area.iso3, area.parent_iso3 = ["VNM"], ["VNM"]
    area.save()
    adapted = AdaptedIndicatorSet.objects.create(
        standard=v81,
        jurisdiction=jurisdiction,
        title="Viet Nam 8.1",
        status=AdaptedIndicatorSet.Status.APPROVED,
        approved_by=staff,
        approved_on=datetime.date(2026, 1, 1),
    )
    move = version_move.version_move(running, v81, by=staff)
    running.refresh_from_db()
    assert running.adapted_set == adapted == move.to_adapted_set


# --- pages -----------------------------------------------------------------------------------------


def test_staff_previews_confirms_and_the_site_team_reads_the_report(client, running, v81, staff, site_manager):
    url = f"/assessments/{running.pk}/move-version/"
    client.force_login(staff)
    page = client.get(url)
    assert page.status_code == 200 and f'value="{v81.pk}"' in page.content.decode()
    preview = client.get(url, {"standard": v81.pk})
    text = preview.content.decode()
    assert preview.status_code == 200
    assert "2 indicators need a new answer" in text and "Needs a new answer" in text
    # without the confirmation: nothing moves
    unconfirmed = client.post(url, {"standard": v81.pk})
    assert unconfirmed.status_code == 400
    running.refresh_from_db()
    assert running.standard.version == "8.0"
    moved = client.post(url, {"standard": v81.pk, "confirm": "1"})
    move = AssessmentVersionMove.objects.get(assessment=running)
    assert moved.status_code == 302 and moved["Location"] == f"/assessments/{running.pk}/move-version/{move.pk}/"
    # the site team: the notice on the assessment page and the report
    client.force_login(site_manager)
    detail = client.get(f"/assessments/{running.pk}/").content.decode()
    assert 'id="version-move-notice"' in detail and "2 indicators need a new answer" in detail
    assert f"/move-version/{move.pk}/" in detail
    assert "Move to another version" not in detail  # the staff button
    report = client.get(moved["Location"])
    body = report.content.decode()
    assert report.status_code == 200
    assert "Carried over, reworded: check your answer" in body and "Why L-b is met." in body
    assert client.get(url).status_code == 403


def test_pages_refuse_outsiders(client, running, v81, staff, other_manager, expert, site_manager):
    move = version_move.version_move(running, v81, by=staff)
    url = f"/assessments/{running.pk}/move-version/"
    for person, page_status, report_status in ((other_manager, 404, 404), (expert, 404, 404), (site_manager, 403, 200)):
        client.force_login(person)
        assert client.get(url).status_code == page_status
        assert client.post(url, {"standard": v81.pk, "confirm": "1"}).status_code == page_status
        assert client.get(f"{url}{move.pk}/").status_code == report_status
    assert AssessmentVersionMove.objects.count() == 1


def test_page_refuses_a_submitted_assessment_with_the_reason(client, running, v81, staff, site_manager):
    fill_all(running, site_manager, action_text="x", action_owner="y", action_due=datetime.date(2030, 1, 1))
    transition(running, "submitted", by=site_manager)
    client.force_login(staff)
    page = client.get(f"/assessments/{running.pk}/move-version/")
    assert page.status_code == 200 and 'id="move-blocked"' in page.content.decode()
    refused = client.post(f"/assessments/{running.pk}/move-version/", {"standard": v81.pk, "confirm": "1"})
    assert refused.status_code == 409 and "keeps the version" in refused.content.decode()


# --- API -------------------------------------------------------------------------------------------


def test_api_dry_run_move_and_list(api_client, running, v81, staff, site_manager, expert):
    url = f"/api/v1/assessments/{running.pk}/move-version/"
    api_client.force_authenticate(staff)
    dry = api_client.post(url, {"standard": v81.pk, "dry_run": True}, format="json")
    assert dry.status_code == 200, dry.content
    assert dry.json()["dry_run"] is True and dry.json()["counts"]["needs_answer"] == 2
    assert _shape(dry.json()["report"]) == EXPECTED
    assert not AssessmentVersionMove.objects.exists()
    moved = api_client.post(url, {"standard": v81.pk}, format="json")
    assert moved.status_code == 201, moved.content
    assert moved.json()["to_version"] == "8.1" and _shape(moved.json()["report"]) == EXPECTED
    again = api_client.post(url, {"standard": v81.pk}, format="json")
    assert again.status_code == 400 and again.json()["code"] == "version_target_invalid"
    missing = api_client.post(url, {"standard": 999999}, format="json")
    assert missing.status_code == 400 and missing.json()["code"] == "version_target_invalid"
    api_client.force_authenticate(site_manager)
    listed = api_client.get(f"/api/v1/assessments/{running.pk}/version-moves/")
    assert listed.status_code == 200 and [m["id"] for m in listed.json()] == [moved.json()["id"]]
    refused = api_client.post(url, {"standard": v81.pk}, format="json")
    assert refused.status_code == 403 and refused.json()["code"] == "version_move_not_allowed"
    api_client.force_authenticate(expert)
    assert api_client.get(f"/api/v1/assessments/{running.pk}/version-moves/").status_code == 404
    assert api_client.post(url, {"standard": v81.pk}, format="json").status_code == 404


def test_api_refuses_submitted_and_drafts(api_client, running, v81, staff, site_manager):
    draft = create_version(_content("8.2", V81), status=Standard.Status.DRAFT)
    url = f"/api/v1/assessments/{running.pk}/move-version/"
    api_client.force_authenticate(staff)
    response = api_client.post(url, {"standard": draft.pk, "dry_run": True}, format="json")
    assert response.status_code == 400 and response.json()["code"] == "version_target_invalid"
    fill_all(running, site_manager, action_text="x", action_owner="y", action_due=datetime.date(2030, 1, 1))
    transition(running, "submitted", by=site_manager)
    response = api_client.post(url, {"standard": v81.pk}, format="json")
    assert response.status_code == 409 and response.json()["code"] == "assessment_submitted_keeps_version"


def test_the_report_names_indicators_in_the_readers_language(client, running, v81, staff, site_manager):
    move = version_move.version_move(running, v81, by=staff)
    client.force_login(site_manager)
    page = client.get(move.get_absolute_url(), HTTP_ACCEPT_LANGUAGE="fr").content.decode()
    assert "Parties prenantes" in page
    # English where there is no translation, marked as such
    assert '<span lang="en">Boundaries</span>' in page
