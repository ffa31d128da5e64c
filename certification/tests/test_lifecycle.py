"""Certificate status machine and the scheduler's work, on a frozen clock."""

import datetime

import pytest
import time_machine
from dateutil.relativedelta import relativedelta
from django.core import mail

from audit.models import AuditEvent
from certification import error_codes, lifecycle, services, tasks
from certification.models import Certificate, CertificateTransition, LifecycleNotice
from certification.tests.factories import panel_decide_for_tests
from core.errors import DomainError
from core.models import OutgoingEmail
from core.tests.outbox import deliver_queued_emails

GRANT_DAY = datetime.datetime(2026, 3, 10, 9, 0, tzinfo=datetime.UTC)


@pytest.fixture
def granted(recommended, staff):
    """A certificate granted on 2026-03-10 (the clock frozen then), expiring 2031-03-10."""
    with time_machine.travel(GRANT_DAY, tick=False):
        decision = panel_decide_for_tests(assessment=recommended, user=staff, outcome="granted", reasons="ok")
    return decision.certificate


def at(day: str):
    return time_machine.travel(datetime.datetime.fromisoformat(day + "T12:00:00+00:00"), tick=False)


def test_suspend_reinstate_withdraw_each_logged_and_audited(granted, staff):
    services.certificate_transition(certificate=granted, user=staff, to="suspended", reason="Poaching report")
    assert Certificate.objects.get(pk=granted.pk).status_reason == "Poaching report"
    services.certificate_transition(certificate=granted, user=staff, to="active", reason="Investigated; resolved")
    services.certificate_transition(certificate=granted, user=staff, to="withdrawn", reason="Boundary degazetted")
    moves = list(CertificateTransition.objects.filter(certificate=granted).values_list("from_status", "to_status"))
    assert moves == [("", "active"), ("active", "suspended"), ("suspended", "active"), ("active", "withdrawn")]
    assert AuditEvent.objects.filter(action="certificate.transition").count() == 3
    with pytest.raises(DomainError) as err:
        services.certificate_transition(certificate=granted, user=staff, to="active", reason="undo")
    assert err.value.code == error_codes.CERTIFICATE_TRANSITION_NOT_ALLOWED


def test_a_reason_is_required(granted, staff):
    with pytest.raises(DomainError) as err:
        services.certificate_transition(certificate=granted, user=staff, to="suspended", reason="  ")
    assert err.value.code == error_codes.STATUS_REASON_REQUIRED
    assert Certificate.objects.get(pk=granted.pk).status == "active"


@pytest.mark.parametrize("who", ["site_manager", "expert", "reviewer", "outsider"])
def test_only_staff_change_status(granted, who, request):
    with pytest.raises(DomainError) as err:
        services.certificate_transition(
            certificate=granted, user=request.getfixturevalue(who), to="suspended", reason="x"
        )
    assert err.value.code == error_codes.CERTIFICATE_ROLE
    assert Certificate.objects.get(pk=granted.pk).status == "active"


def test_people_cannot_expire_a_certificate_only_the_calendar_can(granted, staff):
    with at("2031-03-10"), pytest.raises(DomainError) as err:
        lifecycle.transition(granted, "expired", by=staff)
    assert err.value.code == error_codes.CERTIFICATE_ROLE
    with at("2031-03-09"), pytest.raises(DomainError) as err:
        lifecycle.transition(granted, "expired", by=None)
    assert err.value.code == error_codes.CERTIFICATE_NOT_DUE


def test_certificates_expire_on_their_date_and_not_before(granted, staff):
    assert granted.expires_on == datetime.date(2031, 3, 10)
    with at("2031-03-09"):
        assert tasks.expire_certificates() == 0
    assert Certificate.objects.get(pk=granted.pk).status == "active"
    with at("2031-03-10"):
        assert tasks.expire_certificates() == 1
        assert tasks.expire_certificates() == 0  # beat running twice changes nothing
    cert = Certificate.objects.get(pk=granted.pk)
    assert cert.status == "expired"
    last = cert.transitions.last()
    assert (last.to_status, last.by) == ("expired", None)


def test_suspending_an_expired_certificate_is_refused(granted, staff):
    with at("2031-03-10"):
        tasks.expire_certificates()
        with pytest.raises(DomainError) as err:
            services.certificate_transition(certificate=granted, user=staff, to="suspended", reason="late")
    assert err.value.code == error_codes.CERTIFICATE_EXPIRED and err.value.http_status == 409
    assert Certificate.objects.get(pk=granted.pk).status == "expired"


def test_suspending_on_the_expiry_day_before_beat_ran_is_refused_too(granted, staff):
    with at("2031-03-10"), pytest.raises(DomainError) as err:
        services.certificate_transition(certificate=granted, user=staff, to="suspended", reason="late")
    assert err.value.code == error_codes.CERTIFICATE_EXPIRED
    assert Certificate.objects.get(pk=granted.pk).status == "active"


def expiry_notices():
    return list(LifecycleNotice.objects.filter(kind__startswith="expiry").order_by("id").values_list("kind", "due_on"))


