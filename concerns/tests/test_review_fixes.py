"""What a review of the concerns found (issue 16): the public form's cost before its rate limit, the
expert group's advice shown to the site team, URLs that crashed on non-ASCII digits, PDF filters a
name escape got past, and the added sites of a multi-site certificate that took no concern."""

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from PIL import Image, ImageFile

from assessments.models import AssessmentSite
from certification.tests.factories import make_panel_member
from concerns import error_codes, services
from concerns.models import Concern, ConcernAttachment
from core.errors import DomainError
from protected_areas.tests.factories import ProtectedAreaFactory
from stakeholders.tests.factories import old_stamp

from .factories import confirmed, pdf, png, raised


def _post(client, area, **fields):
    data = {"text": "Poachers' camp found near the river.", "email": "rai@example.org", "stamp": old_stamp()}
    data.update(fields)
    return client.post(reverse("concerns:raise", args=[area.pk]), data)


# --- 1. the public form's cost ---------------------------------------------------------------------


def test_refused_attempts_count_towards_the_rate_limit_and_files_are_not_read_once_it_is_reached(
    client, area, certificate
):
    # given three attempts refused for their files (each one decoded or sniffed)
    for _ in range(3):
        hostile = SimpleUploadedFile("page.html", b"<html><script>alert(1)</script></html>")
        assert _post(client, area, attachments=[hostile]).status_code == 400
    # then the fourth is refused by the rate limit, before its (oversized) image is opened
    response = _post(client, area, attachments=[png(size=(6000, 6000))])
    assert response.status_code == 429 and response["Retry-After"]
    assert not Concern.objects.exists()


def test_a_request_larger_than_the_files_limits_is_refused_before_it_is_read(client, area, certificate, settings):
    settings.GREENLIST_CONCERN_ATTACHMENTS = 1
    settings.GREENLIST_CONCERN_ATTACHMENT_BYTES = 1000
    big = SimpleUploadedFile("big.pdf", b"%PDF-1.4\n" + b"0" * (services.REQUEST_TEXT_MARGIN + 5000))
    response = _post(client, area, attachments=[big])
    assert response.status_code == 413
    assert "attach at most 1 file of 1 MB." in response.content.decode()  # one file: the singular
    assert not Concern.objects.exists() and not ConcernAttachment.objects.exists()
    assert services.request_too_large("9" * 20) and services.request_too_large("²")
    assert not services.request_too_large("1000") and not services.request_too_large(None)
    # a form within the limits still goes through
    settings.GREENLIST_CONCERN_ATTACHMENT_BYTES = 10_000_000
    assert _post(client, area, attachments=[png()]).status_code == 302


def test_the_image_pixel_limit_default_is_25_megapixels():
    from greenlist import settings as project_settings

    assert project_settings.GREENLIST_CONCERN_IMAGE_MAX_PIXELS <= 25_000_000


def _jpeg(size=(200, 150)) -> bytes:
    out = io.BytesIO()
    Image.effect_noise(size, 60).convert("RGB").save(out, format="JPEG")
    return out.getvalue()


def _png(size=(200, 150)) -> bytes:
    out = io.BytesIO()
    Image.effect_noise(size, 60).save(out, format="PNG")
    return out.getvalue()


@pytest.mark.parametrize("name,data", [("cut.png", _png()[:-400]), ("cut.jpg", _jpeg()[:-400])])
def test_a_truncated_image_is_refused_even_when_pillow_is_told_to_load_truncated_images(
    area, certificate, monkeypatch, name, data
):
    # WeasyPrint turns the process-wide switch on; the check must not depend on it nor flip it.
    monkeypatch.setattr(ImageFile, "LOAD_TRUNCATED_IMAGES", True)
    with pytest.raises(DomainError) as refused:
        raised(area, files=[SimpleUploadedFile(name, data)])
    assert refused.value.code == error_codes.CONCERN_ATTACHMENT_HOSTILE
    assert ImageFile.LOAD_TRUNCATED_IMAGES is True
    # whole images still pass
    assert raised(area, email="b@example.org", files=[SimpleUploadedFile("ok.jpg", _jpeg())]).attachments.count() == 1


