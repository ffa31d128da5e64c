"""The review page's markup comes from its templates (`reviews/review.html` and its fragments), with
every value escaped by the template: the evidence list of each indicator, the rating selects, the
site team's "point to evidence" list under every open question, the "new" mark after a send-back."""

import datetime

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.template import Context, Template
from django.template.defaultfilters import filesizeformat
from django.urls import reverse
from django.utils.formats import localize
from pytest_django.asserts import assertInHTML

from assessments.choices import Status
from assessments.models import Answer
from assessments.workflow import transition
from evidence.models import EvidenceItem
from reviews import review_page, services
from reviews.tests.factories import PNG, answers_of, submitted_assessment
from reviews.tests.helpers import review_page_with_details

pytestmark = pytest.mark.django_db

HOSTILE = '<script>alert("x")</script> & "minutes"'
ESCAPED = "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; &quot;minutes&quot;"
ALLOWED = [
    ("meets", "Meets"),
    ("partially_meets", "Partially meets"),
    ("does_not_meet", "Does not meet"),
    ("not_applicable", "Not applicable"),
]


def _item(assessment, answer, uploader, **fields) -> EvidenceItem:
    """An evidence item linked to `answer`, as the page benchmark makes them (the page reads rows only)."""
    defaults = {"title": "Report", "file": "t/report.pdf", "original_filename": "report.pdf"}
    defaults.update(content_type="application/pdf", size=2048, uploaded_by=uploader)
    item = EvidenceItem.objects.create(assessment=assessment, **{**defaults, **fields})
    answer.evidence.add(item)
    return item


@pytest.fixture
def world(area, site_manager, staff, expert, jurisdiction, assign):
    assessment = submitted_assessment(
        area=area, manager=site_manager, staff=staff, n_indicators=2, evidence_per_indicator=0
    )
    first, second = answers_of(assessment)
    items = {
        "pdf": _item(assessment, first, site_manager, title=HOSTILE, evidence_date=datetime.date(2025, 3, 1)),
        "image": _item(
            assessment, first, site_manager, title="Camera", content_type="image/png", original_filename="cam.png"
        ),
        "csv": _item(
            assessment, second, site_manager, title="Counts", content_type="text/csv", original_filename="counts.csv"
        ),
        "team_only": _item(assessment, second, site_manager, title="Team notes", sensitivity="site_team"),
    }
    services.review_start(assessment=assessment, by=staff)
    assign(assessment, expert)
    services.indicator_review_save(
        assessment=assessment, answer=first, by=expert, rating="partially_meets", finding="Half there."
    )
    requests = [
        services.information_request_create(assessment=assessment, answer=a, by=expert, question=f"Q{a.pk}?")
        for a in (first, second)
    ]
    return {"assessment": assessment, "answers": (first, second), "items": items, "requests": requests}


def _page(client, user, assessment) -> str:
    """The page with every indicator's details (evidence list, questions), as loaded when opened."""
    client.force_login(user)
    return review_page_with_details(client, assessment)


def _select(select_id: str, selected: str | None) -> str:
    options = "".join(
        f'<option value="{code}"{" selected" if code == selected else ""}>{label}</option>' for code, label in ALLOWED
    )
    return f'<select id="{select_id}" name="rating"><option value="">—</option>{options}</select>'


def test_the_evidence_list_is_drawn_by_the_template_with_every_value_escaped(client, world, expert):
    # given an expert's page with a PDF (a hostile title), an image, a CSV and a team-only item
    items = world["items"]
    body = _page(client, expert, world["assessment"])
    url = {k: reverse("evidence:download", args=[i.pk]) for k, i in items.items()}
    # then each item has its preview, and the title is text, never markup
    assertInHTML(
        f'<a href="{url["pdf"]}" class="thumb thumb-pdf" aria-hidden="true" tabindex="-1">PDF</a>', body, count=1
    )
    assertInHTML(f'<a href="{url["pdf"]}">{ESCAPED}</a>', body, count=1)
    assert HOSTILE not in body and "<script>alert" not in body
    assertInHTML(
        f'<a href="{url["image"]}"><img class="thumb" src="{url["image"]}" alt="" loading="lazy" width="72" '
        'height="54"></a>',
        body,
        count=1,
    )
    assertInHTML('<span class="thumb thumb-file" aria-hidden="true">.CSV</span>', body, count=1)
    # size and date as the filters write them; the badges box of the evidence app inside the item
    assert f"{filesizeformat(2048)} · {localize(datetime.date(2025, 3, 1))}" in body
    assert f'id="evidence-{items["pdf"].pk}" class="evidence-item"' in body
    assert f'data-evidence-id="{items["pdf"].pk}"' in body
    # an item for the site team only is not listed for the expert, and nothing is marked new
    assert f'id="evidence-{items["team_only"].pk}"' not in body
    assert 'class="new"' not in body