def test_expiry_reminders_go_6_and_1_months_before_once_each(granted, site_manager, staff, review_staff):
    with at("2030-09-09"):
        services.reminders_send()
        deliver_queued_emails()
    assert expiry_notices() == []
    mail.outbox.clear()
    with at("2030-09-10"):
        services.reminders_send()
        services.reminders_send()
        deliver_queued_emails()
    six = [("expiry_6m", datetime.date(2030, 9, 10))]
    assert expiry_notices() == six
    assert len(mail.outbox) == 1
    assert set(mail.outbox[0].to) == {site_manager.email, staff.email, review_staff.email}
    assert "10 March 2031" in mail.outbox[0].subject  # the language's one date format
    for day in ("2030-12-01", "2031-02-09"):
        with at(day):
            services.reminders_send()
    assert expiry_notices() == six
    with at("2031-02-10"):
        services.reminders_send()
    with at("2031-02-20"):
        services.reminders_send()
        deliver_queued_emails()
    assert expiry_notices() == [*six, ("expiry_1m", datetime.date(2031, 2, 10))]
    assert OutgoingEmail.objects.filter(kind__startswith="certification.expiry", sent_at__isnull=False).count() == 2
    notice = LifecycleNotice.objects.get(kind="expiry_1m")
    assert notice.recipients == sorted(mail.outbox[-1].to)


def test_a_late_scheduler_sends_only_the_most_urgent_reminder(granted):
    with at("2031-02-15"):
        services.reminders_send()
    assert [kind for kind, _ in expiry_notices()] == ["expiry_1m"]


def test_yearly_monitoring_reminders_go_to_the_site_team_once_a_year(granted, site_manager):
    deliver_queued_emails()  # what the review before the grant queued
    mail.outbox.clear()
    with at("2027-03-09"):
        services.reminders_send()
        deliver_queued_emails()
    assert not mail.outbox
    for day in ("2027-03-10", "2027-06-01", "2028-03-10", "2028-03-11"):
        with at(day):
            services.reminders_send()
            deliver_queued_emails()
    notices = LifecycleNotice.objects.filter(kind="monitoring").order_by("due_on")
    assert [n.due_on for n in notices] == [datetime.date(2027, 3, 10), datetime.date(2028, 3, 10)]
    assert all(n.recipients == [site_manager.email] for n in notices)
    assert "monitoring report" in mail.outbox[0].subject


def test_no_reminders_for_withdrawn_certificates(granted, staff):
    services.certificate_transition(certificate=granted, user=staff, to="withdrawn", reason="x")
    with at("2031-02-10"):
        assert services.reminders_send() == 0


def _candidate_since(day: str, *, area, site_manager, staff):
    """A 2027 assessment of `area`, accepted as a candidate on `day`."""
    from assessments.services import assessment_create
    from assessments.workflow import transition
    from eligibility.tests.factories import make_eligible

    with at(day):
        assessment = assessment_create(protected_area=area, user=site_manager, year=2027)
        make_eligible(assessment, staff=staff)
        transition(assessment, "candidate", by=staff, note="eligible")
    return assessment


def test_candidates_past_their_five_years_are_flagged_once(standard, area, site_manager, staff, client):
    assessment = _candidate_since("2027-05-01", area=area, site_manager=site_manager, staff=staff)
    with at("2032-04-30"):
        assert services.candidates_flag() == 0
    with at("2032-05-01"):
        assert services.candidates_flag() == 1
        assert services.candidates_flag() == 0
    notice = LifecycleNotice.objects.get(kind="candidate_window")
    assert notice.assessment == assessment and notice.due_on == datetime.date(2032, 5, 1)
    assert set(notice.recipients) == {site_manager.email, staff.email}
    # the e-mail says it in words, the site's name and date in them (its template was not translatable)
    from core.models import OutgoingEmail

    email = OutgoingEmail.objects.get(kind="certification.candidate_window")
    assert email.subject == f"Green List: the 5-year candidate window of {area.name} has run out"
    assert f"{area.name} has been a Green List candidate since 1 May 2027." in email.body
    # and staff see the flag on their page
    client.force_login(staff)
    assert area.name in client.get("/certification/").content.decode().split("5-year window")[1]


def test_the_candidate_window_notice_is_in_the_site_teams_language(standard, area, site_manager, staff):
    from core.models import OutgoingEmail

    type(site_manager).objects.filter(pk=site_manager.pk).update(language="fr")
    _candidate_since("2027-05-01", area=area, site_manager=site_manager, staff=staff)
    with at("2032-05-01"):
        assert services.candidates_flag() == 1
    email = OutgoingEmail.objects.get(kind="certification.candidate_window")
    assert email.subject == f"Liste verte : le délai de 5 ans de la candidature de {area.name} est écoulé"
    assert f"{area.name} est candidat à la Liste verte depuis le 1 mai 2027." in email.body


def test_the_beat_schedule_runs_the_tasks(settings):
    from greenlist.celery import app

    tasks_scheduled = {e["task"] for e in settings.CELERY_BEAT_SCHEDULE.values()}
    assert {"certification.expire_certificates", "certification.send_reminders"} <= tasks_scheduled
    assert {"certification.expire_certificates", "certification.send_reminders"} <= set(app.tasks)


def test_expiry_date_is_counted_in_calendar_years(granted):
    assert granted.expires_on == granted.granted_on + relativedelta(years=5)
