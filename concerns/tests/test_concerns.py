"""Concerns about a listed site (issue 16): anyone raises one (protected like comments, files
checked), the raiser follows it by a private link; staff triage, the site team answers, the expert
group advises, the Panel's chair records the Panel's outcome (suspension, then reinstatement)
through the certificate's one lifecycle; outsiders, wrong steps and conflicted members are refused."""

import pytest
from django.urls import reverse

from audit.models import AuditEvent
from certification.choices import CertificateStatus
from certification.models import CertificateTransition
from certification.tests.factories import make_panel_member
from concerns import error_codes, services
from concerns.choices import ConcernOutcomeKind, ConcernStatus
from concerns.models import Concern, ConcernAttachment
from core.errors import DomainError
from core.models import OutgoingEmail
from core.outbox import SECRET_BODY_KINDS
from protected_areas.tests.factories import ProtectedAreaFactory
from stakeholders.tests.factories import old_stamp

from .factories import confirmed, link_path, pdf, png, raised


@pytest.fixture
def panel(db):
    chair = make_panel_member(email="chair@example.org", chair=True)
    members = [make_panel_member(email="p1@example.org"), make_panel_member(email="p2@example.org")]
    return chair, members


def _post(client, area, **fields):
    data = {"text": "Poachers' camp found near the river.", "email": "rai@example.org", "stamp": old_stamp()}
    data.update(fields)
    return client.post(reverse("concerns:raise", args=[area.pk]), data)


def test_an_anonymous_concern_goes_through_triage_answer_advice_to_a_panel_suspension_and_reinstatement(
    client, area, certificate, staff, site_manager, expert, panel
):
    chair, members = panel
    # given an anonymous visitor on the listed site's public page
    page = client.get(reverse("protected_areas:detail", args=[area.pk])).content.decode()
    assert reverse("concerns:raise", args=[area.pk]) in page
    # when they raise a concern with a photo and a PDF
    response = _post(client, area, name="Rai Doe", text="Logging zqCONCERNzq.", attachments=[png(), pdf()])
    assert response.status_code == 302
    concern = Concern.objects.get()
    assert concern.status == ConcernStatus.UNCONFIRMED and concern.attachments.count() == 2
    # then nothing reaches staff before the e-mailed private link is followed
    mail = OutgoingEmail.objects.get(kind="concerns.private_link")
    assert mail.kind in SECRET_BODY_KINDS and mail.to == ["rai@example.org"]
    client.force_login(staff)
    assert "zqCONCERNzq" not in client.get(reverse("concerns:list")).content.decode()
    assert client.get(reverse("concerns:detail", args=[concern.pk])).status_code == 404
    client.logout()
    track = link_path(mail)
    assert client.get(track).status_code == 200
    assert client.post(track).status_code == 302
    concern.refresh_from_db()
    assert concern.status == ConcernStatus.RECEIVED
    # staff see it in the queue and triage it admissible, naming the expert to advise
    client.force_login(staff)
    assert "triage-queue" in client.get(reverse("concerns:list")).content.decode()
    client.post(
        reverse("concerns:triage", args=[concern.pk]),
        {"decision": "admissible", "reason": "zqTRIAGEzq credible", "advisers": [expert.pk]},
    )
    concern.refresh_from_db()
    assert concern.status == ConcernStatus.ADMISSIBLE
    assert OutgoingEmail.objects.filter(kind="concerns.answer_asked", to=[site_manager.email]).exists()
    # the site team answers (it never sees the raiser's name or e-mail, nor the triage reasons)
    client.force_login(site_manager)
    body = client.get(reverse("concerns:detail", args=[concern.pk])).content.decode()
    assert "zqCONCERNzq" in body and "Rai Doe" not in body and "rai@example.org" not in body
    assert "zqTRIAGEzq" not in body
    client.post(reverse("concerns:answer", args=[concern.pk]), {"text": "zqANSWERzq rangers sent."})
    concern.refresh_from_db()
    assert concern.status == ConcernStatus.ANSWERED
    assert OutgoingEmail.objects.filter(kind="concerns.advice_asked", to=[expert.email]).exists()
    # the named expert advises
    client.force_login(expert)
    client.post(reverse("concerns:advise", args=[concern.pk]), {"text": "Suspend until the camp is cleared."})
    concern.refresh_from_db()
    assert concern.status == ConcernStatus.ADVISED
    # the Panel's chair records the Panel's suspension with the members who took part
    client.force_login(chair)
    response = client.post(
        reverse("concerns:outcome", args=[concern.pk]),
        {
            "kind": "suspension",
            "reasons": "zqPANELREASONSzq",
            "public_summary": "Suspended until the camp is cleared.",
            "members": [m.pk for m in members],
        },
    )
    assert response.status_code == 302
    certificate.refresh_from_db()
    assert certificate.status == CertificateStatus.SUSPENDED
    move = CertificateTransition.objects.filter(certificate=certificate).latest("at")
    assert move.by == chair and move.to_status == CertificateStatus.SUSPENDED
    # later, the Panel reinstates it on the same concern
    client.post(
        reverse("concerns:outcome", args=[concern.pk]),
        {"kind": "reinstatement", "reasons": "Cleared.", "public_summary": "Reinstated.", "members": [members[0].pk]},
    )
    certificate.refresh_from_db()
    assert certificate.status == CertificateStatus.ACTIVE
    assert list(concern.outcomes.values_list("kind", flat=True)) == ["suspension", "reinstatement"]
    # the raiser's page shows each dated step and the outcomes' summaries, never internal text
    client.logout()
    body = client.get(track).content.decode()
    assert "Suspended until the camp is cleared." in body and "Reinstated." in body
    for secret in ("zqPANELREASONSzq", "zqTRIAGEzq", "zqANSWERzq"):
        assert secret not in body
    # unless staff share the site's answer
    client.force_login(staff)
    client.post(reverse("concerns:share", args=[concern.pk]), {"shareable": "on"})
    client.logout()
    assert "zqANSWERzq" in client.get(track).content.decode()
    assert AuditEvent.objects.filter(action="concern.outcome_recorded").count() == 2
    assert OutgoingEmail.objects.filter(kind="concerns.private_link").count() >= 4


