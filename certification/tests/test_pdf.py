"""The certificate PDF: rendered by WeasyPrint, looked at as an image, QR decoded."""

import shutil
import subprocess
from pathlib import Path

import pytest
import zxingcpp
from django.conf import settings
from django.utils import translation
from PIL import Image

from accounts.models import User
from certification import services
from certification.models import Certificate
from certification.tests.factories import panel_decide_for_tests


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
