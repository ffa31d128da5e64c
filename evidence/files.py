"""An evidence file as an answer: the one response the download page and the API both send."""

import magic

from core.downloads import private_file, untrusted_type

from .models import EvidenceItem


def evidence_file_response(item: EvidenceItem):
    """The file of `item`, whose visibility the caller has checked (`selectors.get_evidence_for_user`).

    The type is sniffed from the bytes, never taken from what the uploader's browser claimed:
    PDFs and images are shown inline, anything else is downloaded."""
    handle = item.file.open("rb")
    head = handle.read(4096)
    handle.seek(0)
    sniffed = magic.from_buffer(head, mime=True) if head else "application/octet-stream"
    return private_file(handle, filename=item.original_filename, content_type=untrusted_type(sniffed), inline=True)