def test_a_wrong_token_is_404(client, area, certificate):
    concern = raised(area)
    token = services.private_token(concern)
    assert client.get(reverse("concerns:track", args=[token])).status_code == 200
    for bad in (token[:-1] + ("0" if token[-1] != "0" else "1"), f"{concern.pk}-x", "abc", f"{concern.pk + 1}-{token}"):
        assert client.get(reverse("concerns:track", args=[bad])).status_code == 404
        assert client.post(reverse("concerns:track", args=[bad])).status_code == 404


def test_a_site_not_listed_takes_no_concern(client, db):
    area = ProtectedAreaFactory(name="Unlisted Reserve")
    assert "not-listed" in client.get(reverse("concerns:raise", args=[area.pk])).content.decode()
    response = _post(client, area)
    assert response.status_code == 409 and not Concern.objects.exists()
    assert client.get(reverse("concerns:raise", args=[99999999])).status_code == 404


@pytest.mark.parametrize(
    ("fields", "code"),
    [
        ({"website": "http://spam.example"}, error_codes.CONCERN_SPAM),
        ({"stamp": ""}, error_codes.CONCERN_SPAM),
        ({"text": "http://a.example http://b.example http://c.example"}, error_codes.CONCERN_SPAM),
        ({"text": ""}, error_codes.CONCERN_TEXT_INVALID),
        ({"email": "not-an-address"}, error_codes.CONCERN_EMAIL_INVALID),
    ],
)
def test_spam_and_bad_input_are_refused_and_never_reach_staff(client, area, certificate, fields, code):
    response = _post(client, area, **fields)
    assert response.status_code == 400
    assert not Concern.objects.exists()


