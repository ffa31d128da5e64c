"""The pages of the Standard's versions and the keepers' draft editor (issue 14)."""

import html

import pytest
from django.test import Client

from accounts.tests.factories import Role, make_user
from audit.models import AuditEvent
from standards import authoring
from standards.models import Criterion, Indicator, Standard


@pytest.fixture
def keeper(db):
    return make_user(Role.STANDARD_COMMITTEE, email="keeper@example.org")


@pytest.fixture
def draft(standard, keeper):
    return authoring.draft_create(source=standard, by=keeper, version="1.2")


def client_for(user):
    client = Client()
    if user is not None:
        client.force_login(user)
    return client


def first_indicator(draft):
    return Indicator.objects.filter(standard=draft).order_by("position").first()


def test_the_versions_list_shows_drafts_to_keepers_only(standard, draft, keeper, staff):
    keeper_page = client_for(keeper).get("/standard/versions/").content.decode()
    assert f"/standard/versions/{draft.pk}/" in keeper_page and "New draft from this version" in keeper_page
    for who in (None, staff):
        page = client_for(who).get("/standard/versions/").content.decode()
        assert f"/standard/versions/{standard.pk}/" in page
        assert f"/standard/versions/{draft.pk}/" not in page and "New draft from this version" not in page


@pytest.mark.parametrize("who", [None, "staff", "admin_user", "site_manager"])
def test_a_draft_is_not_found_by_anyone_but_keepers(request, draft, who):
    user = request.getfixturevalue(who) if who else None
    indicator = first_indicator(draft)
    for url in (
        f"/standard/versions/{draft.pk}/",
        f"/standard/versions/{draft.pk}/preview/",
        f"/standard/versions/{draft.pk}/indicators/{indicator.pk}/edit/",
        f"/standard/versions/{draft.pk}/publish/",
    ):
        response = client_for(user).get(url)
        assert response.status_code in (404, 302), url  # 302: the login page, for the anonymous
        if user is not None:
            assert response.status_code == 404


@pytest.mark.parametrize("who", ["staff", "admin_user", "site_manager", "expert"])
def test_non_keepers_may_not_draft_from_a_published_version(request, standard, who):
    client = client_for(request.getfixturevalue(who))
    assert client.get(f"/standard/versions/{standard.pk}/new-draft/").status_code == 403
    response = client.post(f"/standard/versions/{standard.pk}/new-draft/", {"version": "1.9"})
    assert response.status_code == 403
    assert b"Standard Committee" in response.content
    assert Standard.objects.count() == 1


def test_a_published_version_is_public_and_read_only(standard, keeper):
    page = client_for(None).get(f"/standard/versions/{standard.pk}/")
    assert page.status_code == 200 and b"never changes" in page.content
    # a keeper asking to edit it is told it never changes (409), nothing is saved
    indicator = Indicator.objects.filter(standard=standard).order_by("position").first()
    client = client_for(keeper)
    url = f"/standard/versions/{standard.pk}/indicators/{indicator.pk}/edit/"
    assert client.get(url).status_code == 409
    response = client.post(url, {"revision": standard.revision, "en-title": "Changed", "en-text": "Changed"})
    assert response.status_code == 409 and b"never changes" in response.content
    assert Indicator.objects.get(pk=indicator.pk).title == indicator.title


def test_a_keeper_creates_a_draft_edits_it_and_publishes(standard, keeper):
    client = client_for(keeper)
    # create
    response = client.post(f"/standard/versions/{standard.pk}/new-draft/", {"version": "1.2"})
    draft = Standard.objects.get(status=Standard.Status.DRAFT)
    assert response.status_code == 302 and response["Location"] == f"/standard/versions/{draft.pk}/"
    editor = client.get(f"/standard/versions/{draft.pk}/").content.decode()
    assert "Revision 1." in editor and 'data-number="1.1.1"' in editor
    # reword in French, add an SDG
    indicator = first_indicator(draft)
    url = f"/standard/versions/{draft.pk}/indicators/{indicator.pk}/edit/"
    form = client.get(url)
    assert form.status_code == 200
    assert 'name="fr-title"' in form.content.decode() and 'name="sdgs" value="17"' in form.content.decode()
    response = client.post(
        url,
        {
            "revision": "1",
            "en-title": indicator.title,
            "en-text": indicator.text,
            "en-means_of_verification": "\n".join(indicator.means_of_verification),
            "fr-title": "Titre en français",
            "fr-text": "Texte en français",
            "sdgs": [*map(str, indicator.sdgs), "15"],
            "wording": indicator.wording,
        },
    )
    assert response.status_code == 302
    saved = Indicator.objects.get(pk=indicator.pk)
    assert saved.translations["fr"]["title"] == "Titre en français" and 15 in saved.sdgs
    assert saved.lineage == indicator.lineage
    # publish: a confirmation step, then the draft is a published version
    confirm = client.get(f"/standard/versions/{draft.pk}/publish/")
    assert confirm.status_code == 200 and b"Nothing has changed yet" in confirm.content
    assert Standard.objects.get(pk=draft.pk).is_draft
    response = client.post(f"/standard/versions/{draft.pk}/publish/", {"revision": "2"})
    assert response.status_code == 302
    assert Standard.objects.get(pk=draft.pk).status == Standard.Status.PUBLISHED
    # readers see the French text on the published version's page, in French
    reader = client_for(None)
    reader.post("/i18n/setlang/", {"language": "fr"})
    page = reader.get(f"/standard/versions/{draft.pk}/").content.decode()
    assert "Titre en français" in page and "Texte en français" in page


