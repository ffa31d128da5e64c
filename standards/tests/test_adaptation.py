"""Adapted indicator sets through their services: drafting by the jurisdiction's expert group,
the revision check, the consultation record and its documents, and the Committee's approval."""

from __future__ import annotations

import datetime
import io
import zipfile
from pathlib import Path

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from accounts.tests.factories import Role, make_user
from audit.models import AuditEvent
from core.errors import Conflict, DomainError, NotAllowed
from standards import adaptation
from standards.models import (
    AdaptedIndicator,
    AdaptedIndicatorSet,
    ConsultationAttachment,
    ConsultationComment,
    Jurisdiction,
)
from standards.selectors import adapted_sets_visible, get_adapted_set_for_user, indicator_set_for

PDF = (
    b"%PDF-1.4\n1 0 obj << /Type /Catalog /Pages 2 0 R >> endobj\n"
    b"2 0 obj << /Type /Pages /Kids [] /Count 0 >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"
)
ELF = b"\x7fELF\x02\x01\x01\x00" + b"\x00" * 8 + b"\x02\x00\x3e\x00\x01\x00\x00\x00" + b"\x00" * 200


@pytest.fixture
def keeper(db):
    return make_user(Role.STANDARD_COMMITTEE, email="keeper@example.org")


@pytest.fixture
def other_jurisdiction(db):
    return Jurisdiction.objects.create(code="la", name="Lao PDR", countries=["LAO"])


@pytest.fixture
def other_expert(other_jurisdiction):
    """An expert of ANOTHER jurisdiction."""
    return make_user(Role.EXPERT, email="lao-expert@example.org", jurisdiction=other_jurisdiction)


@pytest.fixture
def draft(standard, jurisdiction, expert):
    return adaptation.adapted_set_create(by=expert, standard=standard, jurisdiction=jurisdiction, title="Viet Nam 2026")


def _indicator(standard, number="1.1.1"):
    return standard.indicators.get(number=number)


def _complete_consultation(adapted_set, by):
    closed = timezone.localdate() - datetime.timedelta(days=2)
    adaptation.consultation_save(
        adapted_set=adapted_set,
        by=by,
        revision=adapted_set.revision,
        changes={
            "opened_on": closed - datetime.timedelta(days=40),
            "closed_on": closed,
            "who_was_consulted": "Forest department; commune councils",
            "method": "Workshops",
        },
    )
    return adaptation.comment_add(
        adapted_set=adapted_set,
        by=by,
        data={"from_whom": "Council", "comment": "Clearer.", "response": "Reworded.", "outcome": "accepted"},
    )


# --- drafting ----------------------------------------------------------------------------------


@pytest.mark.django_db
def test_the_expert_group_adapts_an_indicator_in_three_languages(draft, expert, standard):
    # when
    saved = adaptation.adaptation_save(
        adapted_set=draft,
        indicator=_indicator(standard),
        by=expert,
        revision=1,
        data={
            "text": "The reserve's founding decision names its management board.",
            "thresholds": "Board meets twice a year",
            "means_of_verification": ["Decision 123/QD", "  ", "Board minutes"],
            "translations": {"fr": {"text": "La décision de création nomme le conseil."}, "es": {"thresholds": ""}},
        },
    )
    # then
    assert saved.means_of_verification == ["Decision 123/QD", "Board minutes"]
    assert saved.translations == {"fr": {"text": "La décision de création nomme le conseil."}}  # empty es dropped
    draft.refresh_from_db()
    assert draft.revision == 2
    assert AuditEvent.objects.filter(action="adapted_set.adaptation_saved", target_id=str(draft.pk)).exists()


@pytest.mark.django_db
def test_a_stale_revision_is_a_conflict_and_changes_nothing(draft, expert, standard):
    adaptation.adaptation_save(
        adapted_set=draft, indicator=_indicator(standard), by=expert, revision=1, data={"text": "First"}
    )
    stale = AdaptedIndicatorSet.objects.get(pk=draft.pk)
    stale.revision = 1  # the page another member loaded before the first save
    with pytest.raises(Conflict) as conflict:
        adaptation.adaptation_save(
            adapted_set=stale, indicator=_indicator(standard), by=expert, revision=1, data={"text": "Second"}
        )
    assert conflict.value.code == "adapted_set_changed"
    assert conflict.value.data == {"revision": 2}
    assert AdaptedIndicator.objects.get(adapted_set=draft).text == "First"