def test_a_flood_is_refused_with_429(client, area, certificate):
    for _ in range(3):
        assert _post(client, area).status_code == 302
    response = _post(client, area)
    assert response.status_code == 429 and response["Retry-After"]
    assert Concern.objects.count() == 3


@pytest.mark.parametrize(
    ("upload", "code"),
    [
        (lambda: pdf(extra=b"<< /S /JavaScript /JS (app.alert(1)) >>"), error_codes.CONCERN_ATTACHMENT_HOSTILE),
        (
            lambda: pdf(name="x.pdf", extra=b"") if False else _fake("notes.pdf", b"plain text, not a pdf"),
            error_codes.CONCERN_ATTACHMENT_TYPE,
        ),
        (lambda: _fake("page.html", b"<html><script>alert(1)</script></html>"), error_codes.CONCERN_ATTACHMENT_TYPE),
        (lambda: _fake("broken.png", png().read()[:60]), error_codes.CONCERN_ATTACHMENT_HOSTILE),
        (lambda: png(size=(3000, 3000)), error_codes.CONCERN_ATTACHMENT_HOSTILE),
    ],
)
def test_hostile_files_are_refused(area, certificate, settings, upload, code):
    settings.GREENLIST_CONCERN_IMAGE_MAX_PIXELS = 1_000_000  # the 3000 × 3000 image: a bomb here
    with pytest.raises(DomainError) as refused:
        raised(area, files=[upload()])
    assert refused.value.code == code
    assert not Concern.objects.exists() and not ConcernAttachment.objects.exists()


def _fake(name, data):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile(name, data)


def test_size_and_count_limits(area, certificate, settings):
    settings.GREENLIST_CONCERN_ATTACHMENT_BYTES = 200
    with pytest.raises(DomainError) as refused:
        raised(area, files=[png(size=(400, 400))])
    assert refused.value.code == error_codes.CONCERN_ATTACHMENT_TOO_LARGE
    settings.GREENLIST_CONCERN_ATTACHMENT_BYTES = 10_000_000
    with pytest.raises(DomainError) as refused:
        raised(area, files=[pdf(), pdf(), pdf(), pdf()])
    assert refused.value.code == error_codes.CONCERN_ATTACHMENT_TOO_MANY


def test_images_are_re_encoded_without_metadata(area, certificate):
    import io

    from PIL import Image

    out = io.BytesIO()
    exif = Image.Exif()
    exif[0x010F] = "zqCAMERAzq"
    Image.new("RGB", (30, 20)).save(out, format="JPEG", exif=exif)
    from django.core.files.uploadedfile import SimpleUploadedFile

    concern = raised(area, files=[SimpleUploadedFile("p.jpg", out.getvalue())])
    stored = concern.attachments.get().file.open("rb").read()
    assert b"zqCAMERAzq" not in stored and stored.startswith(b"\xff\xd8")


def test_attachments_only_to_those_who_may_open_the_concern(client, area, certificate, staff, site_manager, outsider):
    concern = confirmed(area, files=[png()])
    item = concern.attachments.get()
    url = reverse("concerns:attachment", args=[item.pk])
    assert client.get(url).status_code == 302  # login
    client.force_login(outsider)
    assert client.get(url).status_code == 404
    client.force_login(site_manager)
    assert client.get(url).status_code == 404  # not triaged yet: staff's only
    client.force_login(staff)
    response = client.get(url)
    assert response.status_code == 200 and response["Content-Type"] == "image/png"
    assert client.get(reverse("concern-file", args=[item.pk])).status_code == 200


