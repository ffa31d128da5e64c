"""Information leaks found by the red team (issue 12): what the API and the pages tell people about
objects and people they have no right to know of."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from assessments.models import Answer
from assessments.services import assessment_create
from assessments.workflow import transition
from eligibility.tests.factories import make_eligible
from evidence.services import evidence_upload
from reviews.tests.factories import make_standard

SECRET_TITLE = "SITE-TEAM-ONLY rhino den location"


def _candidate(area, manager, staff):
    """An assessment the site team is filling in (answers editable)."""
    make_standard(2)
    assessment = assessment_create(protected_area=area, user=manager, year=2026)
    make_eligible(assessment, staff=staff)
    transition(assessment, "candidate", by=staff)
    return assessment


@pytest.fixture
def own(area, site_manager, staff):
    return _candidate(area, site_manager, staff)


@pytest.fixture
def foreign_item(other_area, other_manager, staff):
    """Another site's evidence, marked for its own team only."""
    theirs = _candidate(other_area, other_manager, staff)
    return evidence_upload(
        assessment=theirs,
        user=other_manager,
        file=SimpleUploadedFile("den.txt", b"coordinates"),
        title=SECRET_TITLE,
        sensitivity="site_team",
    )


def _first_answer(assessment):
    return Answer.objects.filter(assessment=assessment).order_by("indicator__position").first()


# --- 1. linking another site's evidence: one answer for "not found or not yours" ------------------


@pytest.mark.django_db
@pytest.mark.parametrize("method", ["patch", "put"])
def test_answer_api_says_the_same_for_a_missing_and_another_sites_evidence_id(
    api_client, own, site_manager, foreign_item, method
):
    # given: a site manager editing their own answer, and an item of another site
    answer = _first_answer(own)
    url = reverse("assessment-answer-detail", args=[own.pk, answer.pk])
    api_client.force_authenticate(site_manager)
    missing_id = foreign_item.pk + 10_000

    # when: they link the other site's item, then an id that does not exist
    send = getattr(api_client, method)
    foreign = send(url, {"version": 1, "evidence": [foreign_item.pk]}, format="json")
    missing = send(url, {"version": 1, "evidence": [missing_id]}, format="json")

    # then: the same status and the same body, which says nothing about the other item
    assert foreign.status_code == missing.status_code == 400
    assert foreign.json() == missing.json()
    assert foreign.json()["code"] == "evidence_not_found"
    assert SECRET_TITLE not in foreign.content.decode()
    assert "rhino" not in foreign.json()["detail"].lower()
    answer.refresh_from_db()
    assert answer.version == 1 and answer.evidence.count() == 0


@pytest.mark.django_db
def test_answer_api_refuses_a_mix_of_own_and_foreign_evidence_without_naming_either(
    api_client, own, site_manager, foreign_item
):
    answer = _first_answer(own)
    mine = evidence_upload(assessment=own, user=site_manager, file=SimpleUploadedFile("a.txt", b"a"), title="Mine")
    api_client.force_authenticate(site_manager)
    url = reverse("assessment-answer-detail", args=[own.pk, answer.pk])
    response = api_client.patch(url, {"version": 1, "evidence": [mine.pk, foreign_item.pk]}, format="json")
    assert response.status_code == 400 and response.json()["code"] == "evidence_not_found"
    assert SECRET_TITLE not in response.content.decode()
    assert answer.evidence.count() == 0
    # its own item alone still links
    response = api_client.patch(url, {"version": 1, "evidence": [mine.pk]}, format="json")
    assert response.status_code == 200 and response.json()["evidence"] == [mine.pk]


