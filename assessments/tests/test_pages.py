import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from assessments.models import Answer
from assessments.services import assessment_create
from assessments.tests.helpers import close_cycle, fill_all
from assessments.workflow import transition
from eligibility.tests.factories import make_eligible
from evidence.models import EvidenceItem
from standards.services import standard_load
from standards.tests.factories import GLS_PATH


def page_queries(client, assessment) -> int:
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(reverse("assessments:detail", args=[assessment.pk]))
    assert response.status_code == 200
    return len(ctx.captured_queries)


def add_evidence(assessment, user, n):
    answers = list(assessment.answers.all())
    for i in range(n):
        item = EvidenceItem.objects.create(
            assessment=assessment,
            title=f"Doc {i}",
            file=f"x/{i}.pdf",
            original_filename=f"{i}.pdf",
            size=10,
            uploaded_by=user,
        )
        answers[i % len(answers)].evidence.add(item)


def small_standard(tmp_path):
    import yaml

    data = yaml.safe_load(GLS_PATH.read_text())
    data["standard"]["version"] = "0.1"
    data["components"] = data["components"][:1]
    data["components"][0]["criteria"] = data["components"][0]["criteria"][:1]
    data["components"][0]["criteria"][0]["indicators"] = data["components"][0]["criteria"][0]["indicators"][:2]
    path = tmp_path / "mini.yaml"
    path.write_text(yaml.safe_dump(data))
    return standard_load(path).standard


@pytest.mark.django_db
def test_page_queries_do_not_grow_with_indicators_or_evidence(client, tmp_path, site_manager, area, staff):
    # given a 2-indicator assessment with 2 evidence items…
    mini = small_standard(tmp_path)
    small = assessment_create(protected_area=area, user=site_manager, year=2025)
    assert small.standard == mini and small.answers.count() == 2
    add_evidence(small, site_manager, 2)
    close_cycle(small)  # one open cycle per site
    # …and a 50-indicator one with 300 evidence items
    standard_load(GLS_PATH)
    big = assessment_create(protected_area=area, user=site_manager, year=2026)
    assert big.answers.count() == 50
    add_evidence(big, site_manager, 300)
    make_eligible(big, staff=staff)
    transition(big, "candidate", by=staff)
    client.force_login(site_manager)
    # then
    assert page_queries(client, small) == page_queries(client, big)
    # 17: one each for the links to site visits and consultations (assessments.sections.page_links);
    # 18: the application's other sites (assessments.sites, issue 16); 20: the mid-term and renewal
    # reviews' links (listing_reviews, issue 16); 21: the page's tag for conditional requests
    # (core.freshness, issue 17)
    assert page_queries(client, big) <= 21


@pytest.mark.django_db
def test_page_shows_guidance_progress_and_forms(client, site_manager, assessment):
    fill_all(assessment, site_manager, except_numbers={"4.3.2"})
    client.force_login(site_manager)
    html = client.get(reverse("assessments:detail", args=[assessment.pk])).content.decode()
    assert 'id="save-status"' in html
    assert '<progress id="progress" max="50" value="49">' in html
    assert html.count('class="answer-form js-answer-form"') == 50
    assert "Means of verification" in html and "Founding or establishment documents" in html
    assert "Criterion 3.7: Measure success" in html
    assert 'src="/static/js/assessment.js"' in html and "<script>" not in html


@pytest.mark.django_db
def test_plain_post_saves_without_javascript(client, site_manager, assessment):
    answer = assessment.answers.get(indicator__number="1.2.1")
    client.force_login(site_manager)
    url = reverse("assessments:answer", args=[assessment.pk, answer.pk])
    response = client.post(url, {"version": 1, "rating": "meets", "justification": "Minutes are public."})
    assert response.status_code == 302 and response["Location"].endswith(f"#answer-{answer.pk}")
    answer.refresh_from_db()
    assert (answer.rating, answer.justification, answer.version) == ("meets", "Minutes are public.", 2)


def test_only_an_answer_someone_saved_says_who_saved_it(client, site_manager, assessment):
    # given a new assessment: no indicator was answered yet, so none says "Last saved by"
    client.force_login(site_manager)
    url = reverse("assessments:detail", args=[assessment.pk])
    assert "Last saved by" not in client.get(url).content.decode()
    # when one answer is saved, then that one (and only that one) says so
    answer = assessment.answers.get(indicator__number="1.2.1")
    client.post(reverse("assessments:answer", args=[assessment.pk, answer.pk]), {"version": 1, "rating": "meets"})
    assert client.get(url).content.decode().count("Last saved by") == 1


