import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from accounts import rules
from assessments import services as assessment_services
from assessments.choices import Status
from assessments.models import AssessmentTransition
from assessments.workflow import transition
from audit.models import AuditEvent
from core.errors import DomainError, NotAllowed
from evidence.models import EvidenceItem
from reviews import error_codes, review_page, selectors, services
from reviews.choices import RequestStatus, ReviewerDecision
from reviews.models import GroupFinding, IndicatorReview, InformationReply
from reviews.tests.factories import PNG, answers_of

pytestmark = pytest.mark.django_db


def _fresh(*users):
    for user in users:
        rules.forget_review_seats(user)
        rules.forget_roles(user)


def _rows(assessment, user):
    _fresh(user)
    return review_page.review_page(assessment, user)["rows"]


def test_an_expert_reviews_an_indicator_on_the_standards_scale(team, expert):
    assessment = team["assessment"]
    answer = answers_of(assessment)[0]
    review = services.indicator_review_save(
        assessment=assessment, answer=answer, by=expert, rating="partially_meets", finding="Gaps.", comment="Ask."
    )
    assert (review.rating, review.answer_version, review.shared) == ("partially_meets", answer.version, False)
    row = _rows(assessment, expert)[0]
    assert row.my_review.pk == review.pk and row.reviewed and row.disagree  # site said "meets"


@pytest.mark.parametrize("rating", ["excellent", "not_assessed", ""])
def test_a_rating_outside_the_scale_is_refused_and_nothing_is_lost(team, expert, rating):
    assessment = team["assessment"]
    answer = answers_of(assessment)[0]
    services.indicator_review_save(assessment=assessment, answer=answer, by=expert, rating="meets", finding="Fine.")
    with pytest.raises(DomainError) as exc:
        services.indicator_review_save(assessment=assessment, answer=answer, by=expert, rating=rating, finding="x")
    assert exc.value.code == error_codes.RATING_INVALID
    assert IndicatorReview.objects.get().finding == "Fine."


def test_reviewing_an_assessment_you_are_not_assigned_to_is_refused(team, unassigned_expert, second_expert, reviewer):
    assessment = team["assessment"]
    answer = answers_of(assessment)[0]
    for person in (unassigned_expert, second_expert, reviewer):
        with pytest.raises(NotAllowed) as exc:
            services.indicator_review_save(assessment=assessment, answer=answer, by=person, rating="meets")
        assert exc.value.code == error_codes.NOT_ASSIGNED
    assert not IndicatorReview.objects.exists()


def test_an_indicator_of_another_assessment_is_refused(team, expert, other_area, other_manager, staff):
    from reviews.tests.factories import submitted_assessment

    elsewhere = submitted_assessment(area=other_area, manager=other_manager, staff=staff, n_indicators=1)
    with pytest.raises(DomainError) as exc:
        services.indicator_review_save(
            assessment=team["assessment"], answer=answers_of(elsewhere)[0], by=expert, rating="meets"
        )
    assert exc.value.code == error_codes.INDICATOR_UNKNOWN


def test_drafts_stay_private_until_shared(team, expert, jurisdiction, assign):
    from accounts.tests.factories import Role, make_user

    assessment = team["assessment"]
    colleague = make_user(Role.EXPERT, email="colleague@example.org", jurisdiction=jurisdiction)
    assign(assessment, colleague)
    answer = answers_of(assessment)[0]
    services.indicator_review_save(assessment=assessment, answer=answer, by=expert, rating="does_not_meet")
    assert _rows(assessment, colleague)[0].other_reviews == []
    assert _rows(assessment, team["reviewer"].user)[0].other_reviews == []
    services.reviews_share(assessment=assessment, by=expert)
    shared = _rows(assessment, colleague)[0].other_reviews
    assert [r.assignment.user_id for r in shared] == [expert.pk]


def test_site_teams_see_findings_only_once_released(team, expert, site_manager, staff):
    assessment = team["assessment"]
    answer = answers_of(assessment)[0]
    services.indicator_review_save(assessment=assessment, answer=answer, by=expert, rating="meets", shared=True)
    services.group_finding_save(assessment=assessment, answer=answer, by=expert, rating="meets", finding="Met.")
    rows = _rows(assessment, site_manager)
    assert rows[0].group_finding is None and rows[0].other_reviews == []
    services.findings_release(assessment=assessment, by=staff)
    rows = _rows(assessment, site_manager)
    assert rows[0].group_finding.finding == "Met."
    assert rows[0].other_reviews == []  # individual experts' reviews are never shown to the site


