"""Conditions on a listing (issue 16): the contract other apps use, the state machine, who may
do what, and the scheduler's reminders and overdue notices (time travel by argument)."""

import datetime

import pytest
import time_machine
from django.core import mail
from django.utils import timezone

from accounts.tests.factories import Role, make_user
from audit.models import AuditEvent
from certification import conditions, error_codes, services
from certification.choices import ConditionChecker, ConditionStatus
from certification.models import ConditionTransition, LifecycleNotice, ListingCondition
from certification.tests.factories import make_panel_member, panel_decide_for_tests
from core.errors import DomainError
from core.tests.outbox import deliver_queued_emails
from reviews.choices import AssignmentRole
from reviews.models import ReviewAssignment

GRANT_DAY = datetime.datetime(2026, 3, 10, 9, 0, tzinfo=datetime.UTC)


def at(day: str):
    return time_machine.travel(datetime.datetime.fromisoformat(day + "T12:00:00+00:00"), tick=False)


@pytest.fixture
def granted(recommended, staff):
    """A certificate granted on 2026-03-10, expiring 2031-03-10."""
    with time_machine.travel(GRANT_DAY, tick=False):
        decision = panel_decide_for_tests(assessment=recommended, user=staff, outcome="granted", reasons="ok")
    return decision.certificate


def seat_holder(certificate, role):
    return (
        ReviewAssignment.objects.get(assessment=certificate.decision.assessment, role=role, removed_at__isnull=True)
    ).user


def add(certificate, by, *, due="2027-03-10", checked_by=ConditionChecker.EXPERT_GROUP, text="Publish the plan."):
    with at("2026-03-11"):
        return conditions.condition_add(
            certificate=certificate,
            text=text,
            due_on=datetime.date.fromisoformat(due),
            checked_by=checked_by,
            by=by,
            origin="Concern 4",
        )


def test_staff_and_the_panel_chair_add_conditions_listed_by_due_date(granted, staff):
    # given a listed certificate
    chair = make_panel_member(chair=True)
    # when staff and the Panel's chair each add one
    later = add(granted, staff, due="2028-01-01")
    sooner = add(granted, chair, due="2027-01-01", checked_by=ConditionChecker.SECRETARIAT)
    # then both are open, soonest first, audited
    assert list(conditions.conditions_for(granted)) == [sooner, later]
    assert later.status == ConditionStatus.OPEN and later.origin == "Concern 4"
    assert later.decision_id == granted.decision_id
    assert AuditEvent.objects.filter(action="condition.added").count() == 2


def test_the_site_team_and_the_checker_hear_of_a_new_condition(certificate, staff, site_manager):
    from core.models import OutgoingEmail

    due = timezone.localdate() + datetime.timedelta(days=90)
    for checker in (ConditionChecker.EXPERT_GROUP, ConditionChecker.SECRETARIAT):
        conditions.condition_add(
            certificate=certificate,
            text="Publish the plan.",
            due_on=due,
            checked_by=checker,
            by=staff,
            origin="Concern 4",
        )
    added = OutgoingEmail.objects.filter(kind="certification.condition_added").order_by("pk")
    expert = seat_holder(certificate, AssignmentRole.EXPERT)
    assert [sorted(e.to) for e in added] == [
        sorted({site_manager.email, expert.email}),
        sorted({site_manager.email, *conditions.selectors.staff_emails()}),
    ]
    assert "Publish the plan." in added[0].body and "Concern 4" in added[0].body


@pytest.mark.parametrize("who", ["site_manager", "outsider", "member"])
def test_others_may_not_add_conditions(granted, site_manager, outsider, who):
    person = {"site_manager": site_manager, "outsider": outsider, "member": make_panel_member()}[who]
    with pytest.raises(DomainError) as exc:
        add(granted, person)
    assert exc.value.code == error_codes.CONDITION_NOT_ALLOWED
    assert not ListingCondition.objects.exists()


