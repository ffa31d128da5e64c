"""Adapted sets on the pages and the API: the whole path from a new draft to the site using the
approved set, and every outsider refused (404 for what they may not see, 403 for what they may
not do)."""

from __future__ import annotations

import datetime

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from accounts.tests.factories import Role, make_user
from standards import adaptation
from standards.models import AdaptedIndicator, AdaptedIndicatorSet, ConsultationAttachment, Jurisdiction
from standards.selectors import indicator_set_for
from standards.tests.test_adaptation import ELF, PDF


@pytest.fixture
def keeper(db):
    return make_user(Role.STANDARD_COMMITTEE, email="keeper@example.org")


@pytest.fixture
def other_expert(db):
    lao = Jurisdiction.objects.create(code="la", name="Lao PDR", countries=["LAO"])
    return make_user(Role.EXPERT, email="lao-expert@example.org", jurisdiction=lao)


@pytest.fixture
def draft(standard, jurisdiction, expert):
    return adaptation.adapted_set_create(by=expert, standard=standard, jurisdiction=jurisdiction, title="Viet Nam 2026")


def _as(api_client, user):
    api_client.force_authenticate(user)
    return api_client


# --- the API -------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_api_from_a_new_draft_to_the_approved_set_the_site_uses(
    api_client, expert, keeper, standard, jurisdiction, area
):
    api = _as(api_client, expert)
    created = api.post(
        "/api/v1/adapted-sets/",
        {"standard": standard.pk, "jurisdiction": jurisdiction.pk, "title": "Viet Nam 2026"},
        format="json",
    )
    assert created.status_code == 201, created.json()
    pk, revision = created.json()["id"], created.json()["revision"]
    indicator = standard.indicators.get(number="1.1.1")
    put = api.put(
        f"/api/v1/adapted-sets/{pk}/indicators/",
        {
            "indicator": indicator.pk,
            "revision": revision,
            "text": "The founding decision names the management board.",
            "means_of_verification": ["Decision 123/QD"],
            "translations": {
                "fr": {"text": "La décision nomme le conseil."},
                "es": {"text": "La decisión nombra la junta."},
            },
        },
        format="json",
    )
    assert put.status_code == 200, put.json()
    body = put.json()
    assert body["adaptations"][0]["translations"]["es"] == {"text": "La decisión nombra la junta."}
    # the same revision again: someone else's edit came first
    stale = api.put(
        f"/api/v1/adapted-sets/{pk}/indicators/",
        {"indicator": indicator.pk, "revision": revision, "text": "Other"},
        format="json",
    )
    assert stale.status_code == 409 and stale.json()["code"] == "adapted_set_changed"
    revision = body["revision"]
    closed = timezone.localdate() - datetime.timedelta(days=1)
    consultation = api.put(
        f"/api/v1/adapted-sets/{pk}/consultation/",
        {
            "revision": revision,
            "opened_on": (closed - datetime.timedelta(days=30)).isoformat(),
            "closed_on": closed.isoformat(),
            "who_was_consulted": "Communes",
            "method": "Workshops",
        },
        format="json",
    )
    assert consultation.status_code == 200, consultation.json()
    assert consultation.json()["missing"] == [
        "no comment received is recorded (record at least one, or what was said in the meeting)"
    ]
    comment = api.post(
        f"/api/v1/adapted-sets/{pk}/consultation/comments/",
        {"from_whom": "Commune council", "comment": "Name the board members.", "indicator": indicator.pk},
        format="json",
    )
    assert comment.status_code == 201, comment.json()
    refused = api.post(f"/api/v1/adapted-sets/{pk}/submit/", {}, format="json")
    assert refused.status_code == 400 and refused.json()["code"] == "consultation_incomplete"
    assert refused.json()["missing"] == [
        f"comment #{comment.json()['id']} from Commune council has no recorded response and outcome"
    ]
    revision = api.get(f"/api/v1/adapted-sets/{pk}/").json()["revision"]
    patched = api.patch(
        f"/api/v1/adapted-sets/{pk}/consultation/comments/{comment.json()['id']}/",
        {"revision": revision, "response": "The decree's list is cited.", "outcome": "partly_accepted"},
        format="json",
    )
    assert patched.status_code == 200 and patched.json()["handled"] is True
    upload = api.post(
        f"/api/v1/adapted-sets/{pk}/consultation/attachments/",
        {"file": SimpleUploadedFile("minutes.pdf", PDF), "title": "Minutes"},
        format="multipart",
    )
    assert upload.status_code == 201, upload.json()
    assert api.post(f"/api/v1/adapted-sets/{pk}/submit/", {"note": "Ready"}, format="json").status_code == 200
    # the expert group does not approve its own set; the Committee does
    assert api.post(f"/api/v1/adapted-sets/{pk}/approve/", {}, format="json").status_code == 403
    approved = _as(api_client, keeper).post(f"/api/v1/adapted-sets/{pk}/approve/", {}, format="json")
    assert approved.status_code == 200 and approved.json()["status"] == "approved"
    assert [t["to_status"] for t in approved.json()["transitions"]] == ["submitted", "approved"]
    assert indicator_set_for(area).adapted_set.pk == pk


