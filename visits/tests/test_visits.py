"""Site visits during the candidate phase (issue 16): planned by staff or the assigned expert group,
recorded as held with the group's notes and photos or tracks through the evidence pipeline, seen by
the site team (notes once released) and by the reviewers beside the indicators.

Set up through the real services: an assessment submitted and under review, with an assigned expert
and independent reviewer free of conflict."""

from __future__ import annotations

import datetime
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import formats, timezone, translation

from accounts.tests.factories import Role, make_user
from audit.models import AuditEvent
from core.errors import Conflict, DomainError, NotAllowed
from core.models import OutgoingEmail
from evidence.pipeline import evidence_process
from reviews import services as review
from reviews.tests.factories import answers_of, submitted_assessment
from visits import error_codes, services
from visits.choices import VisitStatus
from visits.models import SiteVisitTransition

TODAY = timezone.localdate
GPX = b"""<?xml version="1.0" encoding="UTF-8"?>
<gpx version="1.1" creator="test" xmlns="http://www.topografix.com/GPX/1/1">
<trk><name>Patrol</name><trkseg><trkpt lat="16.50" lon="107.40"/><trkpt lat="16.51" lon="107.41"/></trkseg></trk>
</gpx>"""


def _jpeg() -> SimpleUploadedFile:
    from PIL import Image

    out = io.BytesIO()
    Image.new("RGB", (120, 90), (40, 110, 60)).save(out, format="JPEG")
    return SimpleUploadedFile("ranger-post.jpg", out.getvalue(), content_type="image/jpeg")


@pytest.fixture
def under_review(area, jurisdiction, site_manager, expert, reviewer, staff):
    assessment = submitted_assessment(area=area, manager=site_manager, staff=staff)
    review.review_start(assessment=assessment, by=staff)
    due = TODAY() + datetime.timedelta(days=30)
    for person, role in ((expert, "expert"), (reviewer, "independent_reviewer")):
        seat = review.assignment_create(assessment=assessment, assignee=person, role=role, due_date=due, by=staff)
        review.conflict_declare(assignment=seat, by=person, has_conflict=False)
    assessment.refresh_from_db()
    return assessment


def other_manager_area(manager):
    from accounts.models import RoleAssignment

    return RoleAssignment.objects.active().get(user=manager).protected_area


def _plan(assessment, by, **kwargs):
    return services.visit_plan(assessment=assessment, by=by, planned_from=TODAY(), **kwargs)


def test_planned_held_with_photo_and_track_then_notes_released(
    under_review, site_manager, expert, reviewer, staff, django_capture_on_commit_callbacks
):
    # given the site manager reads French
    site_manager.language = "fr"
    site_manager.save(update_fields=["language"])
    # when staff plan the visit with the assigned expert and a ranger
    visit = _plan(
        under_review,
        staff,
        agenda="Patrol route, meeting with the village council.",
        participants=[expert],
        other_participants="Head ranger Lan",
    )
    # then the site team is told by e-mail, in French, and the plan is audited
    mail = OutgoingEmail.objects.get(kind="visit.planned")
    assert mail.to == [site_manager.email]
    # (the platform's own sentences wait for the catalogues; Django's month names show the language)
    with translation.override("fr"):
        assert formats.date_format(TODAY(), "DATE_FORMAT") in mail.body
    assert f"/visits/{visit.pk}/" in mail.body
    assert AuditEvent.objects.filter(action="site_visit.planned").count() == 1

    # when the expert records it held today, with the group's notes
    services.visit_record_held(visit=visit, by=expert, held_from=TODAY(), notes="Zone B fences broken.")
    visit.refresh_from_db()
    assert visit.status == VisitStatus.HELD and visit.held_to == TODAY()
    log = SiteVisitTransition.objects.get(visit=visit)
    assert (log.from_status, log.to_status, log.by) == ("planned", "held", expert)
    assert AuditEvent.objects.filter(action="site_visit.transition").exists()

    # and adds a photo linked to the first indicator and a GPS track, through the evidence pipeline
    first = answers_of(under_review)[0]
    with django_capture_on_commit_callbacks():  # processed in-process below, as the worker would
        photo = services.visit_evidence_add(
            visit=visit, by=expert, file=_jpeg(), title="Ranger post", indicators=[first.indicator_id]
        )
        track = services.visit_evidence_add(
            visit=visit, by=expert, file=SimpleUploadedFile("patrol.gpx", GPX), indicators=[first.indicator_id]
        )
    for item in (photo, track):
        evidence_process(item.pk)
        item.refresh_from_db()
        assert item.processing_status == "ready", (item.original_filename, item.status_reason)
        assert item.evidence_date == TODAY()
    assert photo.facts.kind == "image" and track.facts.kind == "geodata"
    # linked to the indicator although the assessment is frozen under review: reviewers see it there
    assert set(first.evidence.values_list("pk", flat=True)) >= {photo.pk, track.pk}
    assert set(visit.evidence.values_list("pk", flat=True)) == {photo.pk, track.pk}

    # the site team reads the notes only once they are released
    from visits.rules import can_see_visit_notes

    assert not can_see_visit_notes(site_manager, under_review, released=False)
    assert can_see_visit_notes(reviewer, under_review, released=False)
    services.visit_notes_release(visit=visit, by=expert)
    with pytest.raises(Conflict) as again:
        services.visit_notes_release(visit=visit, by=expert)
    assert again.value.code == error_codes.VISIT_NOTES_ALREADY_RELEASED