@pytest.mark.django_db
def test_link_page_says_the_same_for_a_missing_and_another_sites_evidence_id(client, own, site_manager, foreign_item):
    # The no-JavaScript link page takes an item id too (it already answered alike; kept so).
    answer = _first_answer(own)
    client.force_login(site_manager)
    url = reverse("evidence:answer-evidence", args=[own.pk, answer.pk])
    foreign = client.post(url, {"version": 1, "add": foreign_item.pk}, follow=True)
    missing = client.post(url, {"version": 1, "add": foreign_item.pk + 10_000}, follow=True)
    assert foreign.status_code == missing.status_code == 200
    foreign_messages = [str(m) for m in foreign.context["messages"]]
    missing_messages = [str(m) for m in missing.context["messages"]]
    assert foreign_messages == missing_messages and foreign_messages
    assert SECRET_TITLE not in foreign.content.decode()
    assert answer.evidence.count() == 0


# --- 3. the public area page does not name the site team --------------------------------------


@pytest.mark.django_db
def test_area_page_names_the_site_team_only_to_the_team_and_staff(
    client, area, site_manager, other_manager, outsider, expert, staff
):
    # given a site manager with a name and a login e-mail
    site_manager.full_name = "Nguyen Van Ranger"
    site_manager.save(update_fields=["full_name"])
    url = reverse("protected_areas:detail", args=[area.pk])

    # when people without a right to know them open the public page, then it names nobody
    for person in (None, outsider, other_manager, expert):
        client.logout()
        if person is not None:
            client.force_login(person)
        body = client.get(url).content.decode()
        assert "Nguyen Van Ranger" not in body, person
        assert site_manager.email not in body, person
        assert "This site has 1 site manager." in body, person

    # and the site's own team and IUCN staff still see who is on it
    for person in (site_manager, staff):
        client.force_login(person)
        body = client.get(url).content.decode()
        assert "Nguyen Van Ranger" in body and site_manager.email in body, person


# --- 5. a chair learns nothing about people and assessments outside their group's work --------


@pytest.fixture
def chair(jurisdiction):
    from accounts.tests.factories import Role, make_user

    return make_user(Role.EXPERT, email="chair@example.org", jurisdiction=jurisdiction, is_chair=True)


@pytest.fixture
def submitted(area, site_manager, staff, jurisdiction):
    from reviews.tests.factories import submitted_assessment

    return submitted_assessment(area=area, manager=site_manager, staff=staff)


@pytest.fixture
def draft(site_manager, staff, jurisdiction):
    """Another site of the chair's jurisdiction, still being filled in by its team."""
    from accounts.tests.factories import Role, make_user
    from protected_areas.tests.factories import ProtectedAreaFactory

    area = ProtectedAreaFactory(name="Bach Ma Draft Park")
    manager = make_user(Role.SITE_MANAGER, email="draft-manager@example.org", protected_area=area)
    return _candidate(area, manager, staff)


def _assign_body(assessment_id, user_id):
    import datetime

    due = (datetime.date.today() + datetime.timedelta(days=30)).isoformat()  # noqa: DTZ011
    return {"assessment": assessment_id, "user": user_id, "role": "expert", "due_date": due}


@pytest.mark.django_db
def test_chair_cannot_learn_a_persons_name_from_their_id(api_client, chair, submitted, outsider):
    # given a chair assigning reviewers to an assessment of their group, and a person who is no expert
    outsider.full_name = "Hidden Person Name"
    outsider.save(update_fields=["full_name"])
    api_client.force_authenticate(chair)
    url = reverse("review-assignment-list")

    # when the chair names that person's id, and an id nobody has
    someone = api_client.post(url, _assign_body(submitted.pk, outsider.pk), format="json")
    nobody = api_client.post(url, _assign_body(submitted.pk, outsider.pk + 10_000), format="json")

    # then both get the same answer, naming nobody
    assert someone.status_code == nobody.status_code == 400
    assert someone.json() == nobody.json()
    assert "Hidden Person Name" not in someone.content.decode()
    assert outsider.email not in someone.content.decode()