def test_roles_and_steps_are_refused(client, area, certificate, staff, site_manager, expert, outsider, panel):
    concern = confirmed(area)
    # an outsider knows nothing of it; the site team not before triage
    for person in (outsider, site_manager, expert):
        client.force_login(person)
        assert client.get(reverse("concerns:detail", args=[concern.pk])).status_code == 404
        assert client.get(reverse("concern-detail", args=[concern.pk])).status_code == 404
    # the site team may not triage; staff may not answer; a step out of turn is a 409
    services.concern_triage(concern=concern, by=staff, admissible=True, reason="ok")
    client.force_login(site_manager)
    assert client.post(reverse("concerns:triage", args=[concern.pk]), {"decision": "admissible"}).status_code == 403
    assert client.post(reverse("concern-advice", args=[concern.pk]), {"text": "x"}).status_code == 403
    client.force_login(staff)
    assert client.post(reverse("concern-answer", args=[concern.pk]), {"text": "x"}).status_code == 403
    response = client.post(reverse("concern-close", args=[concern.pk]), {}, content_type="application/json")
    assert response.status_code == 409
    chair, members = panel
    client.force_login(chair)
    data = {"kind": "no_action", "reasons": "r", "public_summary": "s", "members": [members[0].pk]}
    response = client.post(reverse("concern-outcome", args=[concern.pk]), data, content_type="application/json")
    assert response.status_code == 409
    # a Panel member who is not the chair may not record the outcome
    client.force_login(members[0])
    response = client.post(reverse("concern-outcome", args=[concern.pk]), data, content_type="application/json")
    assert response.status_code == 403


def test_inadmissible_is_final_and_told_to_the_raiser(area, certificate, staff):
    concern = confirmed(area)
    services.concern_triage(concern=concern, by=staff, admissible=False, reason="Out of scope.")
    with pytest.raises(DomainError) as refused:
        services.concern_triage(concern=concern, by=staff, admissible=True, reason="again")
    assert refused.value.code == error_codes.CONCERN_FINAL
    assert OutgoingEmail.objects.filter(kind="concerns.private_link").count() == 2
    with pytest.raises(DomainError) as refused:
        services.concern_triage(concern=confirmed(area, email="b@example.org"), by=staff, admissible=True, reason="")
    assert refused.value.code == error_codes.REASONS_REQUIRED


def _advised(area, staff, site_manager, expert):
    concern = confirmed(area)
    services.concern_triage(concern=concern, by=staff, admissible=True, reason="ok", advisers=[expert])
    services.concern_answer(concern=concern, by=site_manager, text="Answer.")
    return services.concern_advise(concern=concern, by=expert, text="Advice.")


def test_a_conflicted_chair_or_member_is_refused(area, certificate, staff, site_manager, expert, panel):
    chair, members = panel
    concern = _advised(area, staff, site_manager, expert)
    type(area).objects.filter(pk=area.pk).update(management_authority="Forest Protection Department")
    conflicted = make_panel_member(email="conflicted@example.org", organisation="Forest Protection Department")
    conflicted_chair = make_panel_member(
        email="cchair@example.org", chair=True, organisation="Forest Protection Department"
    )
    kw = {"kind": "no_action", "reasons": "r", "public_summary": "s"}
    with pytest.raises(DomainError) as refused:
        services.concern_outcome_record(concern=concern, by=chair, members=[members[0], conflicted], **kw)
    assert refused.value.code == error_codes.CONCERN_PANEL_CONFLICT
    with pytest.raises(DomainError) as refused:
        services.concern_outcome_record(concern=concern, by=conflicted_chair, members=members, **kw)
    assert refused.value.code == error_codes.CONCERN_PANEL_CONFLICT
    with pytest.raises(DomainError) as refused:
        services.concern_outcome_record(concern=concern, by=chair, members=[], **kw)
    assert refused.value.code == error_codes.CONCERN_PANEL_MEMBERS_REQUIRED
    with pytest.raises(DomainError) as refused:
        services.concern_outcome_record(concern=concern, by=chair, members=[staff], **kw)
    assert refused.value.code == error_codes.CONCERN_PANEL_MEMBERS_REQUIRED
    concern.refresh_from_db()
    assert concern.status == ConcernStatus.ADVISED
    # a reinstatement without a suspension first is refused; no action leaves the certificate as it is
    with pytest.raises(DomainError) as refused:
        services.concern_outcome_record(concern=concern, by=chair, members=members, **{**kw, "kind": "reinstatement"})
    assert refused.value.code == error_codes.CONCERN_OUTCOME_INVALID
    services.concern_outcome_record(concern=concern, by=chair, members=members, **kw)
    certificate.refresh_from_db()
    assert certificate.status == CertificateStatus.ACTIVE
    with pytest.raises(DomainError) as refused:
        services.concern_outcome_record(concern=concern, by=chair, members=members, **{**kw, "kind": "reinstatement"})
    assert refused.value.code == error_codes.CONCERN_OUTCOME_INVALID