@pytest.mark.parametrize(
    ("row", "field", "code"),
    [
        ({"text": "  "}, "text", error_codes.CONDITION_TEXT_REQUIRED),
        ({"due": "2026-03-01"}, "due_on", error_codes.CONDITION_DUE_PAST),
        ({"due": "2031-03-10"}, "due_on", error_codes.CONDITION_DUE_AFTER_EXPIRY),
        ({"checked_by": "the_mayor"}, "checked_by", error_codes.CONDITION_CHECKER_UNKNOWN),
    ],
)
def test_bad_fields_are_refused_each_by_name(granted, staff, row, field, code):
    with pytest.raises(DomainError) as exc:
        add(granted, staff, **row)
    assert (exc.value.code, exc.value.field) == (code, field)
    assert field in exc.value.data["errors"]
    assert not ListingCondition.objects.exists()


def test_a_withdrawn_certificate_takes_no_condition(granted, staff):
    services.certificate_transition(certificate=granted, user=staff, to="withdrawn", reason="Degazetted")
    with pytest.raises(DomainError) as exc:
        add(granted, staff)
    assert exc.value.code == error_codes.CONDITION_CERTIFICATE_NOT_LISTED


def test_the_site_team_reports_progress_while_open_only(granted, staff, site_manager, outsider):
    condition = add(granted, staff)
    report = conditions.condition_report_progress(condition=condition, by=site_manager, text="Draft written.")
    assert list(condition.progress.all()) == [report]
    for person, code in ((outsider, error_codes.CONDITION_NOT_ALLOWED), (staff, error_codes.CONDITION_NOT_ALLOWED)):
        with pytest.raises(DomainError) as exc:
            conditions.condition_report_progress(condition=condition, by=person, text="x")
        assert exc.value.code == code
    with pytest.raises(DomainError) as exc:
        conditions.condition_report_progress(condition=condition, by=site_manager, text=" ")
    assert exc.value.field == "text"
    conditions.condition_transition(condition=condition, to="waived", by=staff, note="No longer relevant.")
    with pytest.raises(DomainError) as exc:
        conditions.condition_report_progress(condition=condition, by=site_manager, text="More.")
    assert exc.value.code == error_codes.CONDITION_CLOSED


def test_only_the_named_checker_marks_a_condition(granted, staff, site_manager):
    expert = seat_holder(granted, AssignmentRole.EXPERT)
    reviewer = seat_holder(granted, AssignmentRole.INDEPENDENT_REVIEWER)
    by_group = add(granted, staff, checked_by=ConditionChecker.EXPERT_GROUP)
    by_reviewer = add(granted, staff, checked_by=ConditionChecker.INDEPENDENT_REVIEWER)
    by_staff = add(granted, staff, checked_by=ConditionChecker.SECRETARIAT)
    # the wrong people are refused, nothing changes
    for condition, wrong in ((by_group, reviewer), (by_reviewer, expert), (by_staff, expert), (by_group, site_manager)):
        with pytest.raises(DomainError) as exc:
            conditions.condition_transition(condition=condition, to="fulfilled", by=wrong, note="Done.")
        assert exc.value.code == error_codes.CONDITION_ROLE
    with pytest.raises(DomainError) as exc:
        conditions.condition_transition(condition=by_group, to="fulfilled", by=expert, note="")
    assert exc.value.code == error_codes.CONDITION_NOTE_REQUIRED
    assert not ConditionTransition.objects.exists()
    # the right ones succeed, each logged and audited
    conditions.condition_transition(condition=by_group, to="fulfilled", by=expert, note="Plan published.")
    conditions.condition_transition(condition=by_reviewer, to="not_fulfilled", by=reviewer, note="Not done.")
    conditions.condition_transition(condition=by_staff, to="fulfilled", by=staff, note="Seen.")
    assert [c.status for c in conditions.conditions_for(granted)] == ["fulfilled", "not_fulfilled", "fulfilled"]
    assert ConditionTransition.objects.count() == 3
    assert AuditEvent.objects.filter(action="condition.transition").count() == 3
    # a closed condition moves no more
    with pytest.raises(DomainError) as exc:
        conditions.condition_transition(condition=by_group, to="waived", by=staff, note="x")
    assert exc.value.code == error_codes.CONDITION_TRANSITION_NOT_ALLOWED


