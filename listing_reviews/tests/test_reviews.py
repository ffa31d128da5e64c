"""The reviews of a listed site: beat's openings (time travel by argument), each step of the mid-term
review and its refusals, the renewal cycle prefilled from the listed one, the certificate's status rule."""

import datetime
import time

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from assessments.models import Answer, Assessment
from audit.models import AuditEvent
from core.errors import DomainError
from core.models import OutgoingEmail
from listing_reviews import selectors, services
from listing_reviews.choices import MidtermStatus, RenewalState
from listing_reviews.models import MidtermReview, MidtermReviewTransition, RenewalReview
from listing_reviews.tasks import open_due_reviews

from .factories import open_midterm, open_renewal

DAY = datetime.timedelta(days=1)


def _outbox(kind):
    return OutgoingEmail.objects.filter(kind=kind)


# --- beat opens each review on its day, once ---------------------------------------------------------


def test_the_midterm_review_opens_half_way_once(certificate, site_manager, settings):
    # given: a five-year certificate; the mid-term falls half-way
    due = services.midterm_due_on(certificate)
    validity = (certificate.expires_on - certificate.granted_on).days
    assert due == certificate.granted_on + datetime.timedelta(days=round(validity / 2))
    # when / then: the day before, nothing
    assert open_due_reviews(today=(due - DAY).isoformat())["midterm_opened"] == 0
    assert not MidtermReview.objects.exists()
    # the day: opened, the site team told (in the outbox)
    assert open_due_reviews(today=due.isoformat())["midterm_opened"] == 1
    review = MidtermReview.objects.get(certificate=certificate)
    assert review.status == MidtermStatus.OPENED and review.due_on == due
    sent = _outbox("listing_reviews.midterm_opened").get()
    assert site_manager.email in sent.to
    # again, and the day after: nothing new
    assert open_due_reviews(today=due.isoformat())["midterm_opened"] == 0
    assert open_due_reviews(today=(due + DAY).isoformat())["midterm_opened"] == 0
    assert MidtermReview.objects.count() == 1 and _outbox("listing_reviews.midterm_opened").count() == 1
    assert AuditEvent.objects.filter(action="midterm_review.opened").count() == 1


def test_the_midterm_share_is_a_setting(certificate, settings):
    settings.GREENLIST_MIDTERM_AT = 0.4
    validity = (certificate.expires_on - certificate.granted_on).days
    assert services.midterm_due_on(certificate) == certificate.granted_on + datetime.timedelta(
        days=round(validity * 0.4)
    )


def test_the_renewal_review_opens_the_lead_time_before_expiry_once(certificate, site_manager, staff, settings):
    settings.GREENLIST_RENEWAL_LEAD_DAYS = 200
    due = services.renewal_due_on(certificate)
    assert due == certificate.expires_on - datetime.timedelta(days=200)
    assert open_due_reviews(today=(due - DAY).isoformat())["renewal_opened"] == 0
    assert open_due_reviews(today=due.isoformat())["renewal_opened"] == 1
    assert open_due_reviews(today=due.isoformat())["renewal_opened"] == 0
    review = RenewalReview.objects.get(certificate=certificate)
    assert review.assessment is None and selectors.renewal_state(review) == RenewalState.AWAITING_START
    recipients = {e for m in _outbox("listing_reviews.renewal_opened") for e in m.to}
    assert {site_manager.email, staff.email} <= recipients


def test_no_review_opens_for_a_certificate_no_longer_listed(certificate, staff):
    from certification.services import certificate_transition

    certificate_transition(certificate=certificate, user=staff, to="withdrawn", reason="Gone.")
    assert services.listing_reviews_run(today=services.renewal_due_on(certificate)) == {
        "midterm_opened": 0,
        "renewal_opened": 0,
        "midterm_overdue": 0,
    }


def test_an_update_not_filed_in_time_is_flagged_to_staff_once(certificate, staff, settings):
    settings.GREENLIST_MIDTERM_UPDATE_DAYS = 60
    review = open_midterm(certificate)
    day = review.due_on + datetime.timedelta(days=60)
    assert services.midterm_overdue_flag(today=day - DAY) == 0
    assert services.midterm_overdue_flag(today=day) == 1
    assert services.midterm_overdue_flag(today=day) == 0
    review.refresh_from_db()
    assert review.overdue_flagged_at is not None
    assert staff.email in _outbox("listing_reviews.midterm_overdue").get().to