def test_rating_selects_show_the_scale_with_the_saved_rating_selected(client, world, expert):
    first, second = world["answers"]
    body = _page(client, expert, world["assessment"])
    assertInHTML(_select(f"rating-{first.pk}", "partially_meets"), body, count=1)
    assertInHTML(_select(f"rating-{second.pk}", None), body, count=1)


def test_every_form_carries_the_csrf_field(client, world, expert, site_manager):
    for person in (expert, site_manager):
        body = _page(client, person, world["assessment"])
        forms = body.count("<form ")
        assert body.count('<form method="post"') >= 2 and body.count('name="csrfmiddlewaretoken"') == forms, person


def test_the_site_team_may_point_to_any_of_its_evidence_under_every_open_question(client, world, site_manager, expert):
    # given two open questions, seen by the site team (which sees its team-only item too)
    items = world["items"]
    body = _page(client, site_manager, world["assessment"])
    options = "".join(
        f'<option value="{items[k].pk}">{title}</option>'
        for k, title in (("pdf", ESCAPED), ("image", "Camera"), ("csv", "Counts"), ("team_only", "Team notes"))
    )
    # then each question's list offers every item of the assessment (not only its indicator's), in
    # the order they were uploaded
    for req in world["requests"]:
        assertInHTML(
            f'<select id="reply-evidence-{req.pk}" name="evidence" multiple size="3">{options}</select>', body, count=1
        )
    # and an expert is offered none (their answer is a follow-up, without evidence)
    assert 'name="evidence"' not in _page(client, expert, world["assessment"])


def test_evidence_linked_after_the_send_back_is_marked_new(client, world, site_manager, staff, expert):
    # given the assessment sent back, and the site answering a question with a new file
    assessment = world["assessment"]
    services.review_send_back(assessment=assessment, by=staff, note="Please answer.")
    reply = services.information_reply_create(
        request=world["requests"][0],
        by=site_manager,
        text="Attached.",
        file_title="Minutes 2025",
        file=SimpleUploadedFile("minutes.png", PNG, content_type="image/png"),
    )
    new = reply.evidence.get()
    assessment.refresh_from_db()
    transition(assessment, Status.RESUBMITTED, by=site_manager)
    services.review_start(assessment=assessment, by=staff)
    # when the expert looks again
    body = _page(client, expert, assessment)
    # then only the new item is marked, once
    assert body.count('<strong class="new">new</strong>') == 1
    start = body.index(f'id="evidence-{new.pk}"')
    assert '<strong class="new">new</strong>' in body[start : body.index("</li>", start)]
    assert Answer.objects.filter(evidence=new).exists()


@pytest.mark.parametrize(
    "size",
    [0, 1, 1023, 1024, 1025, 2048, 10_239, 10_240, 1_048_575, 1_048_576, 5 * 1024**3, 3 * 1024**4, 7 * 1024**5],
)
def test_sizes_read_as_the_filter_writes_them(size):
    size_of = review_page._sizes()
    assert size_of(size) == filesizeformat(size)
    assert size_of(size) == filesizeformat(size)  # remembered


def test_capture_renders_once_and_repeats_escaped_output():
    template = Template("{% load review_page %}{% capture x %}<b>{{ v }}</b>{% endcapture %}{{ x }}|{{ x }}")
    assert template.render(Context({"v": "<i>"})) == "<b>&lt;i&gt;</b>|<b>&lt;i&gt;</b>"


def test_the_site_team_gets_a_link_to_its_assessment_and_not_the_reviewers_filters(client, world, site_manager, expert):
    assessment = world["assessment"]
    page_url = reverse("reviews:review", args=[assessment.pk])
    # given the site manager on the review page before IUCN staff release the findings
    client.force_login(site_manager)
    body = client.get(page_url).content.decode()
    assert "once IUCN staff release them" in body
    # then the page links back to their assessment, not to reviews they do not have
    assertInHTML(f'<a href="{assessment.get_absolute_url()}">Back to the assessment</a>', body, count=1)
    assert f'href="{reverse("reviews:mine")}"' not in body and "My reviews" not in body
    # and offers none of the reviewers' filters; the header's counts stay as they are
    assert 'id="review-filters"' not in body and 'value="unreviewed"' not in body and "Not yet reviewed" not in body
    assert 'data-count="reviewed"' in body
    # while the expert keeps both
    client.force_login(expert)
    body = client.get(page_url).content.decode()
    assert f'<p class="muted"><a href="{reverse("reviews:mine")}">My reviews</a>' in body
    assert 'id="review-filters"' in body and 'value="unreviewed"' in body
    assert "Back to the assessment" not in body
