"""Stakeholder consultation (issue 16): a window per site and phase opened by staff; anyone comments
without an account, confirmed by e-mail, moderated before anything is public; the site team and the
expert group see accepted comments and the group records how it considered each before it recommends."""

import datetime
import re

import pytest
from django.urls import reverse
from django.utils import timezone, translation

from accounts.tests.factories import Role, make_user
from assessments.workflow import transition
from audit.models import AuditEvent
from core.errors import Conflict
from core.models import OutgoingEmail
from protected_areas.tests.factories import ProtectedAreaFactory
from reviews.tests.helpers import review_to_conclusion
from stakeholders import error_codes, services
from stakeholders.choices import CommentStatus
from stakeholders.models import Comment

from .factories import accepted_comment, candidate, old_stamp, open_window


@pytest.fixture
def window(db, area, jurisdiction, site_manager, staff):
    candidate(area, site_manager, staff)
    return open_window(area, staff)


def _post(client, window, **fields):
    data = {"window": window.pk, "text": "Fishing nets in the core zone.", "email": "ana@example.org"}
    data.update({"stamp": old_stamp(), "website": ""})
    data.update(fields)
    return client.post(reverse("stakeholders:public", args=[window.protected_area_id]), data)


def test_a_comment_is_public_only_once_confirmed_and_accepted_and_never_with_personal_data(client, window, staff):
    # given an anonymous visitor who comments, asking for the name to be shown
    response = _post(client, window, name="Ana Lopez", show_name="on", text="Fishing nets zqNETSzq.")
    assert response.status_code == 302
    comment = Comment.objects.get()
    assert comment.status == CommentStatus.UNCONFIRMED
    # then the confirmation link is e-mailed through the outbox, and nothing reaches the moderators yet
    mail = OutgoingEmail.objects.get(kind=services.CONFIRM_EMAIL)
    assert mail.to == ["ana@example.org"]
    client.force_login(staff)
    assert "zqNETSzq" not in client.get(reverse("stakeholders:list")).content.decode()
    client.logout()
    public = reverse("stakeholders:public", args=[window.protected_area_id])
    assert "zqNETSzq" not in client.get(public).content.decode()
    # when the visitor follows the link (a GET shows a button; the POST confirms)
    path = re.search(r"https?://[^/]+(/\S+)", mail.body).group(1)
    assert client.get(path).status_code == 200
    assert Comment.objects.get().status == CommentStatus.UNCONFIRMED
    assert client.post(path).status_code == 200
    # then it waits for moderation, still not public
    assert Comment.objects.get().status == CommentStatus.PENDING
    assert "zqNETSzq" not in client.get(public).content.decode()
    client.force_login(staff)
    assert "zqNETSzq" in client.get(reverse("stakeholders:list")).content.decode()
    # when staff accept it
    client.post(reverse("stakeholders:moderate", args=[comment.pk]), {"decision": "accept"})
    client.logout()
    # then the public sees its text and the name it agreed to show, never the e-mail address
    body = client.get(public).content.decode()
    assert "zqNETSzq" in body and "Ana Lopez" in body and "ana@example.org" not in body
    assert AuditEvent.objects.filter(action="consultation.comment_accepted", actor=staff).exists()
    # and a second link click changes nothing
    assert client.post(path).status_code == 200


def test_the_name_stays_private_without_consent_and_a_rejection_needs_a_reason(client, window, staff):
    comment = services.comment_submit(
        window=window, text="zqPRIVATEzq", email="b@example.org", name="Bo", stamp=old_stamp()
    )
    services.comment_confirm(token=services.confirm_token(comment))
    with pytest.raises(services.DomainError) as err:
        services.comment_moderate(comment=comment, by=staff, accept=False)
    assert err.value.code == error_codes.REASONS_REQUIRED
    services.comment_moderate(comment=comment, by=staff, accept=False, reason="Off topic.")
    assert (
        "zqPRIVATEzq"
        not in client.get(reverse("stakeholders:public", args=[window.protected_area_id])).content.decode()
    )
    shown = accepted_comment(window, staff, text="zqSHOWNzq", email="c@example.org", name="Cyzqhiddenzq")
    body = client.get(reverse("stakeholders:public", args=[window.protected_area_id])).content.decode()
    assert "zqSHOWNzq" in body and "Cyzqhiddenzq" not in body
    assert shown.public_name == ""


