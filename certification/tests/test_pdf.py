"""The certificate PDF: rendered by WeasyPrint, looked at as an image, QR decoded."""

import datetime
import shutil
import subprocess
from pathlib import Path

import pytest
import zxingcpp
from django.conf import settings
from django.utils import formats, timezone, translation
from PIL import Image

from accounts.models import User
from certification import services
from certification.models import Certificate
from certification.tests.factories import grant_with_condition_rows, panel_decide_for_tests


def pdf_to_png(pdf: bytes, tmp_path: Path, dpi: int = 110) -> Path:
    assert shutil.which("pdftoppm"), "poppler-utils is needed (scripts/setup.sh installs it)"
    src = tmp_path / "certificate.pdf"
    src.write_bytes(pdf)
    subprocess.run(["pdftoppm", "-png", "-r", str(dpi), "-singlefile", str(src), str(tmp_path / "page")], check=True)
    return tmp_path / "page.png"


def pdf_text(pdf: bytes, tmp_path: Path) -> str:
    src = tmp_path / "text.pdf"
    src.write_bytes(pdf)
    return subprocess.run(["pdftotext", "-layout", str(src), "-"], check=True, capture_output=True, text=True).stdout


def test_the_pdf_is_one_landscape_page_with_the_site_dates_number_and_a_qr_to_the_verification_page(
    certificate, tmp_path
):
    # given a granted certificate
    # when its PDF is made by the task's service
    services.certificate_render_pdf(certificate_id=certificate.pk)
    certificate.refresh_from_db()
    pdf = certificate.pdf.read()

    # then it is stored, one landscape A4 page
    assert pdf.startswith(b"%PDF") and certificate.pdf_generated_at is not None
    png = pdf_to_png(pdf, tmp_path)
    shutil.copy(png, Path(settings.MEDIA_ROOT) / "last-certificate.png")  # to look at by hand
    image = Image.open(png)
    assert image.width > image.height and abs(image.width / image.height - 297 / 210) < 0.02
    # with the facts printed on it
    text = pdf_text(pdf, tmp_path)
    area = certificate.protected_area
    for fact in (area.name, str(area.wdpa_id), "Vietnam", certificate.number, "IUCN Green List"):
        assert fact in text, fact
    assert certificate.granted_on.strftime("%-d %B %Y") in text
    assert certificate.expires_on.strftime("%-d %B %Y") in text
    # and a QR code that opens the public verification page of this number
    codes = zxingcpp.read_barcodes(image)
    assert [c.text for c in codes if c.format == zxingcpp.BarcodeFormat.QRCode] == [
        f"{settings.SITE_URL}/verify/{certificate.number}/"
    ]


@pytest.mark.parametrize(("language", "title"), [("fr", "Liste verte de l’UICN"), ("es", "Lista Verde de la UICN")])
def test_the_pdf_speaks_the_site_teams_language(recommended, staff, site_manager, language, title, tmp_path):
    # given a site team that reads French (or Spanish)
    User.objects.filter(pk=site_manager.pk).update(language=language)
    # when status is granted
    decision = panel_decide_for_tests(assessment=recommended, user=staff, outcome="granted", reasons="Met.")
    certificate = Certificate.objects.get(pk=decision.certificate.pk)
    assert certificate.language == language
    # then the certificate is printed in that language, while the page language is untouched
    text = pdf_text(services.certificate_pdf_bytes(certificate), tmp_path)
    assert title in text
    assert translation.get_language() == "en"


def _grant_with_condition_rows(assessment, staff):
    """A Panel grant whose two conditions are structured rows (issue 16); returns it and their due dates."""
    today = timezone.localdate()
    due = [today + datetime.timedelta(days=30), today + datetime.timedelta(days=60)]
    rows = [
        {"text": "Report on ranger patrols.", "due_on": due[0], "checked_by": "expert_group"},
        {"text": "Publish the plan.", "due_on": due[1], "checked_by": "secretariat"},
    ]
    return grant_with_condition_rows(assessment, staff, rows), due


@pytest.mark.parametrize("language", ["en", "fr"])
def test_the_pdf_lists_each_condition_on_its_own_line_with_its_date_written_out(
    recommended, staff, site_manager, language, tmp_path
):
    # given a grant with two structured conditions, for a site team that reads `language`
    User.objects.filter(pk=site_manager.pk).update(language=language)
    decision, due = _grant_with_condition_rows(recommended, staff)
    certificate = Certificate.objects.get(pk=decision.certificate.pk)
    # when its PDF is made
    pdf = services.certificate_pdf_bytes(certificate)
    shots = Path(settings.BASE_DIR) / "var" / "screenshots"
    shots.mkdir(parents=True, exist_ok=True)
    shutil.copy(pdf_to_png(pdf, tmp_path), shots / f"certificate-pdf-conditions-{language}.png")
    lines = [" ".join(line.split()) for line in pdf_text(pdf, tmp_path).splitlines()]
    # then each condition has a line of its own, its due date written as the page's other dates
    # (in the certificate's language) and who checks it in lower case mid-sentence
    first = [line for line in lines if "Report on ranger patrols." in line]
    second = [line for line in lines if "Publish the plan." in line]
    assert len(first) == len(second) == 1 and first != second, lines
    with translation.override(language):
        dates = [formats.date_format(d, "DATE_FORMAT") for d in due]
    assert dates[0] in first[0] and dates[1] in second[0]
    assert not any(d.isoformat() in line for d in due for line in lines)
    if language == "en":
        assert first[0].endswith(f"1. Report on ranger patrols. (due {due[0]:%-d %B %Y}; checked by the expert group)")
        assert second[0] == f"2. Publish the plan. (due {due[1]:%-d %B %Y}; checked by IUCN staff (the secretariat))"
