"""The API of the Standard's authoring (/api/v1/, standards/api/authoring.py; issue 14)."""

import pytest
from rest_framework.test import APIClient

from accounts.tests.factories import Role, make_user
from audit.models import AuditEvent
from standards import authoring
from standards.models import Component, Criterion, Indicator, Standard


@pytest.fixture
def keeper(db):
    return make_user(Role.STANDARD_COMMITTEE, email="keeper@example.org")


@pytest.fixture
def draft(standard, keeper):
    return authoring.draft_create(source=standard, by=keeper, version="1.2")


def api(user):
    client = APIClient()
    if user is not None:
        client.force_authenticate(user)
    return client


def first(draft):
    return Indicator.objects.filter(standard=draft).order_by("position").first()


def first_criterion(draft):
    return Criterion.objects.filter(component__standard=draft).order_by("component__position", "position").first()


def test_a_keeper_drafts_edits_moves_and_publishes_through_the_api(standard, keeper):
    client = api(keeper)
    # create
    r = client.post(f"/api/v1/standards/{standard.pk}/drafts/", {"version": "1.2"}, format="json")
    assert r.status_code == 201, r.json()
    body = r.json()
    assert body["status"] == "draft" and body["revision"] == 1 and body["based_on"] == standard.pk
    draft_id = body["id"]
    draft = Standard.objects.get(pk=draft_id)
    # meta
    r = client.patch(
        f"/api/v1/standard-drafts/{draft_id}/",
        {"revision": 1, "provenance": "Committee, March", "texts": {"fr": {"title": "Norme"}}},
        format="json",
    )
    assert r.status_code == 200 and r.json()["revision"] == 2 and r.json()["translations"]["fr"] == {"title": "Norme"}
    # an indicator: French, MoV, SDGs, wording
    indicator = first(draft)
    r = client.patch(
        f"/api/v1/standard-indicators/{indicator.pk}/",
        {
            "revision": 2,
            "texts": {"fr": {"title": "Titre", "means_of_verification": ["Décret", "Carte"]}},
            "sdgs": [15],
            "wording": "official",
        },
        format="json",
    )
    assert r.status_code == 200, r.json()
    french = r.json()["translations"]["fr"]
    assert (french["title"], french["means_of_verification"]) == ("Titre", ["Décret", "Carte"])
    assert r.json()["sdgs"] == [15] and r.json()["revision"] == 3 and r.json()["lineage"] == indicator.lineage
    # component and criterion texts
    component = Component.objects.filter(standard=draft).order_by("position").first()
    r = client.patch(
        f"/api/v1/standard-components/{component.pk}/", {"revision": 3, "texts": {"es": {"title": "G"}}}, format="json"
    )
    assert r.status_code == 200 and r.json()["revision"] == 4
    criterion = first_criterion(draft)
    r = client.patch(
        f"/api/v1/standard-criteria/{criterion.pk}/", {"revision": 4, "texts": {"en": {"title": "C"}}}, format="json"
    )
    assert r.status_code == 200 and r.json()["title"] == "C" and r.json()["revision"] == 5
    # add at the end, move it first, remove it
    r = client.post(
        f"/api/v1/standard-drafts/{draft_id}/indicators/",
        {"revision": 5, "criterion": criterion.pk, "texts": {"en": {"title": "New", "text": "Text"}}, "sdgs": [6]},
        format="json",
    )
    assert r.status_code == 201, r.json()
    new_id = r.json()["id"]
    n = criterion.indicators.count()
    assert r.json()["number"] == f"{criterion.number}.{n}"
    r = client.post(
        f"/api/v1/standard-indicators/{new_id}/move/",
        {"revision": 6, "criterion": criterion.pk, "position": 1},
        format="json",
    )
    assert r.status_code == 200 and r.json()["number"] == f"{criterion.number}.1"
    r = client.delete(f"/api/v1/standard-indicators/{new_id}/?revision=7")
    assert r.status_code == 204 and not Indicator.objects.filter(pk=new_id).exists()
    # publish
    r = client.post(f"/api/v1/standard-drafts/{draft_id}/publish/", {"revision": 8}, format="json")
    assert r.status_code == 200, r.json()
    assert r.json()["status"] == "published" and len(r.json()["source_sha256"]) == 64
    # and from now on it never changes
    r = client.patch(f"/api/v1/standard-indicators/{indicator.pk}/", {"revision": 9, "sdgs": [1]}, format="json")
    assert r.status_code == 409 and r.json()["code"] == "standard_published_frozen"