@pytest.mark.django_db
def test_plain_post_errors_show_beside_the_field_and_keep_the_text(client, site_manager, assessment):
    answer = assessment.answers.get(indicator__number="1.2.1")
    client.force_login(site_manager)
    url = reverse("assessments:answer", args=[assessment.pk, answer.pk])
    response = client.post(url, {"version": 1, "rating": "superb", "justification": "My careful words"})
    assert response.status_code == 400
    html = response.content.decode()
    assert "is not a rating on this Standard" in html and "My careful words" in html
    # a stale version shows their text and keeps mine
    client.post(url, {"version": 1, "rating": "meets", "justification": "Theirs"})
    response = client.post(url, {"version": 1, "rating": "meets", "justification": "Mine"})
    assert response.status_code == 409
    html = response.content.decode()
    assert "Theirs" in html and "Mine" in html and "changed by" in html
    answer.refresh_from_db()
    assert answer.justification == "Theirs"


@pytest.mark.django_db
def test_submission_page_lists_what_is_missing_then_submits(client, site_manager, assessment):
    fill_all(assessment, site_manager, except_numbers={"2.2.1"})
    client.force_login(site_manager)
    url = reverse("assessments:submit", args=[assessment.pk])
    html = client.get(url).content.decode()
    assert "1 indicator still needs work" in html and "2.2.1" in html and "No rating yet." in html
    refused = client.post(url)
    assert refused.status_code == 400 and "cannot be submitted yet" in refused.content.decode()
    answer = Answer.objects.get(assessment=assessment, indicator__number="2.2.1")
    client.post(
        reverse("assessments:answer", args=[assessment.pk, answer.pk]),
        {"version": answer.version, "rating": "not_applicable", "justification": "No such value here."},
    )
    response = client.post(url, {"note": "ready"})
    assert response.status_code == 302
    assessment.refresh_from_db()
    assert assessment.status == "submitted"
    html = client.get(reverse("assessments:detail", args=[assessment.pk])).content.decode()
    assert "read-only" in html and "js-answer-form" not in html and "No such value here." in html


@pytest.mark.django_db
def test_start_and_prefill_from_the_previous_cycle(client, site_manager, assessment, staff):
    # given cycle 1 with answers and evidence
    fill_all(assessment, site_manager)
    item = EvidenceItem.objects.create(
        assessment=assessment,
        title="Decree",
        file="x/d.pdf",
        original_filename="d.pdf",
        size=3,
        uploaded_by=site_manager,
    )
    first = assessment.answers.get(indicator__number="1.1.1")
    first.evidence.add(item)
    transition(assessment, "submitted", by=site_manager)
    close_cycle(assessment)  # one open cycle per site
    client.force_login(site_manager)
    # when
    response = client.post(
        reverse("assessments:start"), {"protected_area": assessment.protected_area_id, "year": 2027, "prefill": "1"}
    )
    # then
    new = assessment.protected_area.assessments.get(cycle=2)
    assert response.status_code == 302 and response["Location"] == new.get_absolute_url()
    assert new.previous == assessment and new.status == "application"
    copied = new.answers.get(indicator__number="1.1.1")
    assert copied.carried_over and copied.rating == "meets" and list(copied.evidence.all()) == [item]
    assert new.answers.filter(carried_over=True).count() == 50
    html = client.get(new.get_absolute_url()).content.decode()
    assert "carried over" in html and "earlier cycle" in html
    # the old cycle is untouched
    assert first.evidence.count() == 1 and assessment.answers.filter(carried_over=True).count() == 0


@pytest.mark.django_db
def test_a_later_standard_does_not_change_an_existing_assessment(tmp_path, assessment, site_manager, area):
    import yaml

    data = yaml.safe_load(GLS_PATH.read_text())
    data["standard"]["version"] = "2.0"
    path = tmp_path / "v2.yaml"
    path.write_text(yaml.safe_dump(data))
    v2 = standard_load(path).standard
    assessment.refresh_from_db()
    assert assessment.standard.version == "1.1"
    assert set(assessment.answers.values_list("indicator__standard__version", flat=True)) == {"1.1"}
    close_cycle(assessment)  # one open cycle per site
    newer = assessment_create(protected_area=area, user=site_manager, year=2027, previous=assessment)
    assert newer.standard == v2 and newer.answers.filter(indicator__code__startswith="GLS-V2.0-").count() == 50


