"""The assessment page with many evidence items: bounded page, picker endpoint, no-JS link page
(moved from assessments/tests with the evidence pages, issue 13)."""

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from assessments.sections import LINKED_SHOWN
from assessments.services import assessment_create
from evidence.models import EvidenceItem
from evidence.selectors import LIBRARY_PAGE_SIZE, PICKER_PAGE_SIZE


@pytest.fixture
def assessment(standard, site_manager, staff, area):
    """A cycle-1 assessment of `area`, accepted as candidate (the phase where the team fills it in)."""
    from assessments.workflow import transition
    from eligibility.tests.factories import make_eligible

    a = assessment_create(protected_area=area, user=site_manager, year=2026)
    make_eligible(a, staff=staff)
    transition(a, "candidate", by=staff, note="eligible")
    return a


def make_items(assessment, user, n, *, prefix="Doc", link_to=None, **fields):
    items = EvidenceItem.objects.bulk_create(
        EvidenceItem(
            assessment=assessment,
            title=f"{prefix} {i}",
            file=f"x/{prefix}-{i}.pdf",
            original_filename=f"{i}.pdf",
            size=10,
            uploaded_by=user,
            **fields,
        )
        for i in range(n)
    )
    if link_to is not None:
        link_to.evidence.add(*items)
    return items


def spread(assessment, items):
    """Link items round-robin over the assessment's answers."""
    answers = list(assessment.answers.all())
    through = type(answers[0]).evidence.through
    through.objects.bulk_create(
        through(answer_id=answers[i % len(answers)].pk, evidenceitem_id=item.pk) for i, item in enumerate(items)
    )


def get(client, url, **params):
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url, params)
    return response, len(ctx.captured_queries)


# --- the assessment page ---------------------------------------------------------------------


@pytest.mark.django_db
def test_page_lists_a_few_links_per_indicator_and_one_page_of_the_library(client, site_manager, assessment):
    # given 300 items spread over 50 answers (6 each)
    spread(assessment, make_items(assessment, site_manager, 300))
    answer = assessment.answers.order_by("indicator__position").first()
    linked = list(answer.evidence.order_by("-uploaded_at", "-id").values_list("pk", flat=True))
    client.force_login(site_manager)
    # when
    html = client.get(reverse("assessments:detail", args=[assessment.pk])).content.decode()
    # then each indicator lists none of its links (issue 19: they load when asked for), and keeps the
    # ids of all of them for saving, newest first
    assert LINKED_SHOWN == 0 and html.count("<li data-evidence=") == 0
    assert f'data-more="{",".join(str(pk) for pk in linked)}"' in html
    assert "Show the 6 linked items" in html
    # the list asked for: the indicator's links, newest first, each with its facts box
    fragment = reverse("evidence:answer-linked", args=[assessment.pk, answer.pk])
    assert f'data-part="{fragment}"' in html
    items, queries = get(client, fragment)
    assert items.status_code == 200 and items.headers["ETag"]
    assert re.findall(r'<li data-evidence="(\d+)">', items.content.decode()) == [str(pk) for pk in linked]
    assert items.content.decode().count('class="ep-facts"') == 6
    # the library shows one page and says how many there are; no list of every item
    assert "All evidence (300)" in html and "Page 1 of 12" in html
    assert html.count("<tr><td><a href=") == LIBRARY_PAGE_SIZE
    assert "<datalist" not in html and "<script>" not in html
    # a page of 1,000 items stays under issue 19's 200 KiB: only the ids grow with the items; and an
    # indicator's list takes as many queries at 20 items as at 6
    spread(assessment, make_items(assessment, site_manager, 700, prefix="More"))
    big = client.get(reverse("assessments:detail", args=[assessment.pk])).content
    assert len(big) < 200 * 1024, len(big) // 1024
    more, more_queries = get(client, fragment)
    assert more.content.decode().count("<li data-evidence=") == 20 and more_queries == queries