def test_a_conflict_keeps_what_was_typed_and_shows_what_was_saved(draft, keeper):
    indicator = first_indicator(draft)
    authoring.indicator_update(indicator=indicator, by=keeper, revision=1, texts={"fr": {"title": "Leur titre"}})
    url = f"/standard/versions/{draft.pk}/indicators/{indicator.pk}/edit/"
    response = client_for(keeper).post(
        url,
        {"revision": "1", "en-title": indicator.title, "en-text": indicator.text, "fr-title": "Mon titre"},
    )
    body = response.content.decode()
    assert response.status_code == 409
    assert "Someone changed this draft" in body
    assert 'value="Mon titre"' in body  # mine, kept in the form
    assert "Leur titre" in body  # theirs, shown beside
    assert 'name="revision" value="2"' in body  # a second save applies mine knowingly
    assert Indicator.objects.get(pk=indicator.pk).translations["fr"]["title"] == "Leur titre"


def test_adding_from_a_stale_page_keeps_what_was_typed(draft, keeper):
    criterion = Criterion.objects.filter(component__standard=draft).order_by("component__position", "position")[0]
    authoring.indicator_update(indicator=first_indicator(draft), by=keeper, revision=1, sdgs=[2])
    n = Indicator.objects.filter(standard=draft).count()
    response = client_for(keeper).post(
        f"/standard/versions/{draft.pk}/criteria/{criterion.pk}/add/",
        {"revision": "1", "en-title": "Typed title", "en-text": "Typed text"},
    )
    body = response.content.decode()
    assert response.status_code == 409 and "Someone changed this draft" in body
    assert 'value="Typed title"' in body and 'name="revision" value="2"' in body
    assert Indicator.objects.filter(standard=draft).count() == n


def test_an_invalid_edit_lists_the_problems_and_keeps_the_text(draft, keeper):
    indicator = first_indicator(draft)
    url = f"/standard/versions/{draft.pk}/indicators/{indicator.pk}/edit/"
    response = client_for(keeper).post(
        url, {"revision": "1", "en-title": "", "en-text": "Kept text", "fr-title": "x" * 301}
    )
    body = response.content.decode()
    assert response.status_code == 400
    assert "The English &#x27;title&#x27; may not be empty." in body and "at most 300" in body
    assert "Kept text" in body
    assert Standard.objects.get(pk=draft.pk).revision == 1


def test_component_criterion_and_meta_forms(draft, keeper):
    client = client_for(keeper)
    component = draft.components.order_by("position").first()
    criterion = Criterion.objects.filter(component=component).order_by("position").first()
    r = client.post(
        f"/standard/versions/{draft.pk}/components/{component.pk}/edit/",
        {"revision": "1", "en-title": component.title, "es-title": "Buena gobernanza"},
    )
    assert r.status_code == 302
    r = client.post(
        f"/standard/versions/{draft.pk}/criteria/{criterion.pk}/edit/",
        {"revision": "2", "en-title": criterion.title, "fr-description": "Description"},
    )
    assert r.status_code == 302
    r = client.post(
        f"/standard/versions/{draft.pk}/edit/",
        {"revision": "3", "version": "2.0", "provenance": "Committee", "en-title": "Title", "fr-title": "Titre"},
    )
    assert r.status_code == 302
    draft = Standard.objects.get(pk=draft.pk)
    assert (draft.version, draft.title, draft.translations["fr"]) == ("2.0", "Title", {"title": "Titre"})
    assert component.__class__.objects.get(pk=component.pk).translations["es"]["title"] == "Buena gobernanza"
    assert Criterion.objects.get(pk=criterion.pk).translations["fr"]["description"] == "Description"


