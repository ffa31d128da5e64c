"""The assessment page answers conditional requests (issue 17, core.freshness): unchanged → 304
without drawing the page, in a constant handful of queries; any change by anyone → 200 with the
new data; the tag belongs to one person, one language and one CSRF secret."""

import datetime
import threading
import time

import pytest
import time_machine
from django.db import connection, transaction
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from accounts.tests.factories import Role, make_user
from assessments.models import Answer
from assessments.services import answer_save
from core.freshness import CACHE_CONTROL, CHANGED_UNTIL_MARGIN
from evidence.models import EvidenceItem

pytestmark = pytest.mark.django_db


def url(assessment):
    return reverse("assessments:detail", args=[assessment.pk])


def first_visit(client, assessment):
    response = client.get(url(assessment))
    assert response.status_code == 200
    assert response.headers["Cache-Control"] == CACHE_CONTROL
    assert response.headers["ETag"]
    return response.headers["ETag"]


def again(client, assessment, etag):
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url(assessment), HTTP_IF_NONE_MATCH=etag)
    return response, len(ctx.captured_queries)


def add_evidence(assessment, user, n):
    answers = list(assessment.answers.order_by("pk"))
    for i in range(n):
        item = EvidenceItem.objects.create(
            assessment=assessment, title=f"Piece {i}", file=f"x/{i}.pdf", original_filename=f"{i}.pdf", size=10,
            uploaded_by=user,
        )  # fmt: skip
        answers[i % len(answers)].evidence.add(item)


def test_unchanged_page_is_304_in_few_queries_and_any_change_redraws_it(assessment, site_manager, area):
    colleague = make_user(Role.SITE_MANAGER, email="colleague@example.org", protected_area=area)
    client = Client()
    client.force_login(site_manager)
    etag = first_visit(client, assessment)

    response, small_queries = again(client, assessment, etag)
    assert response.status_code == 304
    assert response.content == b""
    assert response.headers["Cache-Control"] == CACHE_CONTROL
    # The session, the person (and their 2FA device), roles and review seats, then the
    # assessment and its one fingerprint query: not the page's dozens.
    assert small_queries <= 7

    # More data: the same 304, in the same number of queries.
    add_evidence(assessment, site_manager, 30)
    etag = first_visit(client, assessment)
    response, large_queries = again(client, assessment, etag)
    assert response.status_code == 304
    assert large_queries == small_queries

    # A colleague's answer: drawn again, with their text.
    answer = Answer.objects.filter(assessment=assessment).order_by("pk").first()
    answer_save(
        answer=answer, user=colleague, expected_version=answer.version, changes={"justification": "Zebra count"}
    )
    response, _ = again(client, assessment, etag)
    assert response.status_code == 200
    assert "Zebra count" in response.content.decode()
    assert response.headers["ETag"] != etag
    etag = response.headers["ETag"]

    # Evidence taken away from an indicator: drawn again.
    answer.evidence.remove(answer.evidence.first())
    response, _ = again(client, assessment, etag)
    assert response.status_code == 200


def test_the_tag_belongs_to_one_person_language_and_csrf_secret(assessment, site_manager, staff, outsider):
    client = Client()
    client.force_login(site_manager)
    etag = first_visit(client, assessment)

    # Staff may see the page too, but never through the site manager's tag.
    other = Client()
    other.force_login(staff)
    first_visit(other, assessment)
    assert other.get(url(assessment), HTTP_IF_NONE_MATCH=etag).status_code == 200
    # Someone who may not see the assessment learns nothing from a tag: 404.
    stranger = Client()
    stranger.force_login(outsider)
    stranger.get("/")
    assert stranger.get(url(assessment), HTTP_IF_NONE_MATCH=etag).status_code == 404

    # Another day: pages say "due in 3 days", so a new day draws them anew.
    evening = datetime.datetime.combine(timezone.localdate(), datetime.time(23, 58), timezone.get_current_timezone())
    late = Client()
    with time_machine.travel(evening, tick=False):
        late.force_login(site_manager)
        late_etag = first_visit(late, assessment)
        assert late.get(url(assessment), HTTP_IF_NONE_MATCH=late_etag).status_code == 304
    with time_machine.travel(evening + datetime.timedelta(minutes=4), tick=False):
        assert late.get(url(assessment), HTTP_IF_NONE_MATCH=late_etag).status_code == 200

    # Another language: another page.
    response = client.get(url(assessment), HTTP_IF_NONE_MATCH=etag, HTTP_ACCEPT_LANGUAGE="fr")
    assert response.status_code == 200
    assert response.headers["ETag"] != etag

    # A new CSRF secret (a new login rotates it): the cached page's forms would carry a dead token.
    client.force_login(site_manager)
    client.cookies.pop("csrftoken", None)
    client.get(reverse("assessments:list"))
    assert client.get(url(assessment), HTTP_IF_NONE_MATCH=etag).status_code == 200