@pytest.mark.django_db
def test_an_all_empty_adaptation_removes_it_and_remove_does_too(draft, expert, standard):
    adaptation.adaptation_save(
        adapted_set=draft, indicator=_indicator(standard), by=expert, revision=1, data={"text": "X"}
    )
    assert (
        adaptation.adaptation_save(
            adapted_set=draft,
            indicator=_indicator(standard),
            by=expert,
            revision=2,
            data={"text": " ", "thresholds": ""},
        )
        is None
    )
    assert not AdaptedIndicator.objects.filter(adapted_set=draft).exists()
    adaptation.adaptation_save(
        adapted_set=draft, indicator=_indicator(standard), by=expert, revision=3, data={"text": "Y"}
    )
    adaptation.adaptation_remove(adapted_set=draft, indicator=_indicator(standard), by=expert, revision=4)
    assert not AdaptedIndicator.objects.filter(adapted_set=draft).exists()


@pytest.mark.django_db
def test_bad_texts_are_refused_with_every_problem(draft, expert, standard):
    with pytest.raises(DomainError) as refused:
        adaptation.adaptation_save(
            adapted_set=draft,
            indicator=_indicator(standard),
            by=expert,
            revision=1,
            data={"text": "x" * 5001, "translations": {"de": {"text": "Nein"}, "fr": {"title": "Titre"}}},
        )
    assert refused.value.code == "adapted_text_invalid"
    problems = refused.value.data["problems"]
    assert len(problems) == 3
    assert any("5001 characters" in p for p in problems)
    assert any("unknown language 'de'" in p for p in problems)
    assert any("'title' cannot be translated" in p for p in problems)
    assert not AdaptedIndicator.objects.exists()


@pytest.mark.django_db
def test_an_indicator_of_another_version_is_refused(draft, expert, standard):
    from standards.models import Indicator

    with pytest.raises(DomainError) as refused:
        adaptation.adaptation_save(
            adapted_set=draft,
            indicator=Indicator.objects.order_by("-pk").first().pk + 1000,
            by=expert,
            revision=1,
            data={"text": "X"},
        )
    assert refused.value.code == "adapted_indicator_unknown"


@pytest.mark.django_db
def test_outsiders_cannot_create_or_edit(draft, standard, jurisdiction, other_expert, site_manager, staff, keeper):
    # given: an expert of another jurisdiction, a site manager, plain IUCN staff
    for outsider in (other_expert, site_manager, staff):
        with pytest.raises(NotAllowed):
            adaptation.adapted_set_create(by=outsider, standard=standard, jurisdiction=jurisdiction, title="Mine")
        with pytest.raises(NotAllowed):
            adaptation.adaptation_save(
                adapted_set=draft, indicator=_indicator(standard), by=outsider, revision=1, data={"text": "X"}
            )
        with pytest.raises(NotAllowed):
            adaptation.consultation_save(adapted_set=draft, by=outsider, revision=1, changes={"method": "X"})
        with pytest.raises(NotAllowed):
            adaptation.comment_add(adapted_set=draft, by=outsider, data={"from_whom": "A", "comment": "B"})
        with pytest.raises(NotAllowed):
            adaptation.attachment_add(adapted_set=draft, by=outsider, file=SimpleUploadedFile("m.pdf", PDF))
        with pytest.raises(NotAllowed):
            adaptation.adapted_set_submit(adapted_set=draft, by=outsider)
    # the Committee may draft for any jurisdiction
    adaptation.adaptation_save(
        adapted_set=draft, indicator=_indicator(standard), by=keeper, revision=1, data={"text": "K"}
    )
    assert AdaptedIndicatorSet.objects.count() == 1 and AdaptedIndicator.objects.count() == 1


@pytest.mark.django_db
def test_who_sees_which_set(draft, expert, other_expert, site_manager, staff, keeper, outsider):
    from django.contrib.auth.models import AnonymousUser
    from django.http import Http404

    assert list(adapted_sets_visible(expert)) == [draft]
    assert list(adapted_sets_visible(keeper)) == [draft]
    for person in (other_expert, site_manager, staff, outsider, AnonymousUser()):
        assert not adapted_sets_visible(person).exists()
        with pytest.raises(Http404):
            get_adapted_set_for_user(person, draft.pk)
    # an approved set is readable by anyone logged in
    AdaptedIndicatorSet.objects.filter(pk=draft.pk).update(status="retired")
    for person in (other_expert, site_manager, staff, outsider):
        assert get_adapted_set_for_user(person, draft.pk) == draft
    assert not adapted_sets_visible(AnonymousUser()).exists()


@pytest.mark.django_db
def test_only_published_versions_are_adapted(standard, jurisdiction, expert):
    from standards.models import Standard

    Standard.objects.filter(pk=standard.pk).update(status="draft", published_at=None)
    standard.refresh_from_db()
    with pytest.raises(DomainError) as refused:
        adaptation.adapted_set_create(by=expert, standard=standard, jurisdiction=jurisdiction, title="Early")
    assert refused.value.code == "adapted_set_standard_not_published"


# --- the consultation and the approval ------------------------------------------------------------


