"""The evidence section of the assessment page, as data (provided to `assessments.sections` at
start-up: evidence sits above assessments, which may not import it)."""

from __future__ import annotations

from django.urls import reverse

from assessments.sections import EvidenceSection

from . import selectors
from .choices import Sensitivity
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
    return EvidenceSection(
        linked=linked,
        library=selectors.evidence_library_page(assessment, user, library_page, numbers=numbers),
        download_url_pattern=download,
        link_url_pattern=selectors.url_pattern("evidence:answer-evidence", assessment.pk),
        upload_url=reverse("evidence:upload", args=[assessment.pk]),
        picker_url=reverse("evidence:picker", args=[assessment.pk]),
        sensitivity_options=[(value, label, value == Sensitivity.REVIEWERS) for value, label in Sensitivity.choices],
        max_upload_mb=max_upload_bytes() // (1024 * 1024),
    )