def test_bad_input_is_refused_with_stable_codes(under_review, jurisdiction, site_manager, expert, staff, other_manager):
    def code_of(call):
        with pytest.raises(DomainError) as refused:
            call()
        return refused.value.code

    yesterday, tomorrow = TODAY() - datetime.timedelta(days=1), TODAY() + datetime.timedelta(days=1)
    # planning: not in the past, the last day not before the first, participants from the group only
    assert code_of(lambda: services.visit_plan(assessment=under_review, by=staff, planned_from=yesterday)) == (
        error_codes.VISIT_PLANNED_IN_PAST
    )
    assert (
        code_of(
            lambda: services.visit_plan(assessment=under_review, by=staff, planned_from=tomorrow, planned_to=TODAY())
        )
        == error_codes.VISIT_DATES_INVALID
    )
    stranger = make_user(Role.EXPERT, email="stranger@example.org", jurisdiction=jurisdiction)
    assert code_of(lambda: _plan(under_review, staff, participants=[stranger])) == error_codes.VISIT_PARTICIPANT_UNKNOWN
    # outsiders: the site team, an expert not assigned
    assert code_of(lambda: _plan(under_review, site_manager)) == error_codes.VISIT_ROLE
    assert code_of(lambda: _plan(under_review, stranger)) == error_codes.VISIT_ROLE

    visit = _plan(under_review, staff)
    # held: not in the future, not before the day it was planned
    assert code_of(lambda: services.visit_record_held(visit=visit, by=expert, held_from=tomorrow)) == (
        error_codes.DATE_IN_FUTURE
    )
    assert code_of(lambda: services.visit_record_held(visit=visit, by=expert, held_from=yesterday)) == (
        error_codes.VISIT_HELD_BEFORE_PLANNED
    )
    # photos only once held; a cancellation needs its reason; a held visit's status is final (409)
    assert code_of(lambda: services.visit_evidence_add(visit=visit, by=expert, file=_jpeg())) == (
        error_codes.VISIT_NOT_HELD
    )
    assert (
        code_of(lambda: services.visit_cancel(visit=visit, by=expert, reason=" ")) == error_codes.VISIT_REASON_REQUIRED
    )
    services.visit_record_held(visit=visit, by=expert, held_from=TODAY())
    with pytest.raises(Conflict) as final:
        services.visit_cancel(visit=visit, by=expert, reason="Too late")
    assert final.value.code == error_codes.VISIT_FINAL
    with pytest.raises(NotAllowed):
        services.visit_evidence_add(visit=visit, by=site_manager, file=_jpeg())

    # an assessment in the application phase has no visits (nor one concluded)
    from assessments.services import assessment_create

    applying = assessment_create(
        protected_area=other_manager_area(other_manager), user=other_manager, year=TODAY().year
    )
    assert code_of(lambda: _plan(applying, staff)) == error_codes.VISIT_PHASE
    assert applying.site_visits.count() == 0


