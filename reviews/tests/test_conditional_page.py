"""The review page answers conditional requests (issue 17, core.freshness): unchanged → 304; an
expert's review, a group finding or the site's reply to a question → 200 with it; one expert's tag
is never another's."""

import pytest
from django.db import transaction
from django.test import Client
from django.urls import reverse

from core.freshness import CACHE_CONTROL
from reviews import services
from reviews.models import InformationReply
from reviews.tests.factories import answers_of

pytestmark = pytest.mark.django_db


def test_review_page_is_304_until_someone_changes_it(team, expert, reviewer, site_manager):
    assessment = team["assessment"]
    url = reverse("reviews:review", args=[assessment.pk])
    client = Client()
    client.force_login(expert)
    first = client.get(url)
    assert first.status_code == 200 and first.headers["Cache-Control"] == CACHE_CONTROL
    etag = first.headers["ETag"]
    assert client.get(url, HTTP_IF_NONE_MATCH=etag).status_code == 304

    # The independent reviewer's tag is their own.
    other = Client()
    other.force_login(reviewer)
    other.get(url)
    assert other.get(url, HTTP_IF_NONE_MATCH=etag).status_code == 200

    # A question asked, then the site's reply (three steps from the assessment): each redraws it.
    answer = answers_of(assessment)[0]
    question = services.information_request_create(assessment=assessment, answer=answer, by=expert, question="Maps?")
    response = client.get(url, HTTP_IF_NONE_MATCH=etag)
    assert response.status_code == 200
    etag = response.headers["ETag"]
    assert client.get(url, HTTP_IF_NONE_MATCH=etag).status_code == 304
    reply = services.information_reply_create(request=question, by=site_manager, text="Ranger patrol sheets")
    response = client.get(url, HTTP_IF_NONE_MATCH=etag)
    assert response.status_code == 200
    # The thread is in the indicator's details, loaded when it is opened: it answers 304 the same way.
    details = reverse("reviews:indicator-part", args=[assessment.pk, answer.pk])
    response = client.get(details)
    assert response.status_code == 200 and response.headers["Cache-Control"] == CACHE_CONTROL
    assert "Ranger patrol sheets" in response.content.decode()
    etag = response.headers["ETag"]
    assert client.get(details, HTTP_IF_NONE_MATCH=etag).status_code == 304
    assert other.get(details, HTTP_IF_NONE_MATCH=etag).status_code == 200  # the reviewer's tag is their own
    # Any write counts, however made (here a bulk update, as the admin or a script might).
    with transaction.atomic():
        InformationReply.objects.filter(pk=reply.pk).update(text="Ranger patrol sheets, 2025")
    response = client.get(details, HTTP_IF_NONE_MATCH=etag)
    assert response.status_code == 200
    assert "Ranger patrol sheets, 2025" in response.content.decode()