def test_recommending_with_unreviewed_indicators_is_refused_then_accepted(team, expert):
    assessment = team["assessment"]
    answers = answers_of(assessment)
    services.group_finding_save(assessment=assessment, answer=answers[0], by=expert, rating="meets", finding="Met.")
    with pytest.raises(DomainError) as exc:
        services.recommendation_make(assessment=assessment, by=expert, outcome="recommend", reasons="All good.")
    assert exc.value.code == error_codes.INDICATORS_UNREVIEWED
    assert exc.value.data["indicators"] == [a.indicator.number for a in answers[1:]]
    for answer in answers[1:]:
        services.group_finding_save(assessment=assessment, answer=answer, by=expert, rating="meets", finding="Met.")
    with pytest.raises(DomainError) as exc:
        services.recommendation_make(assessment=assessment, by=expert, outcome="maybe", reasons="x")
    assert exc.value.code == error_codes.OUTCOME_INVALID
    summary = services.recommendation_make(assessment=assessment, by=expert, outcome="recommend", reasons="All met.")
    assert summary.outcome == "recommend" and summary.reviewer_decision == ReviewerDecision.PENDING


def _all_findings(assessment, expert, rating="meets"):
    for answer in answers_of(assessment):
        services.group_finding_save(assessment=assessment, answer=answer, by=expert, rating=rating, finding="Done.")


def test_the_independent_reviewer_confirms_and_the_assessment_moves_on(team, expert, reviewer):
    assessment = team["assessment"]
    _all_findings(assessment, expert)
    services.recommendation_make(assessment=assessment, by=expert, outcome="recommend", reasons="All met.")
    with pytest.raises(NotAllowed):
        services.process_confirm(assessment=assessment, by=expert, confirmed=True)
    services.process_confirm(assessment=assessment, by=reviewer, confirmed=True)
    assessment.refresh_from_db()
    assert assessment.status == Status.RECOMMENDED
    last = AssessmentTransition.objects.filter(assessment=assessment).latest("id")
    assert (last.to_status, last.by_id) == (Status.RECOMMENDED, reviewer.pk)


def test_not_yet_leads_to_not_recommended(team, expert, reviewer):
    assessment = team["assessment"]
    _all_findings(assessment, expert, rating="partially_meets")
    services.recommendation_make(assessment=assessment, by=expert, outcome="not_yet", reasons="Gaps in 1.1.")
    services.process_confirm(assessment=assessment, by=reviewer, confirmed=True)
    assessment.refresh_from_db()
    assert assessment.status == Status.NOT_RECOMMENDED


def test_returning_needs_reasons_and_sends_it_back_to_the_group(team, expert, reviewer):
    assessment = team["assessment"]
    _all_findings(assessment, expert)
    services.recommendation_make(assessment=assessment, by=expert, outcome="recommend", reasons="All met.")
    with pytest.raises(DomainError) as exc:
        services.process_confirm(assessment=assessment, by=reviewer, confirmed=False, note="")
    assert exc.value.code == error_codes.TEXT_REQUIRED
    summary = services.process_confirm(assessment=assessment, by=reviewer, confirmed=False, note="No site visit.")
    assert summary.reviewer_decision == ReviewerDecision.RETURNED
    assessment.refresh_from_db()
    assert assessment.status == Status.IN_REVIEW
    with pytest.raises(DomainError) as exc:
        services.process_confirm(assessment=assessment, by=reviewer, confirmed=True)
    assert exc.value.code == error_codes.ALREADY_DECIDED
    # a new recommendation asks the reviewer again
    services.recommendation_make(assessment=assessment, by=expert, outcome="recommend", reasons="Visit done.")
    services.process_confirm(assessment=assessment, by=reviewer, confirmed=True)
    assessment.refresh_from_db()
    assert assessment.status == Status.RECOMMENDED


