import datetime

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone, translation

from accounts.services import role_grant, role_revoke
from accounts.tests.factories import Role, make_user
from assessments.choices import Status
from assessments.models import Assessment
from audit.models import AuditEvent
from core.errors import DomainError, NotAllowed
from core.models import OutgoingEmail
from core.tests.outbox import deliver_queued_emails
from reviews import error_codes, services
from reviews.choices import CoiStatus
from reviews.models import ReviewAssignment
from reviews.tests.factories import submitted_assessment

pytestmark = pytest.mark.django_db


def test_staff_assign_an_expert_and_the_assignee_is_emailed_after_commit(
    assessment, staff, expert, due, django_capture_on_commit_callbacks
):
    # given an outbox without the assessment's earlier mails (the eligibility gate's, not this test's)
    OutgoingEmail.objects.all().delete()
    # when
    with django_capture_on_commit_callbacks() as callbacks:
        assignment = services.assignment_create(
            assessment=assessment, assignee=expert, role="expert", due_date=due, by=staff
        )
    # then the e-mail is in the outbox and its task is queued on commit; send it here (a real
    # worker does in the test below)
    assert len(callbacks) == 1
    assert OutgoingEmail.objects.get(kind="review.assigned").to == [expert.email]
    assignment.refresh_from_db()
    assert assignment.notified_at is None  # not sent yet
    assert deliver_queued_emails() == 1
    assert [m.to for m in mail.outbox] == [[expert.email]]
    assert reverse("reviews:declare", args=[assignment.pk]) in mail.outbox[0].body
    # naming the cycle as every page does (Assessment.cycle_label), its year with it
    site = assessment.protected_area
    assert f"assessment of {site}, cycle {assessment.cycle} ({assessment.year}), due on" in mail.outbox[0].body
    # and the role said as a sentence says it, not as a label ("as Expert (EAGL member)")
    assert "has assigned you as an expert of the Expert Assessment Group (EAGL) to the" in mail.outbox[0].body
    assignment.refresh_from_db()
    assert assignment.notified_at is not None
    assert assignment.coi_status == CoiStatus.PENDING
    assert AuditEvent.objects.filter(action="review.assigned", target_id=str(assignment.pk)).exists()


def test_the_notification_task_does_not_mail_twice(assessment, staff, expert, due):
    from core.tasks import send_outgoing_email

    services.assignment_create(assessment=assessment, assignee=expert, role="expert", due_date=due, by=staff)
    email = OutgoingEmail.objects.get(kind="review.assigned")
    assert send_outgoing_email(email.pk) == "sent"
    assert send_outgoing_email(email.pk) == "skipped"
    assert len(mail.outbox) == 1


def test_withdrawing_an_assignment_before_its_mail_went_drops_the_mail(assessment, staff, expert, due):
    OutgoingEmail.objects.all().delete()  # the eligibility gate's mails are not this test's
    assignment = services.assignment_create(
        assessment=assessment, assignee=expert, role="expert", due_date=due, by=staff
    )
    services.assignment_remove(assignment=assignment, by=staff)
    assert deliver_queued_emails() == 0
    assert not mail.outbox


def test_a_lapsed_accreditation_cannot_be_assigned(assessment, staff, jurisdiction, due):
    # given an expert whose group membership ended yesterday
    lapsed = make_user(None, email="lapsed@example.org")
    today = timezone.localdate()
    role_grant(
        user=lapsed,
        role=Role.EXPERT,
        granted_by=None,
        jurisdiction=jurisdiction,
        valid_from=today - datetime.timedelta(days=400),
        valid_until=today - datetime.timedelta(days=1),
    )
    # then
    with pytest.raises(DomainError) as exc:
        services.assignment_create(assessment=assessment, assignee=lapsed, role="expert", due_date=due, by=staff)
    assert exc.value.code == error_codes.ASSIGNEE_NOT_ACCREDITED
    assert not ReviewAssignment.objects.exists()


def test_an_expert_of_another_group_or_a_plain_person_cannot_be_assigned(assessment, staff, outsider, due):
    from standards.models import Jurisdiction

    other = Jurisdiction.objects.create(code="la", name="Laos", countries=["LAO"])
    foreign = make_user(Role.EXPERT, email="foreign@example.org", jurisdiction=other)
    for person, role in ((foreign, "expert"), (outsider, "expert"), (outsider, "independent_reviewer")):
        with pytest.raises(DomainError) as exc:
            services.assignment_create(assessment=assessment, assignee=person, role=role, due_date=due, by=staff)
        assert exc.value.code == error_codes.ASSIGNEE_NOT_ACCREDITED


def test_only_staff_or_the_groups_chair_assign(assessment, chair, expert, second_expert, due):
    # the chair may
    services.assignment_create(assessment=assessment, assignee=second_expert, role="expert", due_date=due, by=chair)
    # an ordinary expert may not
    with pytest.raises(NotAllowed):
        services.assignment_create(assessment=assessment, assignee=chair, role="expert", due_date=due, by=expert)


