from django.http import Http404

from accounts import rules

from .models import EvidenceItem


def get_evidence_for_user(user, pk) -> EvidenceItem:
    """The item if this person may see it, else 404."""
    try:
        item = EvidenceItem.objects.select_related("assessment").get(pk=pk)
    except (EvidenceItem.DoesNotExist, ValueError, TypeError):
        raise Http404("No such evidence.")
    if not rules.can_view_evidence(user, item):
        raise Http404("No such evidence.")
    return item