def test_a_review_opened_late_gets_the_full_time_before_it_is_flagged(certificate, settings):
    """Beat missed runs (or the platform was deployed after the mid-term fell due): the review opens
    long after its due day; the update's time counts from the day it opened, not from the due day."""
    settings.GREENLIST_MIDTERM_UPDATE_DAYS = 60
    due = services.midterm_due_on(certificate)
    late = due + datetime.timedelta(days=400)
    assert services.midterm_reviews_open(today=late) == 1
    review = MidtermReview.objects.get(certificate=certificate)
    # that run happened on `late` (time travels by argument; the opening moment is the clock's, set to that day)
    opened = datetime.datetime.combine(late, datetime.time(6), tzinfo=datetime.UTC)
    MidtermReview.objects.filter(pk=review.pk).update(opened_at=opened)
    # the same daily run then checks the overdue ones: not flagged on the day it opens
    assert services.midterm_overdue_flag(today=late) == 0
    assert services.midterm_overdue_flag(today=late + datetime.timedelta(days=59)) == 0
    assert services.midterm_overdue_flag(today=late + datetime.timedelta(days=60)) == 1


def test_no_overdue_flag_once_the_certificate_no_longer_lists_the_site(certificate, staff, settings):
    from certification.services import certificate_transition

    settings.GREENLIST_MIDTERM_UPDATE_DAYS = 60
    review = open_midterm(certificate)
    certificate_transition(certificate=certificate, user=staff, to="withdrawn", reason="Gone.")
    assert services.midterm_overdue_flag(today=review.due_on + datetime.timedelta(days=90)) == 0
    review.refresh_from_db()
    assert review.overdue_flagged_at is None and not _outbox("listing_reviews.midterm_overdue").exists()


@pytest.mark.django_db(transaction=True)
def test_a_real_worker_runs_the_beat_task(celery_worker_process, certificate):
    due = services.midterm_due_on(certificate)
    result = open_due_reviews.delay(today=due.isoformat())
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline and not MidtermReview.objects.filter(certificate=certificate).exists():
        time.sleep(0.3)
    assert MidtermReview.objects.filter(certificate=certificate).exists(), celery_worker_process.log_path.read_text()
    assert result.get(timeout=30)["midterm_opened"] == 1


# --- the mid-term review's steps ---------------------------------------------------------------------


def test_the_midterm_review_walks_to_the_panel(certificate, site_manager, group_expert, panel_chair, staff):
    from certification.conditions import condition_add

    condition = condition_add(
        certificate=certificate,
        text="Fence the core zone.",
        due_on=certificate.expires_on - datetime.timedelta(days=30),
        checked_by="secretariat",
        by=staff,
    )
    review = open_midterm(certificate)
    # progress on a condition that is not this listing's: refused, nothing filed
    with pytest.raises(DomainError) as unknown:
        services.midterm_update_file(
            review=review, by=site_manager, what_changed="x", progress={condition.pk + 99: "y"}
        )
    assert unknown.value.code == "midterm_condition_unknown"
    review.refresh_from_db()
    assert review.status == MidtermStatus.OPENED and not review.what_changed
    item = services.midterm_evidence_add(
        review=review, by=site_manager, file=SimpleUploadedFile("camera.txt", b"Camera traps: 4 tigers."), title="Cams"
    )
    assert item.assessment_id == certificate.decision.assessment_id and review.evidence.get() == item
    services.midterm_update_file(
        review=review,
        by=site_manager,
        what_changed="New ranger post.",
        conditions_progress="On track.",
        progress={condition.pk: "Fence 80% built."},
    )
    assert condition.progress.get().text == "Fence 80% built."
    assert review.status == MidtermStatus.UPDATE_FILED and review.filed_by == site_manager
    assert group_expert.email in _outbox("listing_reviews.midterm_filed").get().to
    services.midterm_group_review(review=review, by=group_expert, findings="Progress is real.")
    assert review.status == MidtermStatus.GROUP_REVIEWED
    services.midterm_panel_record(review=review, by=panel_chair, outcome="panel_acted", note="Add a condition.")
    review.refresh_from_db()
    assert review.status == MidtermStatus.PANEL_ACTED and review.panel_note == "Add a condition."
    assert list(MidtermReviewTransition.objects.filter(review=review).values_list("to_status", flat=True)) == [
        "update_filed",
        "group_reviewed",
        "panel_acted",
    ]
    assert AuditEvent.objects.filter(action="midterm_review.transition").count() == 3
    assert site_manager.email in {e for m in _outbox("listing_reviews.midterm_closed") for e in m.to}


