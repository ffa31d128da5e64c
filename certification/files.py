"""A certificate's PDF as an answer: the one response the certificate page and the API both send."""

from django.utils.translation import gettext as _

from core.downloads import private_file
from core.errors import Conflict

from . import error_codes
from .models import Certificate


def certificate_pdf_response(certificate: Certificate):
    """The PDF of `certificate`, whose download the caller has allowed
    (`selectors.get_certificate_pdf_for_user`); 409 `certificate_pdf_not_ready` while the worker
    is still making it."""
    if not certificate.pdf:
        raise Conflict(error_codes.PDF_NOT_READY, _("The certificate PDF is still being made. Try again in a minute."))
    return private_file(
        certificate.pdf.open("rb"),
        filename=f"{certificate.number}.pdf",
        content_type="application/pdf",
        inline=False,  # a document to keep, as the page has always sent it
    )