def test_bad_assignment_input_is_refused_with_specific_codes(assessment, staff, expert, due):
    cases = [
        ({"role": "boss", "due_date": due}, error_codes.ROLE_INVALID),
        (
            {"role": "expert", "due_date": timezone.localdate() - datetime.timedelta(days=1)},
            error_codes.DUE_DATE_INVALID,
        ),
    ]
    for kwargs, code in cases:
        with pytest.raises(DomainError) as exc:
            services.assignment_create(assessment=assessment, assignee=expert, by=staff, **kwargs)
        assert exc.value.code == code
    services.assignment_create(assessment=assessment, assignee=expert, role="expert", due_date=due, by=staff)
    with pytest.raises(DomainError) as exc:
        services.assignment_create(assessment=assessment, assignee=expert, role="expert", due_date=due, by=staff)
    assert exc.value.code == error_codes.ASSIGNEE_ALREADY


def test_an_assessment_not_yet_submitted_cannot_get_reviewers(other_area, other_manager, staff, reviewer, due):
    from assessments import services as assessment_services
    from reviews.tests.factories import make_standard

    make_standard(2)
    draft = assessment_services.assessment_create(protected_area=other_area, user=other_manager, year=2025)
    with pytest.raises(DomainError) as exc:
        services.assignment_create(
            assessment=draft, assignee=reviewer, role="independent_reviewer", due_date=due, by=staff
        )
    assert exc.value.code == error_codes.ASSESSMENT_NOT_ASSIGNABLE


def test_staff_are_warned_about_team_membership_organisation_previous_cycle_and_lapsing(
    area, site_manager, staff, jurisdiction, due
):
    # given an expert who was on the site's team (revoked since), works for its managing organisation,
    # reviewed its previous cycle and whose accreditation ends before the due date
    area.management_authority = "Forest Protection Department of Thua Thien Hue"
    area.save()
    person = make_user(None, email="insider@example.org")
    person.organisation = "Forest Protection Department of Thua Thien Hue"
    person.save()
    role_grant(
        user=person,
        role=Role.EXPERT,
        granted_by=None,
        jurisdiction=jurisdiction,
        valid_until=due - datetime.timedelta(days=1),
    )
    team_role = role_grant(user=person, role=Role.SITE_MANAGER, granted_by=None, protected_area=area)
    role_revoke(assignment=team_role, revoked_by=None)
    first = submitted_assessment(area=area, manager=site_manager, staff=staff, n_indicators=1, year=2024)
    services.assignment_create(assessment=first, assignee=person, role="expert", due_date=due, by=staff)
    Assessment.objects.filter(pk=first.pk).update(status=Status.DECIDED)
    second = submitted_assessment(area=area, manager=site_manager, staff=staff, n_indicators=1, year=2025)
    # when
    assignment = services.assignment_create(assessment=second, assignee=person, role="expert", due_date=due, by=staff)
    # then
    kinds = {w["kind"] for w in assignment.warnings}
    assert kinds == {"site_team", "same_organisation", "previous_cycle", "lapses_before_due"}
    assert any("was on the team" in w["detail"] for w in assignment.warnings)
    # a page shows each warning in its reader's language; the stored detail stays English
    from django.utils import translation

    from reviews.selectors import warning_text

    with translation.override("fr"):
        shown = {w["kind"]: warning_text(w) for w in assignment.warnings}
    assert shown["site_team"].startswith(str(person)) and "équipe" in shown["site_team"]
    assert "expire" in shown["lapses_before_due"] or "prend fin" in shown["lapses_before_due"]
    assert warning_text({"kind": "site_team", "detail": "Stored before params."}) == "Stored before params."


def test_a_clean_assignee_gets_no_warnings(assessment, staff, expert, due):
    assignment = services.assignment_create(
        assessment=assessment, assignee=expert, role="expert", due_date=due, by=staff
    )
    assert assignment.warnings == []


def test_declaring_no_conflict_opens_the_assessment(assessment, assign, expert):
    assignment = assign(assessment, expert, declare=None)
    assert not Assessment.objects.visible_to(expert).filter(pk=assessment.pk).exists()
    services.conflict_declare(assignment=assignment, by=expert, has_conflict=False)
    from accounts import rules

    rules.forget_review_seats(expert)
    assert Assessment.objects.visible_to(expert).filter(pk=assessment.pk).exists()
    event = AuditEvent.objects.get(action="review.coi_declared", target_id=str(assignment.pk))
    assert event.data["conflict"] is False


