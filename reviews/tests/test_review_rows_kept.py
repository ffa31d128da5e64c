"""The review page keeps each indicator's row as drawn and reuses it while its data is the same
(reviews.templatetags.review_page.review_row). Whatever a row shows must show at once when it
changes: the answer, its evidence, a review, the group finding, a question, the Standard's wording,
what the person may do, their language. Each test draws the page (the rows are kept), changes one
thing, draws it again and looks for the change. And the CSRF field is the request's, never a kept one."""

import re

import pytest
from django.test import Client, RequestFactory
from django.urls import reverse

from assessments.choices import Status
from assessments.models import Answer
from assessments.workflow import transition
from evidence.models import EvidenceItem
from reviews import services, views
from reviews.models import IndicatorReview
from reviews.templatetags.review_page import review_row
from reviews.tests.factories import answers_of
from standards.models import Indicator

pytestmark = pytest.mark.django_db


def _page(client, assessment) -> str:
    response = client.get(reverse("reviews:review", args=[assessment.pk]))
    assert response.status_code == 200
    return response.content.decode()


def _row(html: str, answer) -> str:
    """The HTML of the answer's row on the page."""
    match = re.search(rf'<article class="review-row[^"]*" id="indicator-{answer.pk}".*?</article>', html, re.S)
    assert match, f"no row for answer {answer.pk}"
    return match.group(0)


@pytest.fixture
def seen(client, team, expert):
    """The page as the first expert sees it, drawn twice (the second time from kept rows)."""
    assessment = team["assessment"]
    client.force_login(expert)
    _page(client, assessment)
    _page(client, assessment)
    return assessment, answers_of(assessment)[0]


def test_a_kept_row_is_the_row_the_template_draws(rf: RequestFactory, team, expert, second_expert):
    # given: reviews, a shared review by another expert, a group finding and a question
    assessment = team["assessment"]
    answers = answers_of(assessment)
    services.indicator_review_save(assessment=assessment, answer=answers[0], by=expert, rating="meets", finding="Ok")
    services.group_finding_save(assessment=assessment, answer=answers[0], by=expert, rating="meets", finding="Met")
    services.information_request_create(assessment=assessment, answer=answers[1], by=expert, question="Minutes?")
    request = rf.get("/")
    request.user = expert
    context = views._review_context(request, assessment)
    from django.template import Context
    from django.template.loader import get_template

    template = get_template("reviews/_row.html").template
    for _ in range(2):  # drawn, then kept
        for row in context["rows"]:
            page = Context({**context, "csrf_input": "<input name=csrf>"})
            with page.push(row=row):
                # then: the same HTML as the template's own, the CSRF field in place
                assert review_row(page, row) == template.render(page)


def test_the_csrf_field_is_the_requests_and_a_kept_row_posts(team, expert):
    assessment = team["assessment"]
    answer = answers_of(assessment)[0]
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(expert)
    _page(browser, assessment)
    # given: the rows are kept; when: another session draws the page
    other = Client(enforce_csrf_checks=True)
    other.force_login(expert)
    html = _page(other, assessment)
    # then: each of its row's forms carries its own session's token, which the server accepts
    tokens = set(re.findall(r'name="csrfmiddlewaretoken" value="([^"]+)"', _row(html, answer)))
    assert len(tokens) == 1
    response = other.post(
        reverse("reviews:indicator", args=[assessment.pk, answer.pk, "review"]),
        {"rating": "meets", "finding": "Posted from a kept row.", "csrfmiddlewaretoken": tokens.pop()},
    )
    assert response.status_code == 302
    assert "Posted from a kept row." in _row(_page(other, assessment), answer)


def test_a_changed_answer_shows_at_once(client, seen):
    assessment, answer = seen
    Answer.objects.filter(pk=answer.pk).update(justification="Rangers patrol twice a week now.")
    assert "Rangers patrol twice a week now." in _row(_page(client, assessment), answer)


def test_new_evidence_shows_at_once(client, seen, site_manager):
    assessment, answer = seen
    before = re.search(r"\((\d+) evidence items?", _row(_page(client, assessment), answer)).group(1)
    item = EvidenceItem.objects.create(
        assessment=assessment,
        title="Patrol log",
        file="t/log.pdf",
        original_filename="log.pdf",
        content_type="application/pdf",
        size=10,
        uploaded_by=site_manager,
    )
    answer.evidence.add(item)
    after = re.search(r"\((\d+) evidence items?", _row(_page(client, assessment), answer)).group(1)
    assert int(after) == int(before) + 1


def test_my_review_and_a_colleagues_shared_review_show_at_once(client, seen, expert, jurisdiction, assign):
    assessment, answer = seen
    services.indicator_review_save(assessment=assessment, answer=answer, by=expert, rating="meets", finding="Mine.")
    assert "Mine." in _row(_page(client, assessment), answer)
    # a colleague's shared review, then its change
    from accounts.tests.factories import Role, make_user

    colleague = make_user(Role.EXPERT, email="colleague@example.org", jurisdiction=jurisdiction)
    assign(assessment, colleague)
    services.indicator_review_save(
        assessment=assessment, answer=answer, by=colleague, rating="meets", finding="Theirs.", shared=True
    )
    assert "Theirs." in _row(_page(client, assessment), answer)
    IndicatorReview.objects.filter(assignment__user=colleague).update(finding="Theirs, changed.")
    assert "Theirs, changed." in _row(_page(client, assessment), answer)


def test_the_group_finding_shows_at_once(client, seen, expert):
    assessment, answer = seen
    services.group_finding_save(assessment=assessment, answer=answer, by=expert, rating="meets", finding="Agreed.")
    assert "Agreed." in _row(_page(client, assessment), answer)


def test_a_question_shows_at_once(client, seen, expert):
    assessment, answer = seen
    assert "question" not in re.search(r"\(([^)]*)\)</span></summary>", _row(_page(client, assessment), answer))[1]
    services.information_request_create(assessment=assessment, answer=answer, by=expert, question="Minutes?")
    assert "1 question, 1 open" in _row(_page(client, assessment), answer)


def test_the_standards_wording_shows_at_once(client, seen):
    assessment, answer = seen
    Indicator.objects.filter(pk=answer.indicator_id).update(title="Patrols cover the whole site")
    assert "Patrols cover the whole site" in _row(_page(client, assessment), answer)


def test_what_the_person_may_do_shows_at_once(client, seen, staff):
    assessment, answer = seen
    assert 'class="review-form"' in _row(_page(client, assessment), answer)
    # when: the review is sent back to the site, the expert may no longer write
    transition(assessment, Status.CHANGES_REQUESTED, by=staff, note="Please add the minutes.")
    assert 'class="review-form"' not in _row(_page(client, assessment), answer)


def test_another_person_gets_their_own_row(client, seen, reviewer):
    assessment, answer = seen
    client.force_login(reviewer)
    assert 'class="review-form"' not in _row(_page(client, assessment), answer)


def test_the_language_shows_at_once(client, seen):
    assessment, answer = seen
    indicator = Indicator.objects.get(pk=answer.indicator_id)
    indicator.translations = {**indicator.translations, "fr": {"title": "Les patrouilles couvrent le site"}}
    indicator.save(update_fields=["translations"])
    # given: the row drawn (and kept) in English
    english = _row(_page(client, assessment), answer)
    assert indicator.title in english and "Les patrouilles couvrent le site" not in english
    # when: the same person reads the page in French; then: the French row, not the kept English one
    response = client.get(reverse("reviews:review", args=[assessment.pk]), headers={"accept-language": "fr"})
    assert "Les patrouilles couvrent le site" in _row(response.content.decode(), answer)
