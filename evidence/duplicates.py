"""Duplicates: the same bytes (SHA-256) uploaded as another evidence item."""

from __future__ import annotations

from .choices import Duplicate
from .models import DuplicateLink, EvidenceFacts, EvidenceItem


def mark_duplicates(done: list[tuple[EvidenceItem, str, EvidenceFacts]]) -> None:
    """Link the items to others with the same bytes (one query for the whole batch, after the
    batch's own hashes are written, so copies within the batch find each other too).

    The flag only ever says "same file as other evidence of this site": a flag about another
    site's evidence would tell a site team, who may not see that site, that it holds the same
    file (an oracle across sites). Links across sites are still recorded (`same_site=False`) for
    IUCN staff, and shown nowhere.

    `done`: (item, its SHA-256 or "" when unread, its facts row) for each item of the batch."""
    shas = {sha for _, sha, _ in done if sha}
    facts_of = {item.pk: facts for item, _, facts in done}
    for _, _, facts in done:
        facts.duplicate = Duplicate.NONE
    if not shas:
        return
    groups: dict[str, list[tuple[int, int]]] = {}
    for pk, sha, area_id in EvidenceItem.objects.filter(sha256__in=shas).values_list(
        "pk", "sha256", "assessment__protected_area_id"
    ):
        groups.setdefault(sha, []).append((pk, area_id))
    links: set[tuple[int, int, bool]] = set()
    flag_same_site: set[int] = set()
    for item, sha, facts in done:
        if not sha:
            continue
        pk, area_id = item.pk, item.assessment.protected_area_id
        others = [(other, other_area) for other, other_area in groups.get(sha, []) if other != pk]
        for other, other_area in others:
            links |= {(pk, other, other_area == area_id), (other, pk, other_area == area_id)}
        same_site = [other for other, other_area in others if other_area == area_id]
        if same_site:
            # The earlier uploads get the flag too: either copy may be the one a reviewer opens.
            facts.duplicate = Duplicate.SAME_SITE
            flag_same_site.update(same_site)
    DuplicateLink.objects.bulk_create(
        [DuplicateLink(item_id=a, duplicate_of_id=b, same_site=same) for a, b, same in sorted(links)],
        ignore_conflicts=True,
    )
    # Items of this batch already carry their own flag, computed from the whole group.
    flag_same_site -= facts_of.keys()
    if flag_same_site:
        EvidenceFacts.objects.filter(item_id__in=flag_same_site).exclude(duplicate=Duplicate.SAME_SITE).update(
            duplicate=Duplicate.SAME_SITE
        )