@pytest.mark.django_db
def test_api_outsiders_get_404_on_a_draft_and_403_on_an_approved_set(
    api_client, draft, other_expert, site_manager, staff, expert, keeper, standard
):
    indicator = standard.indicators.get(number="1.1.1")
    writes = [
        (
            "put",
            f"/api/v1/adapted-sets/{draft.pk}/indicators/",
            {"indicator": indicator.pk, "revision": 1, "text": "X"},
        ),
        ("put", f"/api/v1/adapted-sets/{draft.pk}/consultation/", {"revision": 1, "method": "X"}),
        ("post", f"/api/v1/adapted-sets/{draft.pk}/consultation/comments/", {"from_whom": "A", "comment": "B"}),
        ("post", f"/api/v1/adapted-sets/{draft.pk}/submit/", {}),
        ("post", f"/api/v1/adapted-sets/{draft.pk}/approve/", {}),
        ("post", f"/api/v1/adapted-sets/{draft.pk}/return/", {"note": "No"}),
    ]
    for outsider in (other_expert, site_manager, staff):
        api = _as(api_client, outsider)
        assert api.get("/api/v1/adapted-sets/").json()["count"] == 0
        assert api.get(f"/api/v1/adapted-sets/{draft.pk}/").status_code == 404
        assert api.get(f"/api/v1/adapted-sets/{draft.pk}/consultation/").status_code == 404
        for method, url, data in writes:
            assert getattr(api, method)(url, data, format="json").status_code == 404, (outsider, url)
    api_client.force_authenticate(None)
    assert api_client.get("/api/v1/adapted-sets/").status_code == 403
    # approved: readable by anyone logged in, changed by nobody
    AdaptedIndicator.objects.create(adapted_set=draft, indicator=indicator, text="Adapted")
    AdaptedIndicatorSet.objects.filter(pk=draft.pk).update(
        status="approved", approved_by=keeper, approved_on=timezone.localdate()
    )
    for outsider in (other_expert, site_manager, staff):
        api = _as(api_client, outsider)
        assert api.get(f"/api/v1/adapted-sets/{draft.pk}/").status_code == 200
        for method, url, data in writes:
            response = getattr(api, method)(url, data, format="json")
            assert response.status_code == 403, (outsider, url, response.json())
    # the expert group and the Committee see it too, and it no longer changes
    response = _as(api_client, expert).put(writes[0][1], writes[0][2], format="json")
    assert response.status_code == 409 and response.json()["code"] == "adapted_set_frozen"


@pytest.mark.django_db
def test_api_refuses_a_program_renamed_pdf(api_client, draft, expert):
    response = _as(api_client, expert).post(
        f"/api/v1/adapted-sets/{draft.pk}/consultation/attachments/",
        {"file": SimpleUploadedFile("minutes.pdf", ELF)},
        format="multipart",
    )
    assert response.status_code == 400
    assert response.json()["code"] == "attachment_type_refused" and response.json()["field"] == "file"
    assert not ConsultationAttachment.objects.exists()