def test_request_for_information_round_trip_with_send_back_and_resubmission(team, expert, site_manager, staff):
    assessment = team["assessment"]
    answers = answers_of(assessment)
    target = answers[1]
    services.indicator_review_save(assessment=assessment, answer=target, by=expert, rating="meets", finding="OK?")
    req = services.information_request_create(
        assessment=assessment, answer=target, by=expert, question="Where are the meeting minutes?"
    )
    # the site team answers while the assessment is in review, in text and with the file asked for
    services.information_reply_create(request=req, by=site_manager, text="They are being scanned.")
    req.refresh_from_db()
    assert req.status == RequestStatus.ANSWERED
    evidence_before = set(target.evidence.values_list("pk", flat=True))
    scanned = services.information_reply_create(
        request=req,
        by=site_manager,
        text="Here they are.",
        file_title="Minutes, scanned",
        file=SimpleUploadedFile("m.png", PNG, content_type="image/png"),
    )
    item = scanned.evidence.get()
    assert item.title == "Minutes, scanned" and item.assessment_id == assessment.pk
    # the file belongs to the reply; the submitted answer's evidence, which reviewers judge, is unchanged
    assert set(target.evidence.values_list("pk", flat=True)) == evidence_before
    # the reviewer who asked may open it
    assert EvidenceItem.objects.visible_to(expert).filter(pk=item.pk).exists()
    # staff send it back: the log keeps their words; the question stays open where the site works
    services.review_send_back(assessment=assessment, by=staff, note="Please answer the questions.")
    assessment.refresh_from_db()
    assert assessment.status == Status.CHANGES_REQUESTED
    note = AssessmentTransition.objects.filter(assessment=assessment).latest("id").note
    assert note == "Please answer the questions."
    assert list(selectors.open_requests(assessment)) == [req]
    # the site answers with new evidence and changes the answer
    reply = services.information_reply_create(
        request=req,
        by=site_manager,
        text="Minutes attached.",
        file_title="Minutes 2025",
        file=SimpleUploadedFile("minutes.png", PNG, content_type="image/png"),
    )
    assert [i.title for i in reply.evidence.all()] == ["Minutes 2025"]
    target.refresh_from_db()
    assessment_services.answer_save(
        answer=target,
        user=site_manager,
        expected_version=target.version,
        changes={"justification": "Minutes of all 2025 meetings are attached."},
    )
    transition(assessment, Status.RESUBMITTED, by=site_manager)
    services.review_start(assessment=assessment, by=staff)
    # the expert sees what changed and that their review is out of date
    rows = _rows(assessment, expert)
    changed = [r.answer.pk for r in rows if r.changed_since_sent_back]
    assert changed == [target.pk]
    assert rows[1].my_review_out_of_date and not rows[1].reviewed
    assert "Minutes 2025" in [i.title for i in rows[1].evidence]
    # the asker closes the thread; answering a closed request is refused and nothing is added
    services.information_request_close(request=req, by=expert)
    with pytest.raises(DomainError) as exc:
        services.information_reply_create(request=req, by=site_manager, text="One more thing.")
    assert exc.value.code == error_codes.REQUEST_CLOSED
    assert InformationReply.objects.filter(request=req).count() == 3
    assert AuditEvent.objects.filter(action="review.request_closed").count() == 1


def test_only_staff_send_back_and_release(team, expert):
    assessment = team["assessment"]
    with pytest.raises(NotAllowed):
        services.review_send_back(assessment=assessment, by=expert)
    with pytest.raises(NotAllowed):
        services.findings_release(assessment=assessment, by=expert)


def test_a_group_finding_made_before_the_site_changed_the_answer_does_not_count(team, expert, site_manager, staff):
    assessment = team["assessment"]
    _all_findings(assessment, expert)
    services.review_send_back(assessment=assessment, by=staff)
    first = answers_of(assessment)[0]
    assessment_services.answer_save(
        answer=first, user=site_manager, expected_version=first.version, changes={"justification": "New text."}
    )
    transition(assessment, Status.RESUBMITTED, by=site_manager)
    services.review_start(assessment=assessment, by=staff)
    assert selectors.unreviewed_indicators(assessment) == [first.indicator.number]
    with pytest.raises(DomainError) as exc:
        services.recommendation_make(assessment=assessment, by=expert, outcome="recommend", reasons="x")
    assert exc.value.code == error_codes.INDICATORS_UNREVIEWED
    assert GroupFinding.objects.count() == 3


def test_agreement_figures_per_assessment_and_per_expert(team, expert, client, staff):
    assessment = team["assessment"]
    answers = answers_of(assessment)  # the site rated all three "meets"
    services.indicator_review_save(assessment=assessment, answer=answers[0], by=expert, rating="meets", shared=True)
    services.indicator_review_save(
        assessment=assessment, answer=answers[1], by=expert, rating="does_not_meet", shared=True
    )
    services.indicator_review_save(assessment=assessment, answer=answers[2], by=expert, rating="does_not_meet")
    services.group_finding_save(
        assessment=assessment, answer=answers[1], by=expert, rating="partially_meets", finding="Partly."
    )
    per_assessment = selectors.assessment_agreement()
    assert per_assessment[0]["reviews"] == 2 and per_assessment[0]["reviews_agree"] == 1
    assert per_assessment[0]["findings"] == 1 and per_assessment[0]["findings_agree"] == 0
    (row,) = selectors.expert_agreement()
    assert (row["email"], row["reviews"], row["agree_with_site"], row["site_percent"]) == (expert.email, 2, 1, 50)
    assert (row["compared_with_group"], row["agree_with_group"]) == (1, 0)
    client.force_login(staff)
    page = client.get(reverse("reviews:agreement"))
    assert page.status_code == 200 and expert.email in page.content.decode()
    client.force_login(expert)
    assert client.get(reverse("reviews:agreement")).status_code == 404
