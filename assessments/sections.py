"""Sections of the assessment page that apps above assessments own, handed down at start-up.

The page shows each answer's evidence, the evidence library and the upload and picker controls, but
evidence sits above assessments (docs/architecture.md): assessments may not import it. The evidence
app hands its reader to `provide_evidence_section` in `EvidenceConfig.ready()`; the reader returns
DATA (`EvidenceSection`), which the page's templates render. Without a provider the page fails
loudly (ImproperlyConfigured), never shows an empty section as if there were no evidence.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from django.core.exceptions import ImproperlyConfigured
from django.core.paginator import Page
from django.utils.safestring import SafeString

from accounts.types import Text

# Links listed per indicator when the page loads (the newest first); the rest load on request. With 20
# or more per indicator the full lists were a third of the page; at 1,000 items even five per
# indicator (each with its facts box) kept the page over 200 KiB (issue 19): the page now lists none
# and carries only the ids, and an indicator's list loads when asked for (`linked_url_pattern`).
LINKED_SHOWN = 0


@dataclass
class EvidenceSection:
    """What the assessment page shows of its evidence, for one person."""

    # Per answer id, the linked items this person may see, newest first, as (id, title): the page
    # shows a few per answer (their URLs from `download_url_pattern`) and keeps the other ids.
    linked: dict[int, list[tuple[int, str]]]
    # The first page of the evidence library (items with `url` and `indicator_numbers`).
    library: Page
    # URLs with `{}` where the id goes: an item's download, an answer's evidence (link) page.
    download_url_pattern: str
    link_url_pattern: str
    # The upload form (plain POST) and the picker's JSON.
    upload_url: str
    picker_url: str
    # The upload form's choices: (value, label, selected) for "who may see it", and the size limit.
    sensitivity_options: list[tuple[str, Text, bool]] = field(default_factory=list)
    max_upload_mb: int = 0
    # The facts box (thumbnail, date, place, warnings) of each item shown under an answer, by item id.
    boxes: dict[int, SafeString] = field(default_factory=dict)
    # An answer's linked items as the page lists them (a fragment, `{}` where the answer id goes).
    linked_url_pattern: str = ""


EvidenceReader = Callable[..., EvidenceSection]
_evidence_reader: EvidenceReader | None = None


def provide_evidence_section(reader: EvidenceReader) -> None:
    """Called from the evidence app's AppConfig.ready(); a second call replaces the first.
    `reader(assessment, user, answers)` gets the page's answers with their indicators loaded."""
    global _evidence_reader
    _evidence_reader = reader


def evidence_section(assessment, user, answers) -> EvidenceSection:
    if _evidence_reader is None:
        raise ImproperlyConfigured(
            "assessments.sections has no evidence section: the evidence app provides it when Django starts "
            "(is it in INSTALLED_APPS?)."
        )
    return _evidence_reader(assessment, user, answers)


# --- reviewers' questions -----------------------------------------------------------------------
# The reviews app owns requests for information; the site team must see them where it works (the
# assessment page, beside the indicator asked about). Same pattern as the evidence section.


@dataclass(frozen=True)
class OpenQuestion:
    """One reviewer's question still waiting for the site team, as the assessment page shows it."""

    answer_id: int
    number: str
    question: str
    asked_by: str
    asked_at: object  # a datetime, formatted by the template
    answer_url: str


QuestionsReader = Callable[..., list[OpenQuestion]]
_questions_reader: QuestionsReader | None = None


def provide_questions_section(reader: QuestionsReader) -> None:
    """Called from the reviews app's AppConfig.ready(); `reader(assessment, user)` lists the open
    questions this person may see (the site team and the reviewers), oldest first."""
    global _questions_reader
    _questions_reader = reader


def open_questions(assessment, user) -> list[OpenQuestion]:
    if _questions_reader is None:
        raise ImproperlyConfigured("assessments.sections has no questions reader: the reviews app provides it.")
    return _questions_reader(assessment, user)


# --- the eligibility gate -------------------------------------------------------------------------
# The eligibility app owns the gate closing the application phase (issue 16); the site team must
# see on the assessment page what is still missing before the site can become a candidate.


@dataclass(frozen=True)
class EligibilityNotice:
    """The gate's state as the assessment page shows it, in the application phase."""

    established: bool
    missing: list[Text]
    url: str  # the gate's own page


EligibilityReader = Callable[..., "EligibilityNotice | None"]
_eligibility_reader: EligibilityReader | None = None


def provide_eligibility_section(reader: EligibilityReader) -> None:
    """Called from the eligibility app's AppConfig.ready(); `reader(assessment, user)` returns the
    notice, or None outside the application phase or for someone who may not see the gate."""
    global _eligibility_reader
    _eligibility_reader = reader


def eligibility_notice(assessment, user) -> EligibilityNotice | None:
    if _eligibility_reader is None:
        raise ImproperlyConfigured("assessments.sections has no eligibility reader: the eligibility app provides it.")
    return _eligibility_reader(assessment, user)


# --- links to the pages other apps keep about an assessment ----------------------------------------
# Site visits (visits) and stakeholder consultations (stakeholders) have pages of their own; the
# assessment page, where the site team and the group work, links to them. Several apps provide
# links, so readers are collected (each returns the links this person may follow, or none).


@dataclass(frozen=True)
class PageLink:
    label: Text
    url: str


LinksReader = Callable[..., list[PageLink]]
_link_readers: list[LinksReader] = []


def provide_page_links(reader: LinksReader) -> None:
    """Called from an app's AppConfig.ready(); `reader(assessment, user)` returns its links."""
    if reader not in _link_readers:
        _link_readers.append(reader)


def page_links(assessment, user) -> list[PageLink]:
    return [link for reader in _link_readers for link in reader(assessment, user)]