@pytest.mark.django_db
def test_list_page(client, site_manager, assessment, other_manager):
    client.force_login(site_manager)
    html = client.get(reverse("assessments:list")).content.decode()
    # while cycle 1 is open, the site is offered that cycle, not a second one
    assert assessment.protected_area.name in html and "Continue cycle 1 (2026)" in html
    assert assessment.get_absolute_url() in html and "Start assessment" not in html
    # once it is closed, a new cycle can start from it
    close_cycle(assessment)
    html = client.get(reverse("assessments:list")).content.decode()
    assert "Start assessment" in html and "Start from cycle 1" in html and "Continue cycle" not in html


@pytest.mark.django_db
def test_no_js_evidence_upload(client, site_manager, assessment):
    answer = assessment.answers.get(indicator__number="1.1.3")
    client.force_login(site_manager)
    response = client.post(
        reverse("evidence:upload", args=[assessment.pk]),
        {
            "file": SimpleUploadedFile("agreement.pdf", b"%PDF-1.4 test"),
            "title": "",
            "sensitivity": "reviewers",
            "indicator": answer.indicator_id,
            "evidence_date": "2024-05-01",
        },
    )
    assert response.status_code == 302
    item = EvidenceItem.objects.get(assessment=assessment)
    assert item.title == "agreement.pdf" and list(item.answers.all()) == [answer]
    assert str(item.evidence_date) == "2024-05-01"


@pytest.mark.django_db
def test_an_action_the_role_does_not_allow_is_403_with_the_reason_and_changes_nothing(client, staff, assessment):
    # given IUCN staff, who see the assessment but are not on the site team
    answer = assessment.answers.get(indicator__number="1.2.1")
    client.force_login(staff)
    assert client.get(reverse("assessments:detail", args=[assessment.pk])).status_code == 200
    # when they post a complete, valid answer, an upload and a submission
    saved = client.post(
        reverse("assessments:answer", args=[assessment.pk, answer.pk]),
        {"version": answer.version, "rating": "meets", "justification": "Staff words"},
    )
    uploaded = client.post(
        reverse("evidence:upload", args=[assessment.pk]),
        {"file": SimpleUploadedFile("a.pdf", b"%PDF-1.4 test"), "sensitivity": "reviewers"},
    )
    submitted = client.post(reverse("assessments:submit", args=[assessment.pk]))
    # then each is refused as not allowed (not a form error, not a redirect), saying why
    assert saved.status_code == 403 and "Only the site&#x27;s team can edit this assessment." in saved.content.decode()
    assert uploaded.status_code == 403 and "Only the site&#x27;s team can add evidence." in uploaded.content.decode()
    assert submitted.status_code == 403 and "Only the site&#x27;s team can submit" in submitted.content.decode()
    # and nothing changed
    answer.refresh_from_db()
    assert answer.version == 1 and answer.justification != "Staff words"
    assert not EvidenceItem.objects.filter(assessment=assessment).exists()
    assessment.refresh_from_db()
    assert assessment.status == "candidate"


@pytest.mark.django_db
def test_a_move_the_role_does_not_allow_is_403_from_the_workflow_not_a_redirect(
    client, staff, site_manager, assessment
):
    # given staff on a complete candidate assessment, which only the site team may submit
    fill_all(assessment, site_manager)
    client.force_login(staff)
    url = reverse("assessments:transition", args=[assessment.pk])
    # when they try the move on the page, then in a script asking for JSON
    page = client.post(url, {"to": "submitted"})
    script = client.post(url, {"to": "submitted"}, HTTP_ACCEPT="application/json")
    # then the workflow's NotAllowed is a 403 with its message: the page, or the API's error body
    assert page.status_code == 403 and "You may not move this assessment to" in page.content.decode()
    assert script.status_code == 403
    assert script.json()["code"] == "transition_role_not_allowed" and script.json()["detail"]
    assessment.refresh_from_db()
    assert assessment.status == "candidate"


@pytest.mark.django_db
def test_a_wrong_phase_is_a_conflict_with_the_reason(client, staff, assessment):
    # given staff, who may request changes, but on an assessment not under review
    client.force_login(staff)
    # when they try it
    response = client.post(reverse("assessments:transition", args=[assessment.pk]), {"to": "changes_requested"})
    # then it is not a permission matter (no 403) but an impossible move: 409 with the reason, as on the API
    assert response.status_code == 409
    assert "cannot move from" in response.content.decode()
    assessment.refresh_from_db()
    assert assessment.status == "candidate"
