"""The assessment page keeps each indicator's block as drawn and reuses it while its data is the
same (assessments.templatetags.assessment_page.answer_block). Whatever a block shows must show at
once when it changes: the answer, its linked evidence, a reviewer's question, the Standard's
wording, whether the person may edit, their language. Each test draws the page (the blocks are
kept), changes one thing, draws it again and looks for the change. And the CSRF field is the
request's, never a kept one."""

import re

import pytest
from django.template import Context
from django.template.defaulttags import CsrfTokenNode
from django.template.loader import get_template
from django.test import Client, RequestFactory
from django.urls import reverse

from accounts.tests.factories import Role, make_user
from assessments import views
from assessments.models import Answer
from assessments.templatetags.assessment_page import answer_block, answer_labels
from evidence.models import EvidenceItem
from standards.models import Indicator

pytestmark = pytest.mark.django_db


def _page(client, assessment, **headers) -> str:
    response = client.get(reverse("assessments:detail", args=[assessment.pk]), headers=headers)
    assert response.status_code == 200
    return response.content.decode()


def _block(html: str, answer) -> str:
    """The HTML of the answer's block on the page."""
    match = re.search(rf'<article class="indicator panel" id="answer-{answer.pk}".*?</article>', html, re.S)
    assert match, f"no block for answer {answer.pk}"
    return match.group(0)


@pytest.fixture
def seen(client, assessment, site_manager):
    """The page as the site manager sees it, drawn twice (the second time from kept blocks)."""
    client.force_login(site_manager)
    _page(client, assessment)
    _page(client, assessment)
    return assessment, assessment.answers.order_by("indicator__position").first()


def _item(assessment, user, title) -> EvidenceItem:
    return EvidenceItem.objects.create(
        assessment=assessment, title=title, file="t/x.pdf", original_filename="x.pdf", size=10, uploaded_by=user
    )


def test_a_kept_block_is_the_block_the_template_draws(rf: RequestFactory, seen, site_manager):
    assessment, answer = seen
    answer.evidence.add(_item(assessment, site_manager, "Patrol log"))
    request = rf.get("/")
    request.user = site_manager
    context = views._detail_context(request, assessment)
    template = get_template("assessments/_answer.html").template
    for _ in range(2):  # drawn, then kept
        for shown in context["answers"]:
            page = Context({**context, **answer_labels(), "csrf_token": "t0ken"})
            with page.push(a=shown, csrf_input=CsrfTokenNode().render(page)):
                # then: the same HTML as the template's own, the CSRF field in place
                assert answer_block(page, shown) == template.render(page)


def test_the_csrf_field_is_the_requests_and_a_kept_block_posts(seen, site_manager):
    assessment, answer = seen
    # given: the blocks are kept; when: another session draws the page
    other = Client(enforce_csrf_checks=True)
    other.force_login(site_manager)
    html = _page(other, assessment)
    # then: the block's form carries that session's token, which the server accepts
    block = _block(html, answer)
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', block).group(1)
    version = re.search(r'name="version" value="(\d+)"', block).group(1)
    response = other.post(
        reverse("assessments:answer", args=[assessment.pk, answer.pk]),
        {
            "csrfmiddlewaretoken": token,
            "version": version,
            "rating": "meets",
            "justification": "Posted from a kept block.",
        },
    )
    assert response.status_code == 302, response.content.decode()[:500]
    assert "Posted from a kept block." in _block(_page(other, assessment), answer)


def test_a_changed_answer_shows_at_once(client, seen):
    assessment, answer = seen
    Answer.objects.filter(pk=answer.pk).update(justification="Rangers patrol twice a week now.")
    assert "Rangers patrol twice a week now." in _block(_page(client, assessment), answer)


def _linked_list(block: str) -> str:
    return re.search(r'<ul class="linked-evidence"[^>]*>', block)[0]


def test_linked_evidence_shows_at_once(client, seen, site_manager):
    assessment, answer = seen
    item = _item(assessment, site_manager, "Patrol log of March")
    # the block names its linked items (their ids; their list is loaded when asked for)
    answer.evidence.add(item)
    assert re.search(rf'data-more="([0-9,]*,)?{item.pk}(,|")', _linked_list(_block(_page(client, assessment), answer)))
    answer.evidence.remove(item)
    assert "data-more" not in _linked_list(_block(_page(client, assessment), answer))


def test_the_standards_wording_shows_at_once(client, seen):
    assessment, answer = seen
    Indicator.objects.filter(pk=answer.indicator_id).update(title="Patrols cover the whole site")
    assert "Patrols cover the whole site" in _block(_page(client, assessment), answer)


def test_the_language_shows_at_once(client, seen):
    assessment, answer = seen
    indicator = Indicator.objects.get(pk=answer.indicator_id)
    indicator.translations = {**indicator.translations, "fr": {"title": "Les patrouilles couvrent le site"}}
    indicator.save(update_fields=["translations"])
    assert "Les patrouilles couvrent le site" not in _block(_page(client, assessment), answer)
    french = _block(_page(client, assessment, **{"accept-language": "fr"}), answer)
    assert "Les patrouilles couvrent le site" in french


def test_who_may_edit_gets_the_form_and_who_may_not_does_not(client, seen, staff):
    assessment, answer = seen
    assert "js-answer-form" in _block(_page(client, assessment), answer)
    client.force_login(staff)
    assert "js-answer-form" not in _block(_page(client, assessment), answer)


def test_the_name_of_who_saved_last_shows_at_once(client, seen, site_manager, area):
    assessment, answer = seen
    colleague = make_user(Role.SITE_MANAGER, email="colleague@example.org", protected_area=area)
    Answer.objects.filter(pk=answer.pk).update(updated_by=colleague, version=3)
    assert str(colleague) in _block(_page(client, assessment), answer)
    type(colleague).objects.filter(pk=colleague.pk).update(full_name="Renamed Colleague")
    colleague.refresh_from_db()
    assert str(colleague) in _block(_page(client, assessment), answer)
