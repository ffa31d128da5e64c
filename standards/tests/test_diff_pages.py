"""The diff page and API (/standard/diff/, /api/v1/standards/diff/): who sees which side, bad
input, the words marked and escaped, a version against an adapted set."""

import pytest

from accounts.tests.factories import Role, make_user
from standards.content import content_of, create_version
from standards.models import AdaptedIndicator, AdaptedIndicatorSet, Standard

URL = "/standard/diff/"
API = "/api/v1/standards/diff/"


@pytest.fixture
def keeper(db):
    return make_user(Role.STANDARD_COMMITTEE, email="keeper@example.org")


def first_indicators(data, n=2):
    return [i for c in data["components"] for k in c["criteria"] for i in k["indicators"]][:n]


@pytest.fixture
def draft(standard, keeper):
    """A draft of the next version: the first indicator reworded in French with an SDG more, the
    second's text carrying markup, which must reach the page as text."""
    data = content_of(standard)
    data["standard"]["version"] = "1.2"
    first, second = first_indicators(data)
    first["translations"] = {
        **first["translations"],
        "fr": {**first["translations"].get("fr", {}), "text": "Texte révisé."},
    }
    first["sdgs"] = sorted({*first["sdgs"], 14})
    second["text"] = second["text"] + " <script>alert('x')</script>"
    return create_version(data, status=Standard.Status.DRAFT, by=keeper, based_on=standard)


@pytest.fixture
def published_next(standard):
    data = content_of(standard)
    data["standard"]["version"] = "1.3"
    first_indicators(data, 1)[0]["title"] = "A new title for the first indicator"
    return create_version(data, status=Standard.Status.PUBLISHED)


@pytest.mark.django_db
def test_keeper_sees_what_a_draft_changes(client, keeper, standard, draft):
    client.force_login(keeper)
    response = client.get(URL, {"from": standard.pk, "to": draft.pk})
    assert response.status_code == 200
    body = response.content.decode()
    result = response.context["result"]
    assert result.summary.reworded == 2 and result.summary.unchanged == result.summary.total - 2
    # the French words and the SDG are marked; unchanged indicators are hidden by default
    assert '<ins><span class="visually-hidden">added: </span>Texte révisé' in body
    assert len(response.context["cards"]) == 2 and response.context["hidden_unchanged"] == result.summary.total - 2
    # escaped, never run
    assert "&lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt;" in body
    assert "<script>alert" not in body


@pytest.mark.django_db
def test_filters_language_and_unchanged_toggle(client, keeper, standard, draft):
    client.force_login(keeper)
    english = client.get(URL, {"from": standard.pk, "to": draft.pk, "lang": "en"})
    # the first indicator's French rewording is not an English change; its SDG is, for everyone
    first = english.context["cards"][0]
    assert [c["label"] for c in first["changes"]] == ["Related SDGs"]
    spanish = client.get(URL, {"from": standard.pk, "to": draft.pk, "lang": "es", "status": "reworded"})
    assert [card["entry"].number for card in spanish.context["cards"]] == [first["entry"].number]
    everything = client.get(URL, {"from": standard.pk, "to": draft.pk, "unchanged": "1"})
    assert len(everything.context["cards"]) == everything.context["result"].summary.total
    unchanged = client.get(URL, {"from": standard.pk, "to": draft.pk, "status": "unchanged"})
    assert {card["entry"].status for card in unchanged.context["cards"]} == {"unchanged"}


@pytest.mark.django_db
def test_without_from_a_draft_is_compared_with_its_source(client, keeper, standard, draft):
    client.force_login(keeper)
    response = client.get(URL, {"to": draft.pk})
    assert response.status_code == 200
    assert response.context["old"].standard == standard


@pytest.mark.django_db
@pytest.mark.parametrize("who", ["anonymous", "outsider", "expert", "staff_without_committee"])
def test_a_draft_is_not_found_for_anyone_but_the_keepers(client, who, standard, draft, expert, outsider):
    users = {"outsider": outsider, "expert": expert, "staff_without_committee": make_user(Role.IUCN_STAFF)}
    if who in users:
        client.force_login(users[who])
    assert client.get(URL, {"from": standard.pk, "to": draft.pk}).status_code == 404
    assert client.get(URL, {"from": draft.pk, "to": standard.pk}).status_code == 404
    # nor is it offered in the pickers
    page = client.get(URL)
    assert page.status_code == 200
    assert str(draft.pk) not in [side.key for side in page.context["versions"]]


@pytest.mark.django_db
def test_published_versions_are_public(client, standard, published_next):
    response = client.get(URL, {"from": standard.pk, "to": published_next.pk})
    assert response.status_code == 200
    assert response.context["result"].summary.reworded == 1
    assert "A new title for the first indicator" in response.content.decode()


@pytest.mark.django_db
def test_identical_versions(client, standard):
    response = client.get(URL, {"from": standard.pk, "to": standard.pk})
    assert response.status_code == 200
    assert response.context["result"].identical
    assert "nothing changed" in response.content.decode()