@pytest.mark.django_db
def test_submission_is_refused_until_the_consultation_is_complete(draft, expert, standard):
    adaptation.adaptation_save(
        adapted_set=draft, indicator=_indicator(standard), by=expert, revision=1, data={"text": "X"}
    )
    with pytest.raises(DomainError) as refused:
        adaptation.adapted_set_submit(adapted_set=draft, by=expert)
    assert refused.value.code == "consultation_incomplete"
    assert refused.value.data["missing"] == ["the consultation has not been recorded (no opening date)"]

    opened = timezone.localdate() - datetime.timedelta(days=10)
    adaptation.consultation_save(adapted_set=draft, by=expert, revision=draft.revision, changes={"opened_on": opened})
    comment = adaptation.comment_add(adapted_set=draft, by=expert, data={"from_whom": "NGO", "comment": "Too strict"})
    missing = adaptation.consultation_missing(draft)
    assert missing == [
        "the consultation has no closing date",
        "the record does not say who was consulted",
        "the record does not say how they were consulted",
        f"comment #{comment.pk} from NGO has no recorded response and outcome",
    ]
    adaptation.consultation_save(
        adapted_set=draft,
        by=expert,
        revision=draft.revision,
        changes={"closed_on": opened + datetime.timedelta(days=5), "who_was_consulted": "NGOs", "method": "Letters"},
    )
    adaptation.comment_update(
        comment=comment, by=expert, revision=draft.revision, changes={"response": "Kept: the law requires it."}
    )
    assert len(adaptation.consultation_missing(draft)) == 1  # an outcome is still needed
    draft.refresh_from_db()
    adaptation.comment_update(comment=comment, by=expert, revision=draft.revision, changes={"outcome": "not_accepted"})
    assert adaptation.consultation_missing(draft) == []
    adaptation.adapted_set_submit(adapted_set=draft, by=expert)
    assert AdaptedIndicatorSet.objects.get(pk=draft.pk).status == "submitted"


@pytest.mark.django_db
def test_approval_is_refused_without_a_consultation(standard, jurisdiction, keeper):
    # given a set marked submitted without any consultation (as before the record existed)
    s = AdaptedIndicatorSet.objects.create(
        standard=standard, jurisdiction=jurisdiction, title="Old", status="submitted"
    )
    AdaptedIndicator.objects.create(adapted_set=s, indicator=_indicator(standard), text="Adapted")
    with pytest.raises(DomainError) as refused:
        adaptation.adapted_set_approve(adapted_set=s, user=keeper)
    assert refused.value.code == "consultation_incomplete"
    assert "no opening date" in refused.value.message
    s.refresh_from_db()
    assert s.status == "submitted" and s.approved_by is None


@pytest.mark.django_db
def test_consultation_dates_must_make_sense(draft, expert):
    today = timezone.localdate()
    cases = [
        ({"opened_on": today + datetime.timedelta(days=1)}, "opened_on"),
        ({"opened_on": today, "closed_on": today - datetime.timedelta(days=1)}, "closed_on"),
        ({"closed_on": today}, "opened_on"),
        ({"opened_on": "12/03/2026"}, "opened_on"),
    ]
    for changes, field in cases:
        with pytest.raises(DomainError) as refused:
            adaptation.consultation_save(adapted_set=draft, by=expert, revision=1, changes=changes)
        assert refused.value.code == "consultation_invalid" and refused.value.field == field
    with pytest.raises(DomainError) as refused:
        adaptation.comment_add(
            adapted_set=draft, by=expert, data={"from_whom": "A", "comment": "B", "outcome": "maybe"}
        )
    assert refused.value.field == "outcome"
    assert not ConsultationComment.objects.exists()