@pytest.mark.django_db
def test_no_script_page_offers_the_evidence_page_and_read_only_page_no_controls(
    client, site_manager, assessment, staff
):
    answer = assessment.answers.order_by("indicator__position").first()
    make_items(assessment, site_manager, 2, link_to=answer)
    client.force_login(site_manager)
    html = client.get(reverse("assessments:detail", args=[assessment.pk])).content.decode()
    link_page = reverse("evidence:answer-evidence", args=[assessment.pk, answer.pk])
    assert f'href="{link_page}"' in html and "Add or link evidence" in html
    assert 'id="upload-template"' in html and 'id="evidence-picker"' in html
    # the no-script page itself: one upload form, inside the body, and a plain-text title
    page = client.get(link_page).content.decode()
    head, body = page.split("<body", 1)
    title = head.split("<title>", 1)[1].split("</title>", 1)[0]
    assert "<" not in title and answer.indicator.number in title
    assert page.count('id="upload-title"') == 1 and 'id="upload-title"' in body
    # staff may read but not edit: the links are listed when asked for (without script, the library
    # lists them), nothing to link, upload or remove
    client.force_login(staff)
    html = client.get(reverse("assessments:detail", args=[assessment.pk])).content.decode()
    library = reverse("evidence:library", args=[assessment.pk])
    assert f'class="js-show-all" href="{library}"' in html and "js/linked-evidence.js" in html
    items = client.get(reverse("evidence:answer-linked", args=[assessment.pk, answer.pk])).content.decode()
    assert "Doc 0" in items and "Doc 1" in items
    assert f'href="{link_page}"' not in html and "upload-template" not in html and "evidence-picker" not in html


@pytest.mark.django_db
def test_library_pages(client, site_manager, assessment, outsider, other_manager):
    make_items(assessment, site_manager, LIBRARY_PAGE_SIZE + 3)
    client.force_login(site_manager)
    url = reverse("evidence:library", args=[assessment.pk])
    html = client.get(url, {"page": 2}).content.decode()
    # newest first: page 2 holds the three oldest
    assert html.count("<tr><td><a href=") == 3 and "Doc 0<" in html and "Page 2 of 2" in html
    assert client.get(url, {"page": "x"}).status_code == 200  # a bad page number shows page 1
    for person in (outsider, other_manager):
        client.force_login(person)
        assert client.get(url).status_code == 404


# --- the picker's JSON endpoint ----------------------------------------------------------------


@pytest.mark.django_db
def test_search_matches_titles_paginates_and_flags_earlier_cycles(
    client, site_manager, assessment, other_manager, other_area
):
    make_items(assessment, site_manager, PICKER_PAGE_SIZE + 5, prefix="Patrol report")
    make_items(assessment, site_manager, 3, prefix="Budget")
    other = assessment_create(protected_area=other_area, user=other_manager, year=2026)
    make_items(other, other_manager, 2, prefix="Patrol report elsewhere")
    client.force_login(site_manager)
    url = reverse("evidence:picker", args=[assessment.pk])
    first = client.get(url, {"q": "patrol"}).json()
    assert len(first["results"]) == PICKER_PAGE_SIZE and first["has_next"] is True and first["page"] == 1
    second = client.get(url, {"q": "patrol", "page": 2}).json()
    assert len(second["results"]) == 5 and second["has_next"] is False
    titles = [r["title"] for r in first["results"] + second["results"]]
    assert all(t.startswith("Patrol report ") for t in titles) and "elsewhere" not in " ".join(titles)
    assert set(first["results"][0]) == {"id", "title", "download_url", "evidence_date", "earlier_cycle"}
    assert [r["title"] for r in client.get(url, {"q": "  budget "}).json()["results"]] == [
        "Budget 2",
        "Budget 1",
        "Budget 0",
    ]
    assert client.get(url, {"q": "nothing like this"}).json() == {"results": [], "page": 1, "has_next": False}


@pytest.mark.django_db
def test_search_of_one_answers_links(client, site_manager, assessment):
    answer = assessment.answers.order_by("indicator__position").first()
    mine = make_items(assessment, site_manager, 3, link_to=answer)
    make_items(assessment, site_manager, 4, prefix="Unlinked")
    client.force_login(site_manager)
    url = reverse("evidence:picker", args=[assessment.pk])
    data = client.get(url, {"linked_to": answer.pk}).json()
    assert sorted(r["id"] for r in data["results"]) == sorted(i.pk for i in mine)


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"page": "0"}, "page"),
        ({"page": "two"}, "page"),
        ({"linked_to": "abc"}, "linked_to"),
        ({"linked_to": "²"}, "linked_to"),  # isdigit() but not int()
    ],
)
def test_search_rejects_bad_parameters_clearly(client, site_manager, assessment, params, field):
    client.force_login(site_manager)
    response = client.get(reverse("evidence:picker", args=[assessment.pk]), params)
    assert response.status_code == 400
    assert response.json()["field"] == field and response.json()["code"] in {"page_invalid", "answer_invalid"}


