"""The server's part of the installable, offline-first app (issue 17; greenlist/offline.py): the manifest,
the service worker's script and the logout that clears the device. What the browser does with them is
walked in tests/journeys/test_offline.py."""

import pytest
from django.contrib.staticfiles import finders


@pytest.mark.django_db
def test_the_manifest_makes_the_site_installable_in_the_pages_language(client):
    # given the manifest a French page links
    response = client.get("/manifest.webmanifest?l=fr")

    # then it is a manifest, in French, opening the home page in a window of its own
    assert response.status_code == 200
    assert response["Content-Type"] == "application/manifest+json"
    body = response.json()
    assert body["lang"] == "fr" and body["name"] != "IUCN Green List platform"
    assert body["start_url"] == "/" and body["scope"] == "/" and body["display"] == "standalone"
    # with icons of both sizes, ordinary and maskable, each a file that exists
    assert {(i["sizes"], i["purpose"]) for i in body["icons"]} == {
        ("192x192", "any"),
        ("512x512", "any"),
        ("192x192", "maskable"),
        ("512x512", "maskable"),
    }
    for icon in body["icons"]:
        assert finders.find(icon["src"].removeprefix("/static/")), icon["src"]


@pytest.mark.django_db
def test_every_page_links_the_manifest_and_the_csp_allows_it(client, site_manager):
    page = client.get("/accounts/login/")
    assert b'rel="manifest" href="/manifest.webmanifest?l=' in page.content
    assert "manifest-src 'self'" in page["Content-Security-Policy"]
    assert "worker-src 'self'" in page["Content-Security-Policy"]
    # the worker is registered (and the person named for the device's offline data) only once logged in
    assert b'name="service-worker"' not in page.content
    client.force_login(site_manager)
    assert f'name="greenlist-user" content="{site_manager.pk}"'.encode() in client.get("/").content
    # and every page names whom it was drawn for: the worker keeps it only in that person's cache
    assert client.get("/")["Greenlist-User"] == str(site_manager.pk)
    assert "Greenlist-User" not in client.get("/manifest.webmanifest")


@pytest.mark.django_db
def test_the_service_worker_is_served_from_the_root_never_cached(client):
    response = client.get("/sw.js")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/javascript")
    assert response["Service-Worker-Allowed"] == "/"
    assert "no-cache" in response["Cache-Control"]
    assert b'addEventListener("fetch"' in response.content


@pytest.mark.django_db
def test_logout_asks_the_browser_to_clear_what_the_site_kept(client, site_manager):
    client.force_login(site_manager)
    response = client.post("/accounts/logout/")
    assert response.status_code == 302
    assert response["Clear-Site-Data"] == '"cache", "storage"'
    assert "_auth_user_id" not in client.session


@pytest.mark.django_db
def test_an_experts_review_saved_elsewhere_meanwhile_is_not_overwritten(client, area, site_manager, staff, expert):
    # given an expert's review saved from a laptop after their phone loaded the page (no review then)
    import datetime

    from django.utils import timezone

    from reviews import services as review
    from reviews.models import IndicatorReview
    from reviews.tests.factories import submitted_assessment

    assessment = submitted_assessment(area=area, manager=site_manager, staff=staff, n_indicators=1)
    review.review_start(assessment=assessment, by=staff)
    due = timezone.localdate() + datetime.timedelta(days=30)
    seat = review.assignment_create(assessment=assessment, assignee=expert, role="expert", due_date=due, by=staff)
    review.conflict_declare(assignment=seat, by=expert, has_conflict=False)
    answer = assessment.answers.get()
    laptop = review.indicator_review_save(
        assessment=assessment, answer=answer, by=expert, rating="meets", finding="Vu au bureau.", seen=""
    )
    client.force_login(expert)
    url = f"/reviews/assessments/{assessment.pk}/indicators/{answer.pk}/review/"

    # when the phone's change, made from the page drawn before, arrives
    response = client.post(url, {"rating": "does_not_meet", "finding": "Vu sur le terrain.", "seen": ""})

    # then nothing is overwritten: 409, the saved review shown beside what was sent, kept in the form
    assert response.status_code == 409
    page = response.content.decode()
    assert "Vu au bureau." in page and "Vu sur le terrain." in page
    assert IndicatorReview.objects.get(pk=laptop.pk).finding == "Vu au bureau."
    # and the API says the same, with the saved one
    api = client.post(
        f"/api/v1/review-assessments/{assessment.pk}/indicator-reviews/",
        {"answer": answer.pk, "rating": "does_not_meet", "seen": "2020-01-01T00:00:00+00:00"},
        content_type="application/json",
    )
    assert api.status_code == 409 and api.json()["code"] == "review_changed"
    assert api.json()["current"]["finding"] == "Vu au bureau."
    # when it is sent again from the page as now drawn (its `seen`), it is saved
    response = client.post(
        url, {"rating": "does_not_meet", "finding": "Vu sur le terrain.", "seen": laptop.updated_at.isoformat()}
    )
    assert response.status_code == 302
    assert IndicatorReview.objects.get(pk=laptop.pk).finding == "Vu sur le terrain."


@pytest.mark.django_db
def test_the_outbox_says_nothing_is_waiting_only_once_it_has_looked(client, area, site_manager):
    # given the page of an assessment, drawn by the server (which cannot know what a device holds)
    from assessments.services import assessment_create
    from reviews.tests.factories import make_standard

    make_standard(1)
    assessment = assessment_create(protected_area=area, user=site_manager, year=2026)
    client.force_login(site_manager)
    for url in (f"/assessments/{assessment.pk}/", "/offline/"):
        page = client.get(url).content.decode()
        # then its outbox claims no state: static/js/offline/outbox.js says "sent" or "waiting" once it has
        # read the device (a "sent" drawn here let the offline journey check the server before anything
        # was sent: tests/journeys/test_offline.py, the expert's rating)
        assert 'class="outbox js-outbox" hidden>' in page, url
        assert 'data-state="sent"' not in page, url