@pytest.mark.parametrize(
    ("fields", "code"),
    [
        ({"website": "http://spam.example"}, "honeypot"),
        ({"stamp": ""}, "no stamp"),
        ({"stamp": "fresh"}, "too fast"),
        ({"text": "see http://a.example http://b.example www.c.example"}, "links"),
        ({"text": "x" * 4001}, "too long"),
        ({"email": "not-an-address"}, "email"),
    ],
)
def test_spam_and_bad_input_are_refused_and_stored_nowhere(client, window, fields, code):
    if fields.get("stamp") == "fresh":
        from stakeholders.guard import form_stamp

        fields = {"stamp": form_stamp()}
    response = _post(client, window, **fields)
    assert response.status_code == 400, code
    assert 'role="alert"' in response.content.decode()
    assert not Comment.objects.exists()
    assert not OutgoingEmail.objects.filter(kind=services.CONFIRM_EMAIL).exists()


def test_a_flood_gets_a_clear_429_page(client, window):
    # the same e-mail address: 3 an hour; then 429 with Retry-After, and nothing stored
    for n in range(3):
        assert _post(client, window, text=f"Comment {n}").status_code == 302
    response = _post(client, window, text="One more")
    assert response.status_code == 429
    assert int(response["Retry-After"]) > 0
    assert 'id="too-many"' in response.content.decode()
    # other addresses from the same client address: 5 an hour in all
    for n in range(2):
        assert _post(client, window, email=f"other{n}@example.org").status_code == 302
    assert _post(client, window, email="third@example.org").status_code == 429
    assert Comment.objects.count() == 5


def test_a_closed_window_refuses_and_an_unconfirmed_comment_never_reaches_the_queue(client, window, staff):
    comment = services.comment_submit(window=window, text="Late", email="d@example.org", stamp=old_stamp())
    with pytest.raises(Conflict) as err:
        services.comment_moderate(comment=comment, by=staff, accept=True)
    assert err.value.code == error_codes.COMMENT_NOT_PENDING
    with pytest.raises(services.DomainError) as err:
        services.comment_confirm(token=services.confirm_token(comment) + "x")
    assert err.value.code == error_codes.COMMENT_TOKEN_INVALID
    # the site's public page links to the consultation while it is open, and no longer once closed
    area_page = reverse("protected_areas:detail", args=[window.protected_area_id])
    assert 'id="consultation-link"' in client.get(area_page).content.decode()
    services.window_close(window=window, by=staff)
    window.refresh_from_db()
    assert not window.is_open()
    assert 'id="consultation-link"' not in client.get(area_page).content.decode()
    response = _post(client, window)
    assert response.status_code == 400
    with pytest.raises(Conflict) as err:
        services.comment_submit(window=window, text="x", email="e@example.org", stamp=old_stamp())
    assert err.value.code == error_codes.CONSULTATION_CLOSED


def test_windows_follow_the_phase_and_do_not_overlap(area, jurisdiction, site_manager, staff, expert):
    assessment = candidate(area, site_manager, staff)
    # a candidate site has no applicant window and is not listed
    for phase in ("applicant", "listed"):
        with pytest.raises(Conflict) as err:
            open_window(area, staff, phase=phase)
        assert err.value.code == error_codes.CONSULTATION_PHASE_MISMATCH
    window = open_window(area, staff)
    assert window.assessment == assessment
    with pytest.raises(Conflict) as err:
        open_window(area, staff, start=5)
    assert err.value.code == error_codes.CONSULTATION_OVERLAP
    with pytest.raises(services.NotAllowed):
        open_window(area, expert, start=30)
    assert AuditEvent.objects.filter(action="consultation.opened").count() == 1


def test_the_group_considers_each_accepted_comment_before_it_recommends(area, jurisdiction, site_manager, staff):
    assessment = candidate(area, site_manager, staff)
    window = open_window(area, staff)
    comment = accepted_comment(window, staff)
    transition(assessment, "submitted", by=site_manager)
    expert = make_user(Role.EXPERT, jurisdiction=jurisdiction)
    # the recommendation is refused with a stable code while an accepted comment has no consideration
    with pytest.raises(Conflict) as err:
        review_to_conclusion(assessment, staff=make_user(Role.IUCN_STAFF), expert=expert)
    assert err.value.code == error_codes.COMMENTS_NOT_CONSIDERED
    assert err.value.data == {"comments": [comment.pk]}
    # a site manager may not record it; an expert of the site's jurisdiction does
    with pytest.raises(services.NotAllowed):
        services.consideration_record(comment=comment, by=site_manager, text="x", jurisdiction_id=jurisdiction.pk)
    services.consideration_record(
        comment=comment, by=expert, text="Erosion is covered by 2.3.1.", jurisdiction_id=jurisdiction.pk
    )
    from reviews import services as review

    review.recommendation_make(assessment=assessment, by=expert, outcome="recommend", reasons="Meets the Standard.")
    assert AuditEvent.objects.filter(action="consultation.considered", actor=expert).exists()