def test_each_step_refuses_the_wrong_person_and_the_wrong_state(
    certificate, site_manager, other_manager, group_expert, expert, panel_chair, staff
):
    review = open_midterm(certificate)
    for person in (other_manager, group_expert, staff, panel_chair):
        with pytest.raises(DomainError) as refused:
            services.midterm_update_file(review=review, by=person, what_changed="x")
        assert refused.value.code == "midterm_not_allowed" and refused.value.http_status == 403
    # wrong state: the group cannot review before the update; the chair cannot record before the group
    with pytest.raises(DomainError) as early:
        services.midterm_group_review(review=review, by=group_expert, findings="x")
    assert early.value.code == "midterm_transition_not_allowed" and early.value.http_status == 409
    with pytest.raises(DomainError) as empty:
        services.midterm_update_file(review=review, by=site_manager, what_changed="  ")
    assert empty.value.code == "midterm_text_required"
    services.midterm_update_file(review=review, by=site_manager, what_changed="Changes.")
    with pytest.raises(DomainError) as twice:
        services.midterm_update_file(review=review, by=site_manager, what_changed="Again.")
    assert twice.value.http_status == 409
    with pytest.raises(DomainError) as late_file:
        services.midterm_evidence_add(review=review, by=site_manager, file=SimpleUploadedFile("a.txt", b"x"))
    assert late_file.value.code == "midterm_evidence_closed"
    # an expert of the jurisdiction who did not review the listed cycle
    with pytest.raises(DomainError) as not_group:
        services.midterm_group_review(review=review, by=expert, findings="x")
    assert not_group.value.http_status == 403
    with pytest.raises(DomainError) as early_panel:
        services.midterm_panel_record(review=review, by=panel_chair, outcome="panel_noted", note="x")
    assert early_panel.value.http_status == 409
    services.midterm_group_review(review=review, by=group_expert, findings="Fine.")
    with pytest.raises(DomainError) as staff_panel:
        services.midterm_panel_record(review=review, by=staff, outcome="panel_noted", note="x")
    assert staff_panel.value.http_status == 403
    with pytest.raises(DomainError) as bad_outcome:
        services.midterm_panel_record(review=review, by=panel_chair, outcome="decided", note="x")
    assert bad_outcome.value.code == "midterm_outcome_invalid"
    with pytest.raises(DomainError) as no_note:
        services.midterm_panel_record(review=review, by=panel_chair, outcome="panel_noted", note="")
    assert no_note.value.code == "midterm_text_required"
    services.midterm_panel_record(review=review, by=panel_chair, outcome="panel_noted", note="Noted.")
    with pytest.raises(DomainError) as closed:
        services.midterm_panel_record(review=review, by=panel_chair, outcome="panel_acted", note="x")
    assert closed.value.code == "midterm_closed"


# --- the renewal ---------------------------------------------------------------------------------------


def test_the_renewal_cycle_starts_prefilled_from_the_listed_one(certificate, site_manager, other_manager):
    review = open_renewal(certificate)
    with pytest.raises(DomainError) as outsider:
        services.renewal_start(review=review, by=other_manager)
    assert outsider.value.http_status == 403
    cycle = services.renewal_start(review=review, by=site_manager)
    listed = certificate.decision.assessment
    assert cycle.previous_id == listed.pk and cycle.cycle == listed.cycle + 1
    assert Answer.objects.filter(assessment=cycle, carried_over=True).count() == listed.answers.count()
    review.refresh_from_db()
    assert review.assessment == cycle and selectors.renewal_state(review) == RenewalState.UNDER_WAY
    with pytest.raises(DomainError) as again:
        services.renewal_start(review=review, by=site_manager)
    assert again.value.code == "renewal_already_started"
    assert Assessment.objects.filter(protected_area=certificate.protected_area).count() == 2