def test_api_pages_and_review_page(under_review, api_client, client, site_manager, expert, reviewer, staff, outsider):
    first = answers_of(under_review)[0]
    # the site team may not plan (403 before the body is read); the expert may
    api_client.force_authenticate(site_manager)
    refused = api_client.post(f"/api/v1/assessments/{under_review.pk}/visits/", {}, format="json")
    assert refused.status_code == 403 and refused.json()["code"] == error_codes.VISIT_ROLE
    api_client.force_authenticate(expert)
    planned = api_client.post(
        f"/api/v1/assessments/{under_review.pk}/visits/",
        {"planned_from": TODAY().isoformat(), "agenda": "Walk the boundary", "participants": [expert.pk]},
        format="json",
    )
    assert planned.status_code == 201, planned.json()
    pk = planned.json()["id"]
    future = (TODAY() + datetime.timedelta(days=2)).isoformat()
    bad = api_client.post(f"/api/v1/site-visits/{pk}/held/", {"held_from": future}, format="json")
    assert bad.status_code == 400 and bad.json()["code"] == error_codes.DATE_IN_FUTURE
    # the page refuses it too, and keeps what was typed
    client.force_login(expert)
    refused_page = client.post(f"/visits/{pk}/held/", {"held_from": future, "notes": "Typed notes kept"})
    assert refused_page.status_code == 400 and "Typed notes kept" in refused_page.content.decode()
    held = api_client.post(
        f"/api/v1/site-visits/{pk}/held/", {"held_from": TODAY().isoformat(), "notes": "zqNOTESzq"}, format="json"
    )
    assert held.status_code == 200 and held.json()["status"] == "held"
    added = api_client.post(
        f"/api/v1/site-visits/{pk}/evidence/",
        {"file": _jpeg(), "title": "Boundary marker 12", "indicators": [first.indicator_id]},
        format="multipart",
    )
    assert added.status_code == 201, added.json()
    evidence_process(added.json()["id"])

    # the site team sees the visit, not the notes until released; the independent reviewer reads them
    api_client.force_authenticate(site_manager)
    seen = api_client.get(f"/api/v1/site-visits/{pk}/").json()
    assert seen["agenda"] == "Walk the boundary" and seen["notes"] is None
    assert seen["participants"] == [{"id": expert.pk, "name": expert.get_full_name()}]
    api_client.force_authenticate(reviewer)
    assert api_client.get(f"/api/v1/site-visits/{pk}/").json()["notes"] == "zqNOTESzq"
    # an outsider does not learn the visit exists
    api_client.force_authenticate(outsider)
    assert api_client.get(f"/api/v1/site-visits/{pk}/").status_code == 404
    assert api_client.get(f"/api/v1/assessments/{under_review.pk}/visits/").status_code == 404

    # pages: the site team's view withholds the notes; staff's shows them and the release button
    client.force_login(site_manager)
    page = client.get(f"/visits/{pk}/").content.decode()
    assert "Walk the boundary" in page and "zqNOTESzq" not in page and "notes-withheld" in page
    assert "Boundary marker 12" in page
    assert client.post(f"/visits/{pk}/release/").status_code == 403
    client.force_login(staff)
    listing = client.get(f"/assessments/{under_review.pk}/visits/")
    assert listing.status_code == 200 and f"/visits/{pk}/" in listing.content.decode()
    assert "zqNOTESzq" in client.get(f"/visits/{pk}/").content.decode()
    assert client.post(f"/visits/{pk}/release/").status_code == 302
    client.force_login(site_manager)
    assert "zqNOTESzq" in client.get(f"/visits/{pk}/").content.decode()

    # the reviewers find the photo beside its indicator on the review page
    client.force_login(reviewer)
    # (in its indicator's details, which the review page loads when the indicator is opened: issue 19)
    details_url = f"/reviews/assessments/{under_review.pk}/indicators/{first.pk}/details/"
    assert details_url in client.get(f"/reviews/assessments/{under_review.pk}/").content.decode()
    review_page = client.get(details_url).content.decode()
    assert "Boundary marker 12" in review_page
    with translation.override("en"):
        mark = f"From the site visit of {formats.date_format(TODAY(), 'DATE_FORMAT')}"
    item_html = review_page.split('id="evidence-' + str(added.json()["id"]) + '"', 1)[1].split("</li>", 1)[0]
    assert mark in item_html

    # once concluded, the visit is kept as it was: nothing more is added
    from reviews.tests.helpers import review_to_conclusion

    review_to_conclusion(under_review, staff=make_user(Role.IUCN_STAFF, email="s2@example.org"))
    api_client.force_authenticate(staff)
    late = api_client.post(
        f"/api/v1/assessments/{under_review.pk}/visits/", {"planned_from": TODAY().isoformat()}, format="json"
    )
    assert late.status_code == 409 and late.json()["code"] == error_codes.VISIT_PHASE


def test_the_assessment_page_links_its_site_visits(under_review, client, site_manager, staff, other_manager):
    # given a visit planned on the assessment under review
    _plan(under_review, staff)
    url = reverse("visits:list", args=[under_review.pk])
    # the site team finds the visits from the assessment page it works on
    client.force_login(site_manager)
    page = client.get(under_review.get_absolute_url()).content.decode()
    assert f'href="{url}"' in page and "Site visits (1)" in page
    # someone who may not see the assessment gets neither the page nor the link
    client.force_login(other_manager)
    assert client.get(under_review.get_absolute_url()).status_code == 404


def test_a_participant_that_is_a_superscript_digit_is_the_forms_error_not_a_500(under_review, client, expert):
    """'²'.isdigit() is true but int('²') fails: the form answers with its error and keeps the page."""
    client.force_login(expert)
    response = client.post(
        reverse("visits:list", args=[under_review.pk]),
        {"planned_from": TODAY().isoformat(), "agenda": "Walk the boundary", "participants": ["²"]},
    )
    assert response.status_code == 400
    assert not under_review.site_visits.exists()