def test_a_page_with_a_message_is_drawn_and_not_tagged(assessment, site_manager):
    client = Client()
    client.force_login(site_manager)
    etag = first_visit(client, assessment)
    answer = Answer.objects.filter(assessment=assessment).order_by("pk").first()
    response = client.post(
        reverse("assessments:answer", args=[assessment.pk, answer.pk]),
        {"version": answer.version, "rating": "", "justification": "Saved here"},
    )
    assert response.status_code == 302
    # The "saved" note shows on the page it leads to, which no later 304 may bring back.
    response = client.get(url(assessment), HTTP_IF_NONE_MATCH=etag)
    assert response.status_code == 200
    assert "ETag" not in response.headers
    assert first_visit(client, assessment) != etag


def test_answers_api_sends_only_what_changed_since_and_answers_304(api_client, assessment, site_manager, area):
    colleague = make_user(Role.SITE_MANAGER, email="colleague@example.org", protected_area=area)
    api_client.force_authenticate(site_manager)
    list_url = reverse("assessment-answer-list", args=[assessment.pk])
    # Saved a while ago: `until` lies a little before the read (CHANGED_UNTIL_MARGIN).
    Answer.objects.filter(assessment=assessment).update(updated_at=timezone.now() - datetime.timedelta(minutes=5))
    first = api_client.get(list_url)
    assert first.status_code == 200 and len(first.json()) == assessment.answers.count()
    until = first.headers["Greenlist-Changed-Until"]
    # Unchanged: only the answers saved since (none), and a 304 for the ETag held.
    assert api_client.get(list_url, {"changed_since": until}).json() == []
    assert api_client.get(list_url, HTTP_IF_NONE_MATCH=first.headers["ETag"]).status_code == 304

    answer = Answer.objects.filter(assessment=assessment).order_by("pk").first()
    answer_save(answer=answer, user=colleague, expected_version=answer.version, changes={"justification": "Otter den"})
    changed = api_client.get(list_url, {"changed_since": until})
    assert [a["id"] for a in changed.json()] == [answer.pk]
    assert changed.json()[0]["justification"] == "Otter den"
    assert api_client.get(list_url, HTTP_IF_NONE_MATCH=first.headers["ETag"]).status_code == 200

    refused = api_client.get(list_url, {"changed_since": "yesterday"})
    assert refused.status_code == 400
    assert refused.json()["code"] == "changed_since_invalid" and refused.json()["field"] == "changed_since"
    # A moment without its offset is ambiguous: refused too.
    assert api_client.get(list_url, {"changed_since": "2026-05-01T08:30:00"}).status_code == 400


@pytest.mark.django_db(transaction=True)
def test_an_answer_saved_during_a_read_and_committed_after_it_comes_with_the_next_read(
    api_client, assessment, site_manager, area
):
    """`auto_now` stamps an answer before its transaction commits: a read in between must not hand
    out a moment that lets that answer slip through for good (review M4)."""
    colleague = make_user(Role.SITE_MANAGER, email="colleague@example.org", protected_area=area)
    api_client.force_authenticate(site_manager)
    list_url = reverse("assessment-answer-list", args=[assessment.pk])
    Answer.objects.filter(assessment=assessment).update(updated_at=timezone.now() - datetime.timedelta(minutes=5))
    since = api_client.get(list_url).headers["Greenlist-Changed-Until"]
    answer = Answer.objects.filter(assessment=assessment).order_by("pk").first()
    stamped, commit = threading.Event(), threading.Event()

    def colleague_saves_but_commits_late():
        try:
            with transaction.atomic():
                answer_save(
                    answer=answer, user=colleague, expected_version=answer.version, changes={"justification": "Otter"}
                )
                stamped.set()
                commit.wait(30)
        finally:
            db_connection = transaction.get_connection()
            db_connection.close()

    writer = threading.Thread(target=colleague_saves_but_commits_late)
    writer.start()
    try:
        assert stamped.wait(30)
        time.sleep(CHANGED_UNTIL_MARGIN.total_seconds() + 0.5)  # the read comes well after the stamp
        during = api_client.get(list_url, {"changed_since": since})
        assert during.json() == []  # not committed yet: not seen
    finally:
        commit.set()
        writer.join(30)
    after = api_client.get(list_url, {"changed_since": during.headers["Greenlist-Changed-Until"]})
    assert [a["justification"] for a in after.json()] == ["Otter"]