@pytest.mark.django_db
def test_search_is_refused_to_people_who_may_not_see_the_assessment(
    client, site_manager, assessment, outsider, other_manager, reviewer
):
    make_items(assessment, site_manager, 2)
    url = reverse("evidence:picker", args=[assessment.pk])
    for person in (outsider, other_manager, reviewer):
        client.force_login(person)
        assert client.get(url).status_code == 404
    client.logout()
    assert client.get(url).status_code == 302  # to the login page


@pytest.mark.django_db
def test_reviewers_do_not_see_site_team_only_items(client, site_manager, assessment, staff, expert):
    from assessments.tests.helpers import fill_all
    from assessments.workflow import transition
    from reviews.tests.factories import in_review_with_expert

    # given a submitted assessment under review by an expert with no conflict
    fill_all(assessment, site_manager)
    answer = assessment.answers.order_by("indicator__position").first()
    make_items(assessment, site_manager, 1, prefix="Secret", sensitivity="site_team", link_to=answer)
    make_items(assessment, site_manager, 1, prefix="Open", sensitivity="reviewers", link_to=answer)
    transition(assessment, "submitted", by=site_manager)
    in_review_with_expert(assessment, expert=expert, staff=staff)
    search = reverse("evidence:picker", args=[assessment.pk])
    # then the expert finds and sees only what is shared with reviewers
    client.force_login(expert)
    assert [r["title"] for r in client.get(search).json()["results"]] == ["Open 0"]
    html = client.get(reverse("assessments:detail", args=[assessment.pk])).content.decode()
    assert "Open 0" in html and "Secret 0" not in html and "All evidence (1)" in html
    # and may not link anything
    link_page = reverse("evidence:answer-evidence", args=[assessment.pk, answer.pk])
    assert client.get(link_page).status_code == 403
    # while the site team sees both
    client.force_login(site_manager)
    assert {r["title"] for r in client.get(search).json()["results"]} == {"Secret 0", "Open 0"}


@pytest.mark.django_db
def test_query_counts_of_the_new_views_do_not_grow_with_evidence(client, site_manager, assessment):
    answer = assessment.answers.order_by("indicator__position").first()
    client.force_login(site_manager)
    urls = [
        (reverse("evidence:picker", args=[assessment.pk]), {"q": "Doc"}),
        (reverse("evidence:picker", args=[assessment.pk]), {"linked_to": answer.pk}),
        (reverse("evidence:library", args=[assessment.pk]), {"page": 2}),
        (reverse("evidence:answer-evidence", args=[assessment.pk, answer.pk]), {"q": "Doc"}),
        (reverse("assessments:detail", args=[assessment.pk]), {}),
    ]
    make_items(assessment, site_manager, 3, link_to=answer)
    small = [get(client, url, **params)[1] for url, params in urls]
    spread(assessment, make_items(assessment, site_manager, 400))
    make_items(assessment, site_manager, 30, link_to=answer)
    big = [get(client, url, **params)[1] for url, params in urls]
    assert small == big


# --- the link page (no JavaScript) -------------------------------------------------------------


@pytest.mark.django_db
def test_link_page_links_and_unlinks_without_javascript(client, site_manager, assessment):
    answer = assessment.answers.order_by("indicator__position").first()
    make_items(assessment, site_manager, 30, prefix="Patrol report")
    client.force_login(site_manager)
    url = reverse("evidence:answer-evidence", args=[assessment.pk, answer.pk])
    # when I search
    html = client.get(url, {"q": "report 7"}).content.decode()
    target = EvidenceItem.objects.get(title="Patrol report 7")
    assert "Patrol report 7" in html and "Patrol report 8" not in html and 'name="add"' in html
    # and link the item
    response = client.post(f"{url}?q=report+7", {"version": answer.version, "add": target.pk})
    # then it is linked, and I am back on my search
    assert response.status_code == 302 and response["Location"] == f"{url}?q=report+7"
    answer.refresh_from_db()
    assert list(answer.evidence.all()) == [target] and answer.version == 2
    html = client.get(response["Location"]).content.decode()
    assert "Linked “Patrol report 7” to indicator" in html and "Linked to this indicator (1)" in html
    # when I remove it
    client.post(url, {"version": answer.version, "remove": target.pk})
    answer.refresh_from_db()
    assert answer.evidence.count() == 0 and answer.version == 3