@pytest.mark.django_db
def test_api_bad_input_is_a_400_not_a_500(api_client, draft, expert, standard):
    api = _as(api_client, expert)
    cases = [
        ("put", f"/api/v1/adapted-sets/{draft.pk}/indicators/", {"indicator": "x", "revision": 1}),
        ("put", f"/api/v1/adapted-sets/{draft.pk}/indicators/", {"indicator": 1, "text": "no revision"}),
        ("put", f"/api/v1/adapted-sets/{draft.pk}/indicators/", {"indicator": 1, "revision": 1, "translations": "fr"}),
        ("put", f"/api/v1/adapted-sets/{draft.pk}/consultation/", {"revision": 1, "opened_on": "yesterday"}),
        ("post", f"/api/v1/adapted-sets/{draft.pk}/consultation/comments/", {"from_whom": "A", "outcome": "maybe"}),
        ("post", f"/api/v1/adapted-sets/{draft.pk}/consultation/comments/", {"from_whom": "", "comment": "B"}),
        ("post", "/api/v1/adapted-sets/", {"standard": 999999, "jurisdiction": draft.jurisdiction_id, "title": "T"}),
    ]
    for method, url, data in cases:
        response = getattr(api, method)(url, data, format="json")
        assert response.status_code == 400, (url, data, response.content)
    missing = api.patch(
        f"/api/v1/adapted-sets/{draft.pk}/consultation/comments/999999/", {"revision": 1}, format="json"
    )
    assert missing.status_code == 404


# --- the pages -----------------------------------------------------------------------------------


@pytest.mark.django_db
def test_pages_draft_adapt_consult_submit_and_approve(client, expert, keeper, standard, jurisdiction):
    client.force_login(expert)
    assert client.get("/standard/adapted/").status_code == 200
    assert client.get("/standard/adapted/new/").status_code == 200
    created = client.post(
        "/standard/adapted/new/", {"title": "Viet Nam 2026", "jurisdiction": jurisdiction.pk, "standard": standard.pk}
    )
    adapted_set = AdaptedIndicatorSet.objects.get()
    assert created.status_code == 302 and created["Location"] == f"/standard/adapted/{adapted_set.pk}/"
    indicator = standard.indicators.get(number="1.1.1")
    edit_url = f"/standard/adapted/{adapted_set.pk}/indicators/{indicator.pk}/edit/"
    page = client.get(edit_url)
    assert page.status_code == 200 and 'name="text_fr"' in page.content.decode()
    saved = client.post(
        edit_url,
        {
            "revision": 1,
            "text": "Adapted wording",
            "means_of_verification": "Decree\nMinutes",
            "text_fr": "Texte adapté",
        },
    )
    assert saved.status_code == 302
    adapted = AdaptedIndicator.objects.get()
    assert adapted.means_of_verification == ["Decree", "Minutes"] and adapted.translations == {
        "fr": {"text": "Texte adapté"}
    }
    # a form drawn at an old revision is refused with the reason, and what was typed is kept
    stale = client.post(edit_url, {"revision": 1, "text": "Mine"})
    assert stale.status_code == 409 and "Someone changed the set" in stale.content.decode()
    assert "Mine" in stale.content.decode()
    closed = timezone.localdate() - datetime.timedelta(days=1)
    assert (
        client.post(
            f"/standard/adapted/{adapted_set.pk}/consultation/",
            {
                "revision": 2,
                "opened_on": (closed - datetime.timedelta(days=20)).isoformat(),
                "closed_on": closed.isoformat(),
                "who_was_consulted": "Communes",
                "method": "Workshops",
            },
        ).status_code
        == 302
    )
    client.post(
        f"/standard/adapted/{adapted_set.pk}/consultation/comments/",
        {"from_whom": "Council", "comment": "Clearer", "response": "Done", "outcome": "accepted"},
    )
    client.post(
        f"/standard/adapted/{adapted_set.pk}/consultation/attachments/",
        {"file": SimpleUploadedFile("minutes.pdf", PDF), "title": "Minutes"},
    )
    attachment = ConsultationAttachment.objects.get()
    detail = client.get(f"/standard/adapted/{adapted_set.pk}/").content.decode()
    assert "Adapted wording" in detail and "Council" in detail and "Minutes" in detail
    assert "Submit for approval" in detail
    # submit: a confirmation first, nothing changes; then the confirmation's own submit
    confirm = client.post(f"/standard/adapted/{adapted_set.pk}/move/", {"to": "submitted"})
    assert confirm.status_code == 200 and "Nothing has changed yet" in confirm.content.decode()
    assert AdaptedIndicatorSet.objects.get().status == "draft"
    client.post(f"/standard/adapted/{adapted_set.pk}/move/", {"to": "submitted", "confirm": "yes"})
    assert AdaptedIndicatorSet.objects.get().status == "submitted"
    # the expert group may not approve: 403 before anything is read
    assert (
        client.post(f"/standard/adapted/{adapted_set.pk}/move/", {"to": "approved", "confirm": "yes"}).status_code
        == 403
    )
    client.force_login(keeper)
    client.post(f"/standard/adapted/{adapted_set.pk}/move/", {"to": "approved", "confirm": "yes"})
    assert AdaptedIndicatorSet.objects.get().status == "approved"
    # anyone logged in reads the approved set and downloads its documents, as attachments
    reader = make_user(None, email="reader@example.org")
    client.force_login(reader)
    page = client.get(f"/standard/adapted/{adapted_set.pk}/").content.decode()
    assert "Adapted wording" in page and "Edit the adaptation" not in page
    download = client.get(f"/standard/adapted/{adapted_set.pk}/consultation/attachments/{attachment.pk}/")
    assert download.status_code == 200
    assert download["Content-Type"] == "application/octet-stream"
    assert (
        download["Content-Disposition"].startswith("attachment;") and "minutes.pdf" in download["Content-Disposition"]
    )
    assert download["X-Content-Type-Options"] == "nosniff"
    assert b"".join(download.streaming_content) == PDF