def test_the_chair_may_not_use_the_certificate_page_to_suspend(client, certificate, panel):
    chair, _members = panel
    from certification import lifecycle

    with pytest.raises(DomainError):
        lifecycle.transition(certificate, CertificateStatus.SUSPENDED, by=chair, reason="no")
    assert lifecycle.available_moves(certificate, chair) == []


def test_withdrawal_and_closing(area, certificate, staff, site_manager, expert, panel):
    chair, members = panel
    concern = _advised(area, staff, site_manager, expert)
    services.concern_outcome_record(
        concern=concern, by=chair, members=members, kind="suspension", reasons="r", public_summary="s"
    )
    services.concern_close(concern=concern, by=staff)
    concern.refresh_from_db()
    assert concern.status == ConcernStatus.CLOSED
    services.concern_outcome_record(
        concern=concern, by=chair, members=members, kind=ConcernOutcomeKind.WITHDRAWAL, reasons="r", public_summary="s"
    )
    certificate.refresh_from_db()
    concern.refresh_from_db()
    assert certificate.status == CertificateStatus.WITHDRAWN and concern.status == ConcernStatus.DECIDED


def test_the_list_page_queries_do_not_grow(client, area, certificate, staff, django_assert_max_num_queries):
    confirmed(area, email="a@example.org")
    client.force_login(staff)
    with django_assert_max_num_queries(15) as small:
        client.get(reverse("concerns:list"))
    for i in range(8):
        confirmed(area, email=f"n{i}@example.org")
    with django_assert_max_num_queries(len(small.captured_queries)):
        assert client.get(reverse("concerns:list")).status_code == 200


def test_the_api_never_shows_the_raisers_address(client, area, certificate, staff, site_manager):
    concern = confirmed(area, name="Rai Doe")
    services.concern_triage(concern=concern, by=staff, admissible=True, reason="ok")
    client.force_login(site_manager)
    body = client.get(reverse("concern-detail", args=[concern.pk])).json()
    assert body["name"] == "" and "email" not in body
    client.force_login(staff)
    assert client.get(reverse("concern-detail", args=[concern.pk])).json()["name"] == "Rai Doe"
    assert [c["id"] for c in client.get(reverse("concern-list")).json()] == [concern.pk]


def test_new_conditions_are_added_to_the_listing(area, certificate, staff, site_manager, expert, panel):
    import datetime

    from django.utils import timezone

    chair, members = panel
    concern = _advised(area, staff, site_manager, expert)
    kw = {"concern": concern, "by": chair, "members": members, "kind": "conditions", "reasons": "r"}
    # a condition without its due date is refused, and nothing is recorded
    with pytest.raises(DomainError) as refused:
        services.concern_outcome_record(**kw, public_summary="s", condition_text="Fence the core zone.")
    assert refused.value.code == error_codes.CONCERN_CONDITION_INVALID
    concern.refresh_from_db()
    assert concern.status == ConcernStatus.ADVISED and not concern.outcomes.exists()
    due = timezone.localdate() + datetime.timedelta(days=90)
    services.concern_outcome_record(
        **kw,
        public_summary="A condition was added.",
        condition_text="Fence the core zone.",
        condition_due_on=due,
        condition_checked_by="expert_group",
    )
    condition = certificate.conditions.get()
    assert condition.text == "Fence the core zone." and condition.due_on == due
    assert str(concern.pk) in condition.origin
    certificate.refresh_from_db()
    assert certificate.status == CertificateStatus.ACTIVE
