"""An evidence file and its thumbnail as answers: the responses the pages and the API both send."""

import magic
from django.http import Http404

from core.downloads import NO_STORE, private_file, untrusted_type

from .models import EvidenceFacts, EvidenceItem


def evidence_file_response(item: EvidenceItem):
    """The file of `item`, whose visibility the caller has checked (`selectors.get_evidence_for_user`).

    The type is sniffed from the bytes, never taken from what the uploader's browser claimed:
    PDFs and images are shown inline, anything else is downloaded."""
    handle = item.file.open("rb")
    head = handle.read(4096)
    handle.seek(0)
    sniffed = magic.from_buffer(head, mime=True) if head else "application/octet-stream"
    return private_file(handle, filename=item.original_filename, content_type=untrusted_type(sniffed), inline=True)


def thumbnail_response(item, *, cache: str = NO_STORE):
    """The thumbnail processing made of `item` (a JPEG we wrote ourselves, without metadata), whose
    visibility the caller has checked (`selectors.get_evidence_for_user`); 404 when there is none
    (not an image, or not processed yet)."""
    facts = EvidenceFacts.objects.filter(pk=item.pk).only("thumbnail").first()
    if facts is None or not facts.thumbnail:
        raise Http404("No thumbnail.")
    return private_file(
        facts.thumbnail.open("rb"),
        filename=f"thumbnail-{item.pk}.jpg",
        content_type="image/jpeg",
        inline=True,
        cache=cache,
    )