def test_a_declared_conflict_blocks_the_assignment_and_tells_staff(
    assessment, assign, expert, staff, django_capture_on_commit_callbacks
):
    assignment = assign(assessment, expert, declare=None)
    deliver_queued_emails()
    mail.outbox.clear()
    with django_capture_on_commit_callbacks() as callbacks:
        services.conflict_declare(assignment=assignment, by=expert, has_conflict=True, note="My brother runs the park.")
    assert len(callbacks) == 1
    assert deliver_queued_emails() == 1
    assignment.refresh_from_db()
    assert assignment.coi_status == CoiStatus.CONFLICT
    assert not Assessment.objects.visible_to(expert).filter(pk=assessment.pk).exists()
    assert [m.to for m in mail.outbox] == [[staff.email]]
    assert "My brother runs the park." in mail.outbox[0].body
    event = AuditEvent.objects.get(action="review.coi_declared", target_id=str(assignment.pk))
    assert event.data == {"assessment": assessment.pk, "conflict": True, "note": "My brother runs the park."}


def test_declarations_are_made_once_by_the_assignee_and_a_conflict_needs_a_note(assessment, assign, expert, staff):
    assignment = assign(assessment, expert, declare=None)
    with pytest.raises(NotAllowed):
        services.conflict_declare(assignment=assignment, by=staff, has_conflict=False)
    with pytest.raises(DomainError) as exc:
        services.conflict_declare(assignment=assignment, by=expert, has_conflict=True, note="  ")
    assert exc.value.code == error_codes.TEXT_REQUIRED
    services.conflict_declare(assignment=assignment, by=expert, has_conflict=False)
    with pytest.raises(DomainError) as exc:
        services.conflict_declare(assignment=assignment, by=expert, has_conflict=True, note="changed my mind")
    assert exc.value.code == error_codes.COI_ALREADY_DECLARED
    assert AuditEvent.objects.filter(action="review.coi_declared").count() == 1


def test_declaration_page_shows_the_site_only_and_records_the_answer(client, assessment, assign, expert):
    assignment = assign(assessment, expert, declare=None)
    client.force_login(expert)
    url = reverse("reviews:declare", args=[assignment.pk])
    page = client.get(url)
    assert page.status_code == 200
    assert assessment.protected_area.name in page.content.decode()
    assert f"</strong>, {assessment.cycle_label}, as an expert of the Expert Assessment Group (EAGL), by " in (
        page.content.decode()
    )
    # in French too, with the elision the label could not give ("en tant qu'expert", not "que Expert")
    with translation.override("fr"):
        french = client.get(url, HTTP_ACCEPT_LANGUAGE="fr").content.decode()
    assert "en tant qu’expert du Groupe d’experts pour l’évaluation de la Liste verte (EAGL)" in french
    assert "Justification for" not in page.content.decode()
    # a conflict without a description is refused and nothing is recorded
    refused = client.post(url, {"has_conflict": "yes", "note": ""})
    assert refused.status_code == 400
    assignment.refresh_from_db()
    assert assignment.coi_status == CoiStatus.PENDING
    done = client.post(url, {"has_conflict": "no"})
    assert done.status_code == 302 and done["Location"] == reverse("reviews:review", args=[assessment.pk])


def test_staff_page_lists_assignments_with_warnings_and_lapsing_accreditations(
    client, assessment, assign, staff, jurisdiction
):
    today = timezone.localdate()
    soon = make_user(None, email="soon@example.org")
    role_grant(
        user=soon,
        role=Role.EXPERT,
        granted_by=None,
        jurisdiction=jurisdiction,
        valid_until=today + datetime.timedelta(days=10),
    )
    client.force_login(staff)
    page = client.get(reverse("reviews:mine")).content.decode()
    assert "soon@example.org" in page or str(soon) in page
    manage = client.get(reverse("reviews:manage", args=[assessment.pk]))
    assert manage.status_code == 200


def test_assign_form_refuses_bad_input_with_a_message(client, assessment, staff, expert):
    client.force_login(staff)
    url = reverse("reviews:manage", args=[assessment.pk])
    bad_date = client.post(url, {"user": expert.pk, "role": "expert", "due_date": "not-a-date"})
    assert bad_date.status_code == 400
    unknown = client.post(url, {"user": 999999, "role": "expert", "due_date": "2099-01-01"})
    assert unknown.status_code == 400 and "Choose a person" in unknown.content.decode()
    ok = client.post(url, {"user": expert.pk, "role": "expert", "due_date": "2099-01-01"})
    assert ok.status_code == 302
    assert ReviewAssignment.objects.filter(user=expert, due_date=datetime.date(2099, 1, 1)).exists()


@pytest.mark.django_db(transaction=True)
def test_a_real_worker_sends_the_assignment_email(celery_worker_process, area, site_manager, staff, expert, due):
    import time

    assessment = submitted_assessment(area=area, manager=site_manager, staff=staff, n_indicators=1)
    assignment = services.assignment_create(
        assessment=assessment, assignee=expert, role="expert", due_date=due, by=staff
    )
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        assignment.refresh_from_db()
        if assignment.notified_at is not None:
            break
        time.sleep(0.3)
    assert assignment.notified_at is not None, celery_worker_process.log_path.read_text()