@pytest.mark.django_db
def test_chair_cannot_learn_the_phase_of_an_assessment_not_yet_submitted(api_client, client, chair, draft, outsider):
    # given an assessment of the chair's jurisdiction still in the site team's hands
    api_client.force_authenticate(chair)
    url = reverse("review-assignment-list")

    # when the chair tries to assign someone to it, or to an id that does not exist
    draft_answer = api_client.post(url, _assign_body(draft.pk, chair.pk), format="json")
    missing_answer = api_client.post(url, _assign_body(draft.pk + 10_000, chair.pk), format="json")

    # then the same 404 for both, without the phase
    assert draft_answer.status_code == missing_answer.status_code == 404
    assert draft_answer.json() == missing_answer.json()
    assert "Candidate" not in draft_answer.content.decode()

    # and the management page does not exist for them either
    client.force_login(chair)
    assert client.get(reverse("reviews:manage", args=[draft.pk])).status_code == 404


@pytest.mark.django_db
def test_chair_still_assigns_the_groups_experts_and_staff_still_get_the_detail(
    api_client, client, chair, expert, staff, submitted, outsider
):
    url = reverse("review-assignment-list")
    client.force_login(chair)
    assert client.get(reverse("reviews:manage", args=[submitted.pk])).status_code == 200
    api_client.force_authenticate(chair)
    response = api_client.post(url, _assign_body(submitted.pk, expert.pk), format="json")
    assert response.status_code == 201, response.json()
    # IUCN staff see every account anyway: they are told why a person cannot be assigned
    api_client.force_authenticate(staff)
    response = api_client.post(url, _assign_body(submitted.pk, outsider.pk), format="json")
    assert response.status_code == 400 and response.json()["code"] == "assignee_not_accredited"


# --- 6. private responses are never kept by shared caches -----------------------------------------


@pytest.mark.django_db
def test_private_responses_say_private_no_store(client, api_client, own, site_manager):
    # given a signed-in site manager; when they read their data through the API and the pages
    api_client.force_authenticate(site_manager)
    client.force_login(site_manager)
    responses = [
        api_client.get("/api/v1/assessments/"),
        api_client.get(reverse("assessment-answer-list", args=[own.pk])),
        api_client.get("/api/v1/assessments/999999/"),  # errors too
        client.get(reverse("reports:dashboard")),
        client.get(reverse("protected_areas:list")),  # a public page, seen signed in
    ]
    # then no shared cache may keep them
    for response in responses:
        assert response["Cache-Control"] == "private, no-store", (response.request["PATH_INFO"], response.status_code)
    # The assessment page is kept in the person's own browser for its 304s (issue 17, core.freshness),
    # asked again every time, and cleared at logout (Clear-Site-Data); never by a shared cache.
    assert client.get(reverse("assessments:detail", args=[own.pk]))["Cache-Control"] == "private, no-cache"


@pytest.mark.django_db
def test_api_responses_to_anonymous_visitors_are_private_too(api_client, area):
    # The API answers per person (what `visible_to` lets them see), public lists included.
    for path in ("/api/v1/protected-areas/", "/api/v1/assessments/"):
        assert api_client.get(path)["Cache-Control"] == "private, no-store", path


@pytest.mark.django_db
def test_public_cacheable_responses_keep_their_caching(client, site_manager, area):
    tile = reverse("protected_areas:tile", args=[0, 0, 0])
    # anonymous: the tiles are public (revalidated by their ETag: an import changes exactly the tiles it
    # touched, so the URL carries no data version), and a public page stays cacheable
    assert client.get(tile)["Cache-Control"] == "public, no-cache"
    assert client.get(tile).has_header("ETag")
    assert "private" not in client.get(reverse("protected_areas:list")).get("Cache-Control", "")
    assert "private" not in client.get(reverse("certification:feed")).get("Cache-Control", "")
    # signed in: the tiles are the same for everyone, so still public
    client.force_login(site_manager)
    assert client.get(tile)["Cache-Control"] == "public, no-cache"
