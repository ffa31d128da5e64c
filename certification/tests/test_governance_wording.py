"""What a UI review of the governance pages found in their words: the Panel case's header said
"Decided · Decided", the status forms' labels were glued from two ("Reason (Suspend)"), the
certificate's first history entry read "— → Active", and a cycle was named a different way on each
page (now `Assessment.cycle_label` everywhere)."""

import datetime
import re

import pytest
from django.utils import timezone, translation

from certification import conditions, services
from certification.choices import ConditionChecker
from certification.models import PanelCase

from .test_confirm import status_url


def _text(html: str) -> str:
    """The page's words, without its tags and with runs of white space made one."""
    return " ".join(re.sub(r"<[^>]+>", " ", html).split())


def _lead(html: str) -> str:
    return _text(re.search(r'<p class="lead">(.*?)</p>', html, re.S).group(1))


def test_a_decided_case_says_decided_once_and_an_open_one_says_what_each_status_is(
    client, certificate, recommended, staff
):
    # given the case that decided the listing (so the assessment is decided too)
    case = PanelCase.objects.get(assessment=recommended)
    client.force_login(staff)
    # then its header says "Decided" once, of the case
    lead = _lead(client.get(case.get_absolute_url()).content.decode())
    assert lead == "Cycle 1 (2026) · Panel case: Decided", lead
    # in French, of the case: "Dossier du Panel : Décidé" (the assessment's feminine "Décidée" won before)
    french = _lead(client.get(case.get_absolute_url(), HTTP_ACCEPT_LANGUAGE="fr").content.decode())
    assert french.replace("\xa0", " ").endswith("Dossier du Panel : Décidé"), french
    # given a case still open on a recommended assessment: each status says what it is about
    PanelCase.objects.filter(pk=case.pk).update(status="open")
    type(recommended).objects.filter(pk=recommended.pk).update(status="recommended")
    lead = _lead(client.get(case.get_absolute_url()).content.decode())
    assert lead == "Cycle 1 (2026) · Assessment: Recommended · Panel case: Open", lead


def test_status_forms_are_labelled_with_a_whole_sentence_per_move(client, certificate, staff):
    client.force_login(staff)
    page = client.get(certificate.get_absolute_url()).content.decode()
    assert '<label for="reason-suspended">Why the certificate is suspended</label>' in page
    assert '<label for="reason-withdrawn">Why the certificate is withdrawn</label>' in page
    assert "Reason (" not in page
    confirm = client.post(status_url(certificate), {"to": "suspended", "reason": "Audit"}).content.decode()
    assert '<label for="confirm-reason">Why the certificate is suspended</label>' in confirm
    services.certificate_transition(certificate=certificate, user=staff, to="suspended", reason="Audit")
    page = client.get(certificate.get_absolute_url()).content.decode()
    assert '<label for="reason-active">Why the certificate is reinstated</label>' in page


def test_condition_moves_are_labelled_with_a_whole_sentence(client, certificate, staff):
    conditions.condition_add(
        certificate=certificate,
        text="Adopt the patrol plan.",
        due_on=timezone.localdate() + datetime.timedelta(days=90),
        checked_by=ConditionChecker.SECRETARIAT,
        by=staff,
        origin="test",
    )
    client.force_login(staff)
    page = client.get(f"/certification/certificates/{certificate.number}/conditions/").content.decode()
    assert re.search(r'<label for="note-\d+-waived">Why the condition is waived</label>', page)
    assert re.search(r'<label for="note-\d+-fulfilled">How the condition was fulfilled</label>', page)
    assert "Note (" not in page


def test_a_conditions_status_changes_are_its_history_not_its_progress_reports(client, certificate, staff):
    # given a condition fulfilled with no progress report (the page listed the change under "Progress
    # reports", right below "No progress reported yet.")
    condition = conditions.condition_add(
        certificate=certificate,
        text="Adopt the patrol plan.",
        due_on=timezone.localdate() + datetime.timedelta(days=90),
        checked_by=ConditionChecker.SECRETARIAT,
        by=staff,
        origin="test",
    )
    conditions.condition_transition(condition=condition, to="fulfilled", by=staff, note="Plan adopted.")
    client.force_login(staff)
    page = _text(client.get(f"/certification/certificates/{certificate.number}/conditions/").content.decode())
    # then the change is under its own heading, after the progress reports
    reports, _, history = page.partition("Progress reports")[2].partition("History")
    assert "No progress reported yet." in reports and "Open → Fulfilled" not in reports
    assert "Open → Fulfilled" in history and "Plan adopted." in history


def _history(client, certificate) -> str:
    page = client.get(certificate.get_absolute_url()).content.decode()
    return _text(re.search(r'<ol class="history">(.*?)</ol>', page, re.S).group(1))


def test_the_first_history_entry_says_the_certificate_was_issued(client, certificate, staff):
    client.force_login(staff)
    history = _history(client, certificate)
    assert "Issued (Active)" in history and "—" not in history and "→" not in history
    services.certificate_transition(certificate=certificate, user=staff, to="suspended", reason="Audit")
    history = _history(client, certificate)
    assert "Issued (Active)" in history and "Active → Suspended" in history


@pytest.mark.django_db
def test_the_cycle_has_one_name_in_the_readers_language(recommended):
    assert recommended.cycle_label == "cycle 1 (2026)"
    with translation.override("fr"):
        assert recommended.cycle_label.startswith("cycle 1")


def test_governance_pages_name_the_cycle_the_same_way(client, certificate, recommended, staff):
    case = PanelCase.objects.get(assessment=recommended)
    name = recommended.protected_area.name
    client.force_login(staff)
    assert f"{name} — cycle 1 (2026)" in _text(client.get("/certification/panel/").content.decode())
    assert _lead(client.get(case.get_absolute_url()).content.decode()).startswith("Cycle 1 (2026) ·")
    panel_open = client.get(f"/certification/assessments/{recommended.pk}/panel/").content.decode()
    assert _lead(panel_open).startswith(f"{name} — cycle 1 (2026) ·")
    # the dashboard's cycle column, for an assessment awaiting the Panel
    type(recommended).objects.filter(pk=recommended.pk).update(status="recommended")
    assert "<td>Cycle 1 (2026)</td>" in client.get("/certification/").content.decode()
