"""Every `maxlength` a page gives a text field is the limit the server enforces (issue 13): the
template reads it from the model or from the named constant the server checks against
(core/templatetags/limits.py), so changing a limit changes the form with it.

The templates are read as files: a new `maxlength` anywhere must be added to LIMITS below, with
the server's own check, or `test_every_maxlength_is_checked` fails."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

import pytest
from django.conf import settings
from django.template import Context, Template

from assessments import error_codes as assessment_codes
from assessments import services as assessment_services
from assessments import sites as assessment_sites
from assessments import workflow as assessment_workflow
from assessments.choices import Status
from certification import conditions as listing_conditions
from certification import lifecycle
from certification.choices import CertificateStatus
from concerns import services as concern_services
from core.errors import DomainError
from eligibility import error_codes as eligibility_codes
from eligibility import services as eligibility_services
from evidence import error_codes as evidence_codes
from evidence import search as evidence_search
from evidence.forms import EvidenceForm
from listing_reviews import forms as listing_review_forms
from listing_reviews import services as listing_review_services
from monitoring import services as monitoring_services
from reviews.forms import ReplyForm
from stakeholders import error_codes as stakeholder_codes
from stakeholders import selectors as stakeholder_selectors
from stakeholders import services as stakeholder_services
from visits import error_codes as visit_codes
from visits import forms as visit_forms
from visits import services as visit_services
from visits import workflow as visit_workflow

ROOT = Path(settings.BASE_DIR)
TEMPLATE_DIRS = [ROOT / "templates", *ROOT.glob("*/templates")]
# An <input> or <textarea> start tag, template tags and variables inside it included.
ELEMENT = re.compile(r"<(?:input|textarea)\b(?:\{%.*?%\}|\{\{.*?\}\}|[^>])*>", re.S)
ATTRIBUTE = r'\b{}="((?:\{{%.*?%\}}|\{{\{{.*?\}}\}}|[^"])*)"'
AS_VARIABLE = r"\{{%\s*((?:limit|field_max)\b[^%]*?)\s+as\s+{}\s*%\}}"


def _templates() -> list[Path]:
    return sorted(path for folder in TEMPLATE_DIRS for path in folder.rglob("*.html"))


def _maxlengths() -> dict[tuple[str, str], tuple[str, str]]:
    """(template, field name) -> (the maxlength as written, the whole template)."""
    found = {}
    for path in _templates():
        text = path.read_text(encoding="utf-8")
        name = str(path.relative_to(_base(path)))
        for element in ELEMENT.findall(text):
            maxlength = re.search(ATTRIBUTE.format("maxlength"), element)
            if maxlength is None:
                continue
            field = re.search(ATTRIBUTE.format("name"), element)
            assert field is not None, f"{name}: a maxlength on an element without a name: {element}"
            found[(name, field.group(1))] = (maxlength.group(1), text)
    return found


def _base(path: Path) -> Path:
    return next(folder for folder in TEMPLATE_DIRS if folder in path.parents)


def _value(written: str, template: str) -> str:
    """What the template renders for the maxlength: its tag, or the tag it took `as` a variable."""
    variable = re.fullmatch(r"\{\{\s*(\w+)\s*\}\}", written)
    if variable is not None:
        tag = re.search(AS_VARIABLE.format(variable.group(1)), template)
        assert tag is not None, f"{{{{ {variable.group(1)} }}}} is set by no limit tag of the template"
        written = "{% " + tag.group(1) + " %}"
    return Template("{% load limits %}" + written).render(Context()).strip()


# --- what the server enforces, per field ------------------------------------------------------


def _refused(check: Callable[[], object], code: str) -> None:
    with pytest.raises(DomainError) as refused:
        check()
    assert refused.value.code == code


def _assessment_note(limit: int) -> None:
    # The state machine refuses a longer note before reading anything.
    _refused(
        lambda: assessment_workflow.MACHINE.transition(None, Status.SUBMITTED, by=None, note="n" * (limit + 1)),
        assessment_workflow.MACHINE.codes.note_too_long,
    )


def _certificate_reason(limit: int) -> None:
    _refused(
        lambda: lifecycle.MACHINE.transition(None, CertificateStatus.SUSPENDED, by=None, note="r" * (limit + 1)),
        lifecycle.MACHINE.codes.note_too_long,
    )


def _answer_text(field: str, code: str) -> Callable[[int], None]:
    def check(limit: int) -> None:
        # The answer service's own check (the rating, absent here, is the only part that reads the assessment).
        assessment_services._validate_changes(None, {field: "a" * limit})
        _refused(lambda: assessment_services._validate_changes(None, {field: "a" * (limit + 1)}), code)

    return check


def _search(limit: int) -> None:
    _refused(lambda: evidence_search.search_evidence(None, None, "q" * (limit + 1)), evidence_codes.SEARCH_TOO_LONG)


def _eligibility_reasons(limit: int) -> None:
    # The reasons of an evaluation, a check or an override (one check in the eligibility services).
    eligibility_services._reasons("r" * limit)
    _refused(lambda: eligibility_services._reasons("r" * (limit + 1)), eligibility_codes.FIELD_TOO_LONG)


def _stakeholder_text(clean: Callable[[str], str]) -> Callable[[int], None]:
    # The consultation's own check of that text (stakeholders.services.clean_*).
    def check(limit: int) -> None:
        clean("t" * limit)
        _refused(lambda: clean("t" * (limit + 1)), stakeholder_codes.FIELD_TOO_LONG)

    return check


def _form(form: type, field: str) -> Callable[[int], None]:
    def check(limit: int) -> None:
        assert field not in form(data={field: "t" * limit}).errors
        assert field in form(data={field: "t" * (limit + 1)}).errors

    return check


def _visit_text(clean: Callable[[str], str]) -> Callable[[int], None]:
    # A site visit's own check of that text (visits.services.clean_*).
    def check(limit: int) -> None:
        clean("t" * limit)
        _refused(lambda: clean("t" * (limit + 1)), visit_codes.VISIT_TEXT_TOO_LONG)

    return check


def _visit_reason(limit: int) -> None:
    # A cancellation's reason is the visit's state machine's note, refused before anything is read.
    _refused(
        lambda: visit_workflow.MACHINE.transition(None, "cancelled", by=None, note="r" * (limit + 1)),
        visit_workflow.MACHINE.codes.note_too_long,
    )


def _clean(clean: Callable[[str], str]) -> Callable[[int], None]:
    # A service's own clean_* of that text: accepts the limit, refuses one more (any code: each
    # app keeps its own, and the form shows the message beside the field).
    def check(limit: int) -> None:
        clean("t" * limit)
        with pytest.raises(DomainError):
            clean("t" * (limit + 1))

    return check


def _condition_note(limit: int) -> None:
    # A condition's move (fulfilled, not fulfilled, waived): its state machine's note.
    _refused(
        lambda: listing_conditions.MACHINE.transition(None, "fulfilled", by=None, note="n" * (limit + 1)),
        listing_conditions.MACHINE.codes.note_too_long,
    )


LIMITS: dict[tuple[str, str], Callable[[int], None]] = {
    ("assessments/submit.html", "note"): _assessment_note,
    ("assessments/_answer.html", "justification"): _answer_text(
        "justification", assessment_codes.JUSTIFICATION_TOO_LONG
    ),
    ("assessments/_answer.html", "action_text"): _answer_text("action_text", assessment_codes.FIELD_TOO_LONG),
    ("assessments/_answer.html", "action_owner"): _answer_text("action_owner", assessment_codes.FIELD_TOO_LONG),
    ("certification/certificate.html", "reason"): _certificate_reason,
    ("certification/certificate_confirm.html", "reason"): _certificate_reason,
    ("evidence/search.html", "q"): _search,
    ("evidence/assessment_evidence.html", "q"): _search,
    ("evidence/answer_evidence.html", "title"): _form(EvidenceForm, "title"),
    ("reviews/_row_details.html", "file_title"): _form(ReplyForm, "file_title"),
    ("stakeholders/public.html", "text"): _stakeholder_text(stakeholder_services.clean_comment_text),
    ("stakeholders/public.html", "name"): _stakeholder_text(stakeholder_services.clean_comment_name),
    ("stakeholders/consultations.html", "note"): _stakeholder_text(stakeholder_services.clean_window_note),
    ("stakeholders/consultations.html", "site"): _stakeholder_text(stakeholder_selectors.clean_site_query),
    ("stakeholders/_moderate.html", "reason"): _stakeholder_text(stakeholder_services.clean_rejection_reason),
    ("stakeholders/window.html", "text"): _stakeholder_text(stakeholder_services.clean_consideration),
    ("visits/list.html", "agenda"): _visit_text(visit_services.clean_agenda),
    ("visits/detail.html", "notes"): _visit_text(visit_services.clean_notes),
    ("visits/_participants.html", "other_participants"): _visit_text(visit_services.clean_other_participants),
    ("visits/detail.html", "reason"): _visit_reason,
    ("visits/detail.html", "title"): _form(visit_forms.EvidenceForm, "title"),
    ("eligibility/page.html", "reasons"): _eligibility_reasons,
    # issue 16: multi-site applications, conditions, concerns, reviews after listing
    ("assessments/sites.html", "connection"): _clean(lambda t: assessment_sites.clean_statement(t, field="connection")),
    ("assessments/sites.html", "shared_values"): _clean(
        lambda t: assessment_sites.clean_statement(t, field="shared_values")
    ),
    ("certification/conditions.html", "text"): _clean(listing_conditions.clean_progress_text),
    ("certification/conditions.html", "note"): _condition_note,
    ("concerns/raise.html", "text"): _clean(concern_services.clean_concern_text),
    ("concerns/raise.html", "name"): _clean(concern_services.clean_concern_name),
    ("concerns/detail.html", "reason"): _clean(concern_services.clean_reason),
    ("concerns/detail.html", "text"): _clean(lambda t: concern_services.clean_long(t, "text")),
    ("concerns/detail.html", "reasons"): _clean(lambda t: concern_services.clean_long(t, "reasons")),
    ("concerns/detail.html", "public_summary"): _clean(lambda t: concern_services.clean_long(t, "public_summary")),
    ("listing_reviews/midterm.html", "what_changed"): _clean(listing_review_services.clean_what_changed),
    ("listing_reviews/midterm.html", "conditions_progress"): _clean(listing_review_services.clean_conditions_progress),
    ("listing_reviews/midterm.html", "progress_{{ c.pk }}"): _clean(listing_conditions.clean_progress_text),
    ("listing_reviews/midterm.html", "findings"): _clean(listing_review_services.clean_findings),
    ("listing_reviews/midterm.html", "note"): _clean(listing_review_services.clean_panel_note),
    ("listing_reviews/midterm.html", "title"): _form(listing_review_forms.EvidenceForm, "title"),
    # issue 18: a monitoring dataset's title
    ("monitoring/add.html", "title"): _clean(monitoring_services.clean_title),
}


def test_every_maxlength_is_checked():
    # given the templates' text fields with a maxlength / then each has its server check below
    assert set(_maxlengths()) == set(LIMITS)


@pytest.mark.parametrize("key", sorted(LIMITS), ids=lambda key: f"{key[0]}:{key[1]}")
def test_a_maxlength_is_the_limit_the_server_enforces(key):
    # given the maxlength the page gives the field
    written, template = _maxlengths()[key]
    assert not written.strip().isdigit(), "written as a number: take it from the model or the named limit"
    limit = int(_value(written, template))
    # then the server accepts that many characters (where it can say so without a database) and
    # refuses one more
    LIMITS[key](limit)
