"""The translation state of a version (standards.translation_state, its page and its API)."""

import pytest

from accounts.tests.factories import Role, make_user
from standards.content import create_version
from standards.models import Indicator, Standard
from standards.tests.test_diff import content
from standards.translation_state import translation_state


@pytest.fixture
def keeper(db):
    return make_user(Role.STANDARD_COMMITTEE, email="keeper@example.org")


@pytest.fixture
def small(db):
    """1 component (title in French), 2 criteria, 4 indicators (one text in French, one list of
    means of verification); no description or guidance: nothing to translate there."""
    return create_version(content(), status=Standard.Status.PUBLISHED)


@pytest.fixture
def small_draft(db, keeper):
    data = content()
    data["standard"]["version"] = "1.2"
    return create_version(data, status=Standard.Status.DRAFT, by=keeper)


def counts(state):
    return {(c.kind, c.field): (c.translated, c.missing) for c in state.counts}


@pytest.mark.django_db
def test_counts_per_kind_and_field(small):
    french, spanish = translation_state(small)
    assert (french.language, spanish.language) == ("fr", "es")
    assert counts(french) == {
        ("standard", "title"): (0, 1),
        ("component", "title"): (1, 0),
        ("criterion", "title"): (0, 2),
        ("indicator", "title"): (0, 4),
        ("indicator", "text"): (1, 3),
        ("indicator", "means_of_verification"): (0, 1),
    }
    assert (french.translated, french.missing, french.total, french.percent) == (2, 11, 13, 15)
    assert (spanish.translated, spanish.missing, spanish.percent) == (0, 13, 0)
    missing = {(m.kind, m.number): m.fields for m in french.missing_texts}
    assert missing[("indicator", "1.1.1")] == ("title", "means_of_verification")
    assert missing[("indicator", "1.1.2")] == ("title", "text")
    assert ("component", "1") not in missing
    assert [m.kind for m in french.missing_texts][:3] == ["standard", "criterion", "indicator"]


@pytest.mark.django_db
def test_a_complete_translation_is_100(small):
    for indicator in Indicator.objects.filter(standard=small):
        indicator.translations = {"es": {"title": "t", "text": "x", "means_of_verification": ["m"]}}
        indicator.save()
    spanish = translation_state(small, ["es"])[0]
    assert counts(spanish)[("indicator", "text")] == (4, 0)
    assert counts(spanish)[("indicator", "means_of_verification")] == (1, 0)
    assert not spanish.complete and spanish.missing == 4  # standard, component and criteria titles


@pytest.mark.django_db
def test_page_lists_what_is_missing(client, small):
    response = client.get(f"/standard/versions/{small.pk}/translations/")  # public, as published versions are
    assert response.status_code == 200
    body = response.content.decode()
    assert "2 of 13 texts translated (15 %)" in body
    assert "/indicators/" not in body  # a published version has no edit page


@pytest.mark.django_db
def test_draft_page_links_to_the_indicator_editor_for_keepers_only(client, small_draft, keeper, outsider):
    url = f"/standard/versions/{small_draft.pk}/translations/"
    assert client.get(url).status_code == 404
    client.force_login(outsider)
    assert client.get(url).status_code == 404
    client.force_login(keeper)
    response = client.get(url)
    assert response.status_code == 200
    indicator = Indicator.objects.get(standard=small_draft, number="1.1.2")
    assert f'href="/standard/versions/{small_draft.pk}/indicators/{indicator.pk}/edit/"' in response.content.decode()
    assert client.get("/standard/versions/999999/translations/").status_code == 404


@pytest.mark.django_db
def test_api(api_client, small, small_draft, keeper, outsider):
    url = f"/api/v1/standards/{small.pk}/translations/"
    assert api_client.get(url).status_code == 403  # the API asks for a login
    api_client.force_authenticate(outsider)
    data = api_client.get(url).json()
    assert data["standard"] == small.pk
    french = data["languages"][0]
    assert (french["language"], french["translated"], french["missing"], french["percent"]) == ("fr", 2, 11, 15)
    assert {"kind": "indicator", "field": "text", "translated": 1, "missing": 3, "percent": 25} in french["counts"]
    assert any(m["number"] == "1.1.2" and m["fields"] == ["title", "text"] for m in french["missing_texts"])
    assert api_client.get(f"/api/v1/standards/{small_draft.pk}/translations/").status_code == 404
    api_client.force_authenticate(keeper)
    assert api_client.get(f"/api/v1/standards/{small_draft.pk}/translations/").status_code == 200
