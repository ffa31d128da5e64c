"""The evidence section of the assessment page, as data (provided to `assessments.sections` at
start-up: evidence sits above assessments, which may not import it)."""

from __future__ import annotations

from django.urls import reverse

from assessments.sections import LINKED_SHOWN, EvidenceSection

from . import selectors
from .badges import render_badges
from .choices import Sensitivity
from .models import EvidenceItem
from .services import max_upload_bytes


def assessment_evidence_section(assessment, user, answers, library_page=1) -> EvidenceSection:
    """Each answer's visible links, the library's first page and the upload and picker settings,
    in a fixed number of queries (links: one; library: count and rows): the indicators of the
    library's items come from the links already read, not another query."""
    download = selectors.download_url_pattern()
    links = selectors.linked_evidence(assessment, user)
    linked: dict[int, list[tuple[int, str]]] = {}
    numbers: dict[int, list[str]] = {}
    for answer in answers:  # by indicator position: each item's numbers in that order
        rows = links.get(answer.pk, [])
        linked[answer.pk] = rows
        for pk, _title in rows:
            numbers.setdefault(pk, []).append(answer.indicator.number)
    # The facts of the items shown under each answer (thumbnail, date, place, warnings), where the
    # site team links them: two queries whatever the number of items.
    shown = {pk for rows in linked.values() for pk, _title in rows[:LINKED_SHOWN]}
    items = list(EvidenceItem.objects.filter(pk__in=shown).only("id", "processing_status", "status_reason"))
    boxes = render_badges(items, selectors.facts_for_items([item.pk for item in items])) if items else {}
    return EvidenceSection(
        boxes=boxes,
        linked=linked,
        library=selectors.evidence_library_page(assessment, user, library_page, numbers=numbers),
        download_url_pattern=download,
        link_url_pattern=selectors.url_pattern("evidence:answer-evidence", assessment.pk),
        linked_url_pattern=selectors.url_pattern("evidence:answer-linked", assessment.pk),
        upload_url=reverse("evidence:upload", args=[assessment.pk]),
        picker_url=reverse("evidence:picker", args=[assessment.pk]),
        sensitivity_options=[(value, label, value == Sensitivity.REVIEWERS) for value, label in Sensitivity.choices],
        max_upload_mb=max_upload_bytes() // (1024 * 1024),
    )