@pytest.mark.django_db
def test_link_page_keeps_everything_on_a_stale_version_or_bad_input(
    client, site_manager, assessment, other_manager, other_area
):
    answer = assessment.answers.order_by("indicator__position").first()
    kept, other = make_items(assessment, site_manager, 2, link_to=None)
    answer.evidence.add(kept)
    client.force_login(site_manager)
    url = reverse("evidence:answer-evidence", args=[assessment.pk, answer.pk])
    # a stale version: a conflict message, nothing changed
    response = client.post(url, {"version": answer.version + 5, "add": other.pk}, follow=True)
    assert "was changed by someone else" in response.content.decode()
    assert list(answer.evidence.all()) == [kept]
    # evidence of another site cannot be linked
    elsewhere = assessment_create(protected_area=other_area, user=other_manager, year=2026)
    (foreign,) = make_items(elsewhere, other_manager, 1, prefix="Foreign")
    response = client.post(url, {"version": answer.version, "add": foreign.pk}, follow=True)
    assert response.status_code == 200 and "not evidence of this site" in response.content.decode()
    # garbage ids, and removing what is not linked
    for data in ({"version": "x", "add": other.pk}, {"version": answer.version, "add": "abc"}, {"version": 1}):
        response = client.post(url, data, follow=True)
        assert response.status_code == 200 and "Choose an evidence item" in response.content.decode()
    response = client.post(url, {"version": answer.version, "remove": other.pk}, follow=True)
    assert "is not linked to this indicator" in response.content.decode()
    answer.refresh_from_db()
    assert list(answer.evidence.all()) == [kept] and answer.version == 1


@pytest.mark.django_db
def test_link_page_refuses_people_outside_the_site_team(
    client, site_manager, assessment, outsider, other_manager, staff
):
    answer = assessment.answers.order_by("indicator__position").first()
    (item,) = make_items(assessment, site_manager, 1)
    url = reverse("evidence:answer-evidence", args=[assessment.pk, answer.pk])
    for person in (outsider, other_manager):  # may not know the assessment exists
        client.force_login(person)
        assert client.get(url).status_code == 404
        assert client.post(url, {"version": 1, "add": item.pk}).status_code == 404
    client.force_login(staff)  # may read the assessment, not edit it
    assert client.get(url).status_code == 403
    assert client.post(url, {"version": 1, "add": item.pk}).status_code == 403
    # an answer of another assessment under this one's URL
    client.force_login(site_manager)
    assert client.get(reverse("evidence:answer-evidence", args=[assessment.pk, 999999])).status_code == 404
    assert answer.evidence.count() == 0


@pytest.mark.django_db
def test_link_page_upload_returns_to_the_indicator(client, site_manager, assessment):
    from django.core.files.uploadedfile import SimpleUploadedFile

    answer = assessment.answers.order_by("indicator__position").first()
    client.force_login(site_manager)
    url = reverse("evidence:answer-evidence", args=[assessment.pk, answer.pk])
    assert 'name="back_to_answer"' in client.get(url).content.decode()
    response = client.post(
        reverse("evidence:upload", args=[assessment.pk]),
        {
            "file": SimpleUploadedFile("plan.pdf", b"%PDF-1.4 plan"),
            "sensitivity": "site_team",
            "indicator": answer.indicator_id,
            "back_to_answer": answer.pk,
        },
    )
    assert response.status_code == 302 and response["Location"] == url
    item = EvidenceItem.objects.get(assessment=assessment)
    assert item.sensitivity == "site_team" and list(item.answers.all()) == [answer]
    # a made-up answer id goes back to the assessment instead
    response = client.post(
        reverse("evidence:upload", args=[assessment.pk]),
        {"file": SimpleUploadedFile("b.pdf", b"%PDF-1.4"), "sensitivity": "reviewers", "back_to_answer": "999999"},
    )
    assert response["Location"] == assessment.get_absolute_url()
    # so does one that is a superscript digit ('²'.isdigit() is true but int('²') fails)
    response = client.post(
        reverse("evidence:upload", args=[assessment.pk]),
        {"file": SimpleUploadedFile("c.pdf", b"%PDF-1.4"), "sensitivity": "reviewers", "back_to_answer": "²"},
    )
    assert response.status_code == 302 and response["Location"] == assessment.get_absolute_url()