def test_a_cycle_already_started_becomes_the_renewal_cycle(certificate, site_manager):
    from assessments.services import assessment_create

    started = assessment_create(
        protected_area=certificate.protected_area,
        user=site_manager,
        year=2026,
        previous=certificate.decision.assessment,
    )
    review = open_renewal(certificate)
    assert review.assessment == started


def test_a_cycle_started_after_the_review_opened_is_linked_by_the_start(certificate, site_manager):
    """The team started its next cycle another way after the review opened: the review's start links
    that cycle (a new one would be refused, "a cycle is still open") instead of leaving it stuck."""
    from assessments.services import assessment_create

    review = open_renewal(certificate)
    assert review.assessment is None
    started = assessment_create(
        protected_area=certificate.protected_area,
        user=site_manager,
        year=2026,
        previous=certificate.decision.assessment,
    )
    assert services.renewal_start(review=review, by=site_manager) == started
    review.refresh_from_db()
    assert review.assessment == started and selectors.renewal_state(review) == RenewalState.UNDER_WAY
    assert Assessment.objects.filter(protected_area=certificate.protected_area).count() == 2


def test_a_renewal_never_started_is_not_under_way_publicly(certificate, site_manager, client):
    review = open_renewal(certificate)
    public_url = reverse("certification:area-short", args=[certificate.protected_area_id])
    assert not selectors.renewal_under_way_publicly(certificate)
    assert "Renewal under way" not in client.get(public_url, follow=True).content.decode()
    services.renewal_start(review=review, by=site_manager)
    assert selectors.renewal_under_way_publicly(certificate)
    assert "Renewal under way" in client.get(public_url, follow=True).content.decode()


def test_the_status_rule_during_renewal(certificate, site_manager, staff, review_staff, client):
    """The listed certificate stays active until its date; the public page says "renewal under way";
    once the renewal is granted the new certificate takes over and the old one says it is superseded."""
    from assessments.tests.helpers import fill_all
    from assessments.workflow import transition
    from certification.tests.factories import panel_decide_for_tests
    from eligibility.tests.factories import make_eligible
    from reviews.tests.helpers import review_to_conclusion

    review = open_renewal(certificate)
    cycle = services.renewal_start(review=review, by=site_manager)
    certificate.refresh_from_db()
    assert certificate.status == "active"
    public = client.get(reverse("certification:area-short", args=[certificate.protected_area_id]), follow=True)
    assert "Renewal under way" in public.content.decode()
    client.force_login(site_manager)
    page = client.get(certificate.get_absolute_url()).content.decode()
    assert str(selectors.RENEWAL_STATUS_RULE)[:60] in page
    # the renewal is granted before the expiry date
    make_eligible(cycle, staff=review_staff)
    transition(cycle, "candidate", by=review_staff, note="eligible")
    fill_all(cycle, site_manager)
    transition(cycle, "submitted", by=site_manager)
    review_to_conclusion(cycle, staff=review_staff)
    new = panel_decide_for_tests(assessment=cycle, user=staff, outcome="granted", reasons="Still meets it.").certificate
    review.refresh_from_db()
    assert selectors.renewal_state(review) == RenewalState.RENEWED
    assert selectors.superseded_by(certificate) == new
    page = client.get(certificate.get_absolute_url()).content.decode()
    assert new.number in page
    client.logout()
    public = client.get(
        reverse("certification:area-short", args=[certificate.protected_area_id]), follow=True
    ).content.decode()
    assert new.number in public and "Renewal under way" not in public
    # beat again: the old certificate, superseded, gets no second review (the new one gets its own)
    services.listing_reviews_run(today=services.renewal_due_on(certificate))
    assert RenewalReview.objects.filter(certificate=certificate).count() == 1
    assert not RenewalReview.objects.filter(certificate=certificate).exclude(pk=review.pk).exists()