def test_only_staff_waive_with_a_reason(granted, staff):
    condition = add(granted, staff)
    chair = make_panel_member(chair=True)
    with pytest.raises(DomainError) as exc:
        conditions.condition_transition(condition=condition, to="waived", by=chair, note="x")
    assert exc.value.code == error_codes.CONDITION_ROLE
    conditions.condition_transition(condition=condition, to="waived", by=staff, note="Overtaken by events.")
    condition.refresh_from_db()
    assert (condition.status, condition.status_note) == ("waived", "Overtaken by events.")


def test_visible_to_follows_the_rule(granted, staff, site_manager, outsider, jurisdiction):
    add(granted, staff)
    expert = seat_holder(granted, AssignmentRole.EXPERT)
    other_expert = make_user(Role.EXPERT, jurisdiction=jurisdiction)  # did not review this assessment
    for person in (staff, site_manager, expert, make_panel_member()):
        assert ListingCondition.objects.visible_to(person).count() == 1, person
    for person in (outsider, other_expert):
        assert ListingCondition.objects.visible_to(person).count() == 0, person


def test_reminder_before_the_due_date_and_overdue_notice_the_day_after(granted, staff, site_manager):
    # given a condition due 2027-03-10 checked by the group, and one already closed
    condition = add(granted, staff, due="2027-03-10")
    closed = add(granted, staff, due="2027-03-10", checked_by=ConditionChecker.SECRETARIAT)
    conditions.condition_transition(condition=closed, to="waived", by=staff, note="x")
    expert = seat_holder(granted, AssignmentRole.EXPERT)
    deliver_queued_emails()
    mail.outbox.clear()
    # when beat runs before the reminder window: nothing about conditions
    services.reminders_send(today=datetime.date(2027, 2, 7))
    assert not LifecycleNotice.objects.filter(kind__startswith="condition").exists()
    # then 30 days before: one reminder, to the site team and the group's expert, once
    for day in (datetime.date(2027, 2, 8), datetime.date(2027, 2, 20), datetime.date(2027, 3, 10)):
        services.reminders_send(today=day)
    deliver_queued_emails()
    due = LifecycleNotice.objects.get(kind="condition_due")
    assert due.key == f"condition:{condition.pk}:condition_due"
    assert due.recipients == sorted({site_manager.email, expert.email})
    sent = [m for m in mail.outbox if "condition" in m.subject]
    assert len(sent) == 1 and "Publish the plan." in sent[0].body
    # and the day after the due date, the overdue notice, once
    services.reminders_send(today=datetime.date(2027, 3, 11))
    services.reminders_send(today=datetime.date(2027, 3, 12))
    overdue = LifecycleNotice.objects.get(kind="condition_overdue")
    assert overdue.due_on == datetime.date(2027, 3, 11)
    assert LifecycleNotice.objects.filter(kind__startswith="condition").count() == 2


def test_a_condition_first_seen_overdue_gets_only_the_overdue_notice(granted, staff):
    condition = add(granted, staff, due="2027-03-10", checked_by=ConditionChecker.SECRETARIAT)
    services.reminders_send(today=datetime.date(2027, 4, 1))
    assert list(LifecycleNotice.objects.filter(kind__startswith="condition").values_list("kind", flat=True)) == [
        "condition_overdue"
    ]
    assert staff.email in LifecycleNotice.objects.get(kind="condition_overdue").recipients
    assert condition.is_overdue_on(datetime.date(2027, 4, 1))


def test_the_beat_task_sends_condition_reminders(granted, staff):
    from certification import tasks

    add(granted, staff, due="2027-03-10")
    with at("2027-03-01"):
        tasks.send_reminders()
    assert LifecycleNotice.objects.filter(kind="condition_due").exists()