# --- 2. the expert group's advice is internal ------------------------------------------------------


def test_the_site_team_reads_neither_on_the_page_nor_in_the_api_the_groups_advice(
    client, area, certificate, staff, site_manager, expert
):
    concern = confirmed(area)
    services.concern_triage(concern=concern, by=staff, admissible=True, reason="ok", advisers=[expert])
    services.concern_answer(concern=concern, by=site_manager, text="Answer.")
    services.concern_advise(concern=concern, by=expert, text="Advice zqADVICEzq.")
    panel_member = make_panel_member(email="p1@example.org")
    client.force_login(site_manager)
    assert "zqADVICEzq" not in client.get(reverse("concerns:detail", args=[concern.pk])).content.decode()
    assert client.get(reverse("concern-detail", args=[concern.pk])).json()["advice"] == ""
    for person in (staff, expert, panel_member):
        client.force_login(person)
        assert "zqADVICEzq" in client.get(reverse("concerns:detail", args=[concern.pk])).content.decode()
        assert "zqADVICEzq" in client.get(reverse("concern-detail", args=[concern.pk])).json()["advice"]


# --- 3. digits that are not ASCII --------------------------------------------------------------------


def test_non_ascii_digits_are_404_not_500(client, area, certificate, staff):
    assert client.get("/concerns/track/²-x/").status_code == 404
    assert client.post("/concerns/track/²-x/").status_code == 404
    assert services.concern_for_token("١٢-x") is None
    concern = confirmed(area)
    client.force_login(staff)
    response = client.post(
        reverse("concerns:triage", args=[concern.pk]), {"decision": "admissible", "reason": "ok", "advisers": ["²"]}
    )
    assert response.status_code == 302


# --- 4. PDFs that could act ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    "extra",
    [
        b"<< /S /J#61vaScript /J#53 (app.alert(1)) >>",
        b"2 0 obj << /Type /ObjStm /N 1 /First 4 /Filter /FlateDecode >> stream\nxx\nendstream endobj",
        b"<< /OpenAction 3 0 R >>",
        b"<< /AA << /O 3 0 R >> >>",
        b"<< /S /Launch /F (cmd.exe) >>",
        b"<< /Type /EmbeddedFile >>",
        b"<< /S /JavaScript >>",
        b"<< /JS (x) >>",
        b"<< /RichMedia 3 0 R >>",
        b"<< /AcroForm << /XFA 4 0 R >> >>",
        b"<< /Type#20Catalog >>",
    ],
)
def test_pdfs_with_actions_escapes_or_object_streams_are_refused(area, certificate, extra):
    with pytest.raises(DomainError) as refused:
        raised(area, files=[pdf(extra=extra)])
    assert refused.value.code == error_codes.CONCERN_ATTACHMENT_HOSTILE
    assert not Concern.objects.exists()


def test_a_plain_pdf_is_kept(area, certificate):
    assert raised(area, files=[pdf(extra=b"<< /Type /Page /Annots [] /AAPL 1 >>")]).attachments.count() == 1


# --- 5. the added sites of a multi-site certificate --------------------------------------------------


def test_a_concern_is_raised_about_an_added_site_of_a_multi_site_certificate(client, certificate, site_manager):
    added = ProtectedAreaFactory(name="Bach Ma Test Park")
    assert services.listed_certificate(added) is None
    AssessmentSite.objects.create(
        assessment=certificate.decision.assessment,
        protected_area=added,
        connection="River.",
        shared_values="Saola.",
        added_by=site_manager,
    )
    assert (
        reverse("concerns:raise", args=[added.pk])
        in client.get(reverse("protected_areas:detail", args=[added.pk])).content.decode()
    )
    assert _post(client, added).status_code == 302
    concern = Concern.objects.get()
    assert concern.certificate == certificate and concern.protected_area == added