def test_the_api_lets_staff_moderate_and_the_group_consider(api_client, window, staff, site_manager, jurisdiction):
    comment = services.comment_submit(window=window, text="zqAPIzq", email="f@example.org", stamp=old_stamp())
    services.comment_confirm(token=services.confirm_token(comment))
    expert = make_user(Role.EXPERT, jurisdiction=jurisdiction)
    other = make_user(Role.SITE_MANAGER, email="elsewhere@example.org", protected_area=ProtectedAreaFactory())
    comments = reverse("consultation-comments", args=[window.pk])
    # the site team sees no pending comment; staff see it, never with its e-mail address
    api_client.force_authenticate(site_manager)
    assert api_client.get(comments).json() == []
    api_client.force_authenticate(staff)
    listed = api_client.get(comments).json()
    assert [c["status"] for c in listed] == ["pending"] and "f@example.org" not in str(listed)
    # an expert may not moderate; staff reject without a reason: 400 with the code
    api_client.force_authenticate(expert)
    moderation = reverse("consultation-moderation", args=[comment.pk])
    assert api_client.post(moderation, {"accept": True}, format="json").status_code == 404
    api_client.force_authenticate(staff)
    refused = api_client.post(moderation, {"accept": False}, format="json")
    assert refused.status_code == 400 and refused.json()["code"] == error_codes.REASONS_REQUIRED
    assert api_client.post(moderation, {"accept": True}, format="json").status_code == 200
    # the expert records the consideration; another site's manager does not even see the window
    api_client.force_authenticate(expert)
    considered = api_client.post(
        reverse("consultation-consideration", args=[comment.pk]), {"text": "Noted in 1.2."}, format="json"
    )
    assert considered.status_code == 201, considered.json()
    api_client.force_authenticate(other)
    assert api_client.get(comments).status_code == 404
    api_client.force_authenticate(site_manager)
    assert api_client.get(comments).json()[0]["consideration"]["text"] == "Noted in 1.2."
    # staff open a window through the API: a phase the site is not in is 409 with the code
    api_client.force_authenticate(staff)
    today = timezone.localdate()
    opened = api_client.post(
        reverse("consultation-list"),
        {"protected_area": window.protected_area_id, "phase": "listed", "opens_on": today, "closes_on": today},
        format="json",
    )
    assert opened.status_code == 409 and opened.json()["code"] == error_codes.CONSULTATION_PHASE_MISMATCH
    assert today - datetime.timedelta(days=1) < window.closes_on


def test_the_assessment_page_links_the_consultation_held_on_it(client, window, site_manager, other_manager):
    client.force_login(site_manager)
    page = client.get(window.assessment.get_absolute_url()).content.decode()
    assert f'href="{window.get_absolute_url()}"' in page
    client.force_login(other_manager)
    assert client.get(window.assessment.get_absolute_url()).status_code == 404


def test_the_confirmation_link_is_erased_from_the_outbox_once_sent(client, window):
    from core import outbox

    # given a comment whose confirmation link went out
    _post(client, window, email="ana@example.org")
    mail = OutgoingEmail.objects.get(kind=services.CONFIRM_EMAIL)
    outbox.outgoing_email_send(email_id=mail.pk)
    # then whoever reads the outbox cannot confirm it in the commenter's place
    mail.refresh_from_db()
    assert mail.sent_at is not None and mail.body == outbox.ERASED_BODY


def test_a_too_long_comment_is_refused_with_the_numbers_written_the_french_way(client, window):
    # given a French reader of the comment form (the requests leave their language active: the
    # override puts the test's back)
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "fr"
    with translation.override("en"):
        form = client.get(reverse("stakeholders:public", args=[window.protected_area_id])).content.decode()
        # when a comment of 5,000 characters is sent where 4,000 are allowed
        refused = _post(client, window, text="x" * 5000).content.decode()
    # then the form's hint and the refusal write 4 000 and 5 000, with French thousands separators
    assert "4\xa0000 caractères" in form
    assert "5\xa0000 caractères" in refused and "4\xa0000" in refused
    assert "5000" not in refused and "4000 caractères" not in form + refused