def test_add_move_and_remove_from_the_editor(draft, keeper):
    client = client_for(keeper)
    criterion = Criterion.objects.filter(component__standard=draft).order_by("component__position", "position")[0]
    one = criterion.indicators.get(number=f"{criterion.number}.1")
    n = criterion.indicators.count()
    # add after .1
    r = client.post(
        f"/standard/versions/{draft.pk}/criteria/{criterion.pk}/add/",
        {"revision": "1", "after": one.pk, "en-title": "A new one", "en-text": "Its text", "wording": "pending"},
    )
    assert r.status_code == 302
    added = Indicator.objects.get(standard=draft, title="A new one")
    assert added.number == f"{criterion.number}.2" and added.wording == "pending"
    # the ↓ button of .1 moves it to second place
    r = client.post(
        f"/standard/versions/{draft.pk}/indicators/{one.pk}/move/",
        {"revision": "2", "criterion": criterion.pk, "position": "2"},
    )
    assert r.status_code == 302
    assert Indicator.objects.get(pk=one.pk).number == f"{criterion.number}.2"
    assert Indicator.objects.get(pk=added.pk).number == f"{criterion.number}.1"
    # a stale move is refused with the reason, nothing moves
    r = client.post(
        f"/standard/versions/{draft.pk}/indicators/{one.pk}/move/",
        {"revision": "2", "criterion": criterion.pk, "position": "1"},
        follow=True,
    )
    assert "changed since you opened it" in r.content.decode()
    assert Indicator.objects.get(pk=one.pk).number == f"{criterion.number}.2"
    # remove asks first, then removes
    assert client.get(f"/standard/versions/{draft.pk}/indicators/{added.pk}/remove/").status_code == 200
    assert Indicator.objects.filter(pk=added.pk).exists()
    r = client.post(f"/standard/versions/{draft.pk}/indicators/{added.pk}/remove/", {"revision": "3"})
    assert r.status_code == 302 and not Indicator.objects.filter(pk=added.pk).exists()
    assert criterion.indicators.count() == n


def test_publish_page_lists_every_problem_and_publishes_nothing(draft, keeper):
    Indicator.objects.filter(standard=draft, number__in=["1.1.1", "2.1.1"]).update(wording="invented")
    client = client_for(keeper)
    page = html.unescape(client.get(f"/standard/versions/{draft.pk}/publish/").content.decode())
    assert page.count("'wording' is 'invented'") == 2
    response = client.post(f"/standard/versions/{draft.pk}/publish/", {"revision": "1"})
    assert response.status_code == 400 and Standard.objects.get(pk=draft.pk).is_draft
    assert not AuditEvent.objects.filter(action="standard.published").exists()


def test_preview_shows_the_draft_in_the_page_language_with_marks(draft, keeper):
    indicator = first_indicator(draft)
    authoring.indicator_update(
        indicator=indicator, by=keeper, revision=1, texts={"fr": {"title": "Titre FR", "text": ""}}
    )
    client = client_for(keeper)
    client.post("/i18n/setlang/", {"language": "fr"})
    page = client.get(f"/standard/versions/{draft.pk}/preview/").content.decode()
    assert "Titre FR" in page
    # the text with no French (removed above) shows in English, marked
    assert f'<span lang="en">{html.escape(indicator.text)}</span> <small class="untranslated">' in page


def test_delete_a_draft(draft, keeper, staff):
    assert client_for(staff).post(f"/standard/versions/{draft.pk}/delete/").status_code == 404
    r = client_for(keeper).post(f"/standard/versions/{draft.pk}/delete/")
    assert r.status_code == 302 and not Standard.objects.filter(pk=draft.pk).exists()


def test_the_menu_links_the_versions_for_keepers(keeper, staff, standard):
    assert b'href="/standard/versions/"' in client_for(keeper).get("/standard/").content
    assert b'href="/standard/versions/"' not in client_for(staff).get("/standard/").content


def test_an_sdg_that_is_a_superscript_digit_is_no_sdg_nor_a_500(draft, keeper):
    """'²'.isdigit() is true but int('²') fails: the box is not an SDG and the rest is saved."""
    indicator = first_indicator(draft)
    response = client_for(keeper).post(
        f"/standard/versions/{draft.pk}/indicators/{indicator.pk}/edit/",
        {
            "revision": str(draft.revision),
            "en-title": indicator.title,
            "en-text": indicator.text,
            "en-means_of_verification": "\n".join(indicator.means_of_verification),
            "sdgs": [*map(str, indicator.sdgs), "²"],
            "wording": indicator.wording,
        },
    )
    assert response.status_code in (302, 400), response.status_code
    assert Indicator.objects.get(pk=indicator.pk).sdgs == indicator.sdgs