@pytest.mark.django_db
@pytest.mark.parametrize("value", ["abc", "12;DROP", "set:", "set:x", "-1", "1.5", "9999999999999999999999"])
def test_a_side_that_is_not_an_id_is_a_clear_400(client, standard, value):
    response = client.get(URL, {"from": value, "to": standard.pk})
    assert response.status_code == 400
    assert "&#x27;from&#x27; must be the id of a version" in response.content.decode()
    response = client.get(URL, {"from": standard.pk, "to": value})
    assert response.status_code == 400


@pytest.mark.django_db
def test_unknown_ids_are_404(client, standard):
    assert client.get(URL, {"from": standard.pk, "to": 999999}).status_code == 404
    assert client.get(URL, {"from": "set:999999", "to": standard.pk}).status_code == 404
    # a first version has nothing before it to be compared with
    response = client.get(URL, {"to": standard.pk})
    assert response.status_code == 400 and "no earlier version" in response.content.decode()


@pytest.fixture
def adapted_set(standard, jurisdiction):
    s = AdaptedIndicatorSet.objects.create(standard=standard, jurisdiction=jurisdiction, title="Viet Nam adapted")
    AdaptedIndicator.objects.create(
        adapted_set=s,
        indicator=standard.indicators.order_by("position").first(),
        text="Adapted: the reserve's decree names its management board.",
        thresholds="Board meets twice a year",
    )
    return s


@pytest.mark.django_db
def test_generic_against_adapted_set(client, standard, adapted_set, expert, outsider, staff):
    # a draft set: its jurisdiction's experts (and the Committee) only
    client.force_login(outsider)
    assert client.get(URL, {"from": standard.pk, "to": f"set:{adapted_set.pk}"}).status_code == 404
    client.force_login(expert)
    response = client.get(URL, {"to": f"set:{adapted_set.pk}"})  # compared with its own version
    assert response.status_code == 200
    result = response.context["result"]
    assert result.summary.reworded == 1 and result.summary.total == standard.indicators.count()
    body = response.content.decode()
    [card] = response.context["cards"]
    changes = {(c["label"], c["language"]): c for c in card["changes"]}
    new_text = "".join(s.text for s in changes[("Text", "en")]["segments"] if s.op != "delete")
    assert new_text == "Adapted: the reserve's decree names its management board."
    assert "management board" in body
    assert "Board meets twice a year</ins>" in body
    # approved, it is read by anyone logged in, but not anonymously
    AdaptedIndicatorSet.objects.filter(pk=adapted_set.pk).update(
        status="approved", approved_by=staff, approved_on="2026-01-01"
    )
    client.force_login(outsider)
    assert client.get(URL, {"from": f"set:{adapted_set.pk}", "to": standard.pk}).status_code == 200
    client.logout()
    assert client.get(URL, {"from": f"set:{adapted_set.pk}", "to": standard.pk}).status_code == 404


# --- API ---------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_api_diff(api_client, keeper, standard, draft):
    api_client.force_authenticate(keeper)
    response = api_client.get(API, {"from": standard.pk, "to": draft.pk, "status": "reworded"})
    assert response.status_code == 200, response.content
    data = response.json()
    assert data["from"]["key"] == str(standard.pk) and data["to"]["standard"] == draft.pk
    assert data["summary"]["reworded"] == 2
    first = data["indicators"][0]
    assert first["status"] == "reworded" and not first["moved"]
    changes = {(c["field"], c["language"]): c for c in first["changes"]}
    assert changes[("sdgs", "")]["new"] == sorted(changes[("sdgs", "")]["new"]) and 14 in changes[("sdgs", "")]["new"]
    assert {"op": "insert", "text": "Texte révisé"} in changes[("text", "fr")]["segments"]
    # raw text in JSON: escaping is the reader's business
    second = data["indicators"][1]
    assert any("<script>" in s["text"] for c in second["changes"] for s in c["segments"] if s["op"] == "insert")
    # in English only, the first keeps its SDG change (no language) and loses the French one
    only_en = api_client.get(API, {"from": standard.pk, "to": draft.pk, "language": "en", "status": "reworded"})
    first_en, second_en = only_en.json()["indicators"]
    assert [(c["field"], c["language"]) for c in first_en["changes"]] == [("sdgs", "")]
    assert second_en["new_number"] == second["new_number"]


@pytest.mark.django_db
def test_api_refuses_what_the_pages_refuse(api_client, standard, draft, outsider, keeper):
    assert api_client.get(API, {"from": standard.pk, "to": draft.pk}).status_code == 403  # no login
    api_client.force_authenticate(outsider)
    assert api_client.get(API, {"from": standard.pk, "to": draft.pk}).status_code == 404
    assert api_client.get(API, {"from": standard.pk, "to": standard.pk}).status_code == 200
    response = api_client.get(API, {"from": "nope", "to": standard.pk})
    assert response.status_code == 400 and response.json()["code"] == "diff_side_invalid"
    assert response.json()["field"] == "from"
    response = api_client.get(API, {"from": standard.pk})
    assert response.status_code == 400 and response.json()["field"] == "to"
    api_client.force_authenticate(keeper)
    response = api_client.get(API, {"from": standard.pk, "to": draft.pk, "status": "sideways"})
    assert response.status_code == 400 and response.json()["code"] == "diff_filter_invalid"
    response = api_client.get(API, {"from": standard.pk, "to": draft.pk, "language": "de"})
    assert response.status_code == 400 and response.json()["field"] == "language"