def test_a_stale_revision_is_409_with_the_current_one(draft, keeper):
    indicator = first(draft)
    client = api(keeper)
    assert (
        client.patch(
            f"/api/v1/standard-indicators/{indicator.pk}/", {"revision": 1, "sdgs": [3]}, format="json"
        ).status_code
        == 200
    )
    r = client.patch(f"/api/v1/standard-indicators/{indicator.pk}/", {"revision": 1, "sdgs": [4]}, format="json")
    assert r.status_code == 409
    assert r.json()["code"] == "standard_draft_changed" and r.json()["revision"] == 2
    assert Indicator.objects.get(pk=indicator.pk).sdgs == [3]


def test_bad_input_is_400_with_every_problem(draft, keeper):
    indicator = first(draft)
    client = api(keeper)
    r = client.patch(
        f"/api/v1/standard-indicators/{indicator.pk}/",
        {"revision": 1, "texts": {"en": {"title": ""}, "xx": {"title": "?"}}, "sdgs": [99]},
        format="json",
    )
    assert r.status_code == 400 and r.json()["code"] == "standard_draft_invalid"
    assert len(r.json()["problems"]) == 3
    # a field the operation does not take, a missing revision
    r = client.patch(f"/api/v1/standard-indicators/{indicator.pk}/", {"revision": 1, "colour": "red"}, format="json")
    assert r.status_code == 400 and "colour" in r.json()["errors"]
    r = client.delete(f"/api/v1/standard-indicators/{indicator.pk}/")
    assert r.status_code == 400 and "revision" in r.json()["errors"]
    r = client.post(
        f"/api/v1/standard-indicators/{indicator.pk}/move/",
        {"revision": 1, "criterion": 999999, "position": 1},
        format="json",
    )
    assert r.status_code == 400
    assert Standard.objects.get(pk=draft.pk).revision == 1


def test_publishing_an_invalid_draft_is_400_listing_every_problem(draft, keeper):
    Indicator.objects.filter(standard=draft, number__in=["1.1.1", "3.1.1", "4.1.1"]).update(wording="invented")
    r = api(keeper).post(f"/api/v1/standard-drafts/{draft.pk}/publish/", {"revision": 1}, format="json")
    assert r.status_code == 400 and r.json()["code"] == "standard_draft_not_publishable"
    assert sorted(p["number"] for p in r.json()["problems"]) == ["1.1.1", "3.1.1", "4.1.1"]
    assert Standard.objects.get(pk=draft.pk).is_draft


@pytest.mark.parametrize("who", ["staff", "admin_user", "site_manager", "expert", "reviewer"])
def test_non_keepers_are_refused(request, standard, draft, who):
    # IUCN staff without the Committee role too: 403 on what they see, 404 on drafts they do not
    client = api(request.getfixturevalue(who))
    published_indicator = Indicator.objects.filter(standard=standard).first()
    before = AuditEvent.objects.count()
    r = client.post(f"/api/v1/standards/{standard.pk}/drafts/", {"version": "9"}, format="json")
    assert r.status_code == 403 and r.json()["code"] == "standard_keepers_only"
    r = client.patch(
        f"/api/v1/standard-indicators/{published_indicator.pk}/", {"revision": 1, "sdgs": [1]}, format="json"
    )
    assert r.status_code == 403
    for method, url in (
        ("patch", f"/api/v1/standard-drafts/{draft.pk}/"),
        ("post", f"/api/v1/standard-drafts/{draft.pk}/publish/"),
        ("patch", f"/api/v1/standard-indicators/{first(draft).pk}/"),
        ("delete", f"/api/v1/standard-drafts/{draft.pk}/"),
    ):
        assert getattr(client, method)(url, {"revision": 1}, format="json").status_code == 404, url
    assert AuditEvent.objects.count() == before
    assert Standard.objects.get(pk=draft.pk).revision == 1


def test_anonymous_and_unknown(draft, keeper):
    assert api(None).post(f"/api/v1/standard-drafts/{draft.pk}/publish/", {"revision": 1}).status_code == 403
    assert api(keeper).patch("/api/v1/standard-indicators/999999/", {"revision": 1}, format="json").status_code == 404
    assert api(keeper).post("/api/v1/standards/999999/drafts/", {"version": "3"}, format="json").status_code == 404


def test_delete_a_draft(draft, keeper):
    assert api(keeper).delete(f"/api/v1/standard-drafts/{draft.pk}/").status_code == 204
    assert not Standard.objects.filter(pk=draft.pk).exists()