@pytest.mark.django_db
def test_pages_refuse_outsiders(client, draft, other_expert, site_manager, staff, standard):
    indicator = standard.indicators.get(number="1.1.1")
    attachment = adaptation.attachment_add(
        adapted_set=draft, by=draft.created_by, file=SimpleUploadedFile("m.pdf", PDF)
    )
    urls = [
        f"/standard/adapted/{draft.pk}/",
        f"/standard/adapted/{draft.pk}/indicators/{indicator.pk}/edit/",
        f"/standard/adapted/{draft.pk}/consultation/",
        f"/standard/adapted/{draft.pk}/consultation/attachments/{attachment.pk}/",
    ]
    for outsider in (other_expert, site_manager, staff):
        client.force_login(outsider)
        assert draft.title not in client.get("/standard/adapted/").content.decode()
        for url in urls:
            assert client.get(url).status_code == 404, (outsider, url)
        assert client.post(f"/standard/adapted/{draft.pk}/move/", {"to": "submitted"}).status_code == 404
        # a site manager, plain staff and another jurisdiction's expert may not start one here either
        response = client.post(
            "/standard/adapted/new/", {"title": "T", "jurisdiction": draft.jurisdiction_id, "standard": standard.pk}
        )
        assert response.status_code in (400, 403)
        assert AdaptedIndicatorSet.objects.count() == 1
    client.logout()
    assert client.get("/standard/adapted/").status_code == 302


@pytest.mark.django_db
def test_the_page_flashes_a_refused_document(client, draft, expert):
    client.force_login(expert)
    response = client.post(
        f"/standard/adapted/{draft.pk}/consultation/attachments/",
        {"file": SimpleUploadedFile("setup.pdf", ELF)},
        follow=True,
    )
    assert response.status_code == 200
    assert "its content is not a PDF document" in response.content.decode()
    assert not ConsultationAttachment.objects.exists()