@pytest.mark.django_db
def test_submitted_and_approved_sets_do_not_change_and_return_needs_reasons(draft, expert, keeper, standard, area):
    adaptation.adaptation_save(
        adapted_set=draft, indicator=_indicator(standard), by=expert, revision=1, data={"text": "X"}
    )
    _complete_consultation(draft, expert)
    adaptation.adapted_set_submit(adapted_set=draft, by=expert, note="Ready")
    with pytest.raises(Conflict) as frozen:
        adaptation.adaptation_save(
            adapted_set=draft, indicator=_indicator(standard), by=expert, revision=draft.revision, data={"text": "Y"}
        )
    assert frozen.value.code == "adapted_set_frozen"
    # returning needs reasons
    with pytest.raises(DomainError) as refused:
        adaptation.adapted_set_return(adapted_set=draft, by=keeper, note="")
    assert refused.value.code == "adapted_set_note_required"
    with pytest.raises(NotAllowed):
        adaptation.adapted_set_return(adapted_set=draft, by=expert, note="I take it back")
    adaptation.adapted_set_return(adapted_set=draft, by=keeper, note="Cite the decree in 1.1.1.")
    adaptation.adaptation_save(
        adapted_set=draft, indicator=_indicator(standard), by=expert, revision=draft.revision, data={"text": "Y"}
    )
    adaptation.adapted_set_submit(adapted_set=draft, by=expert)
    adaptation.adapted_set_approve(adapted_set=draft, user=keeper)
    # then: the log, the site's set, and nothing changes any more
    log = [(t.from_status, t.to_status, t.by, t.note) for t in draft.transitions.all()]
    assert log == [
        ("draft", "submitted", expert, "Ready"),
        ("submitted", "draft", keeper, "Cite the decree in 1.1.1."),
        ("draft", "submitted", expert, ""),
        ("submitted", "approved", keeper, ""),
    ]
    assert indicator_set_for(area).adapted_set == draft
    for change in (
        lambda: adaptation.adaptation_save(
            adapted_set=draft, indicator=_indicator(standard), by=keeper, revision=draft.revision, data={"text": "Z"}
        ),
        lambda: adaptation.comment_add(adapted_set=draft, by=keeper, data={"from_whom": "A", "comment": "B"}),
        lambda: adaptation.adapted_set_return(adapted_set=draft, by=keeper, note="Again"),
    ):
        with pytest.raises(Conflict):
            change()
    assert AdaptedIndicator.objects.get(adapted_set=draft).text == "Y"


# --- documents ---------------------------------------------------------------------------------


def _xlsx(macro: bool = False) -> bytes:
    from openpyxl import Workbook

    buffer = io.BytesIO()
    Workbook().save(buffer)
    if not macro:
        return buffer.getvalue()
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(buffer.getvalue())) as source, zipfile.ZipFile(out, "w") as target:
        for item in source.infolist():
            target.writestr(item, source.read(item.filename))
        target.writestr("xl/vbaProject.bin", b"macro")
    return out.getvalue()


@pytest.mark.django_db
def test_a_pdf_and_a_workbook_are_stored_under_a_random_name(draft, expert):
    attachment = adaptation.attachment_add(
        adapted_set=draft, by=expert, file=SimpleUploadedFile("Minutes of 3 May.pdf", PDF), title="Workshop minutes"
    )
    assert attachment.content_type == "application/pdf" and attachment.size == len(PDF)
    assert attachment.title == "Workshop minutes" and attachment.original_filename == "Minutes of 3 May.pdf"
    path = Path(attachment.file.path)
    assert path.is_relative_to(Path(settings.MEDIA_ROOT)) and "Minutes" not in path.name
    assert path.read_bytes() == PDF
    import hashlib

    assert attachment.sha256 == hashlib.sha256(PDF).hexdigest()
    workbook = adaptation.attachment_add(
        adapted_set=draft, by=expert, file=SimpleUploadedFile("comments.xlsx", _xlsx())
    )
    assert workbook.content_type.endswith("spreadsheetml.sheet")


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("name", "content", "code"),
    [
        ("minutes.pdf", ELF, "attachment_type_refused"),  # a program renamed .pdf
        ("setup.exe", ELF, "attachment_type_refused"),
        ("notes.html", b"<html><script>alert(1)</script></html>", "attachment_type_refused"),
        ("comments.xlsx", b"PK\x03\x04 not really a zip", "attachment_type_refused"),
        ("comments.xlsx", "macro", "attachment_type_refused"),  # macro-enabled workbook renamed .xlsx
        ("report.docx", "xlsx", "attachment_type_refused"),  # a workbook renamed .docx
        ("empty.pdf", b"", "attachment_missing"),
    ],
)
def test_hostile_documents_are_refused_and_nothing_is_stored(draft, expert, name, content, code):
    if content == "macro":
        content = _xlsx(macro=True)
    elif content == "xlsx":
        content = _xlsx()
    before = {p for p in Path(settings.MEDIA_ROOT).rglob("*") if p.is_file()}
    with pytest.raises(DomainError) as refused:
        adaptation.attachment_add(adapted_set=draft, by=expert, file=SimpleUploadedFile(name, content))
    assert refused.value.code == code and refused.value.field == "file"
    assert not ConsultationAttachment.objects.exists()
    assert {p for p in Path(settings.MEDIA_ROOT).rglob("*") if p.is_file()} == before
    draft.refresh_from_db()
    assert draft.revision == 1


@pytest.mark.django_db
def test_an_oversized_document_is_refused(draft, expert, monkeypatch):
    big = SimpleUploadedFile("big.pdf", PDF + b"0" * 100)
    big.size = adaptation.ATTACHMENT_MAX_BYTES + 1
    with pytest.raises(DomainError) as refused:
        adaptation.attachment_add(adapted_set=draft, by=expert, file=big)
    assert refused.value.code == "attachment_too_large"
    assert "20 MB" in refused.value.message
    assert not ConsultationAttachment.objects.exists()
