"""An evidence item's thumbnail as an answer, for the pages and the API alike."""

from django.http import Http404

from core.downloads import NO_STORE, private_file

from .models import EvidenceFacts


def thumbnail_response(item, *, cache: str = NO_STORE):
    """The thumbnail processing made of `item` (a JPEG we wrote ourselves, without metadata), whose
    visibility the caller has checked (`evidence.selectors.get_evidence_for_user`); 404 when there
    is none (not an image, or not processed yet)."""
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
