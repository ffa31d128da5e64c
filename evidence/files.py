"""An evidence file and its thumbnail as answers: the responses the pages and the API both send."""

import magic
from django.http import Http404

from core.downloads import NO_STORE, private_file, untrusted_type

from . import thumbnails
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


def thumbnail_response(item, *, cache: str = NO_STORE, width: str | None = None, version: str | None = None):
    """The thumbnail processing made of `item` (a JPEG we wrote ourselves, without metadata), whose
    visibility the caller has checked (`selectors.get_evidence_for_user`); 404 when there is none
    (not an image, or not processed yet).

    `width` (one of evidence.thumbnails.WIDTHS, as the pages' srcset asks) answers that size
    (WebP), or the JPEG for an image processed before sizes were made. With the thumbnail's
    current `version` the URL names this very file, which the browser may then keep a year."""
    facts = EvidenceFacts.objects.filter(pk=item.pk).only("thumbnail").first()
    if facts is None or not facts.thumbnail:
        raise Http404("No thumbnail.")
    if width is not None and width not in {str(w) for w in thumbnails.WIDTHS}:
        raise Http404("No thumbnail of that width.")
    thumbnail_name = str(facts.thumbnail.name)
    current = thumbnails.version(thumbnail_name)
    if current and version == current and cache != NO_STORE:
        cache = thumbnails.IMMUTABLE
    if width is not None and current:
        name = thumbnails.variant_name(thumbnail_name, int(width))
        storage = facts.thumbnail.storage
        if storage.exists(name):
            return private_file(
                storage.open(name, "rb"),
                filename=f"thumbnail-{item.pk}-{width}.webp",
                content_type=thumbnails.CONTENT_TYPE,
                inline=True,
                cache=cache,
            )
    return private_file(
        facts.thumbnail.open("rb"),
        filename=f"thumbnail-{item.pk}.jpg",
        content_type="image/jpeg",
        inline=True,
        cache=cache,
    )
