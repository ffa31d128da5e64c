import re
from pathlib import Path

import pytest

from assessments.choices import Status
from assessments.models import AssessmentTransition
from assessments.tests.helpers import fill_all
from assessments.workflow import TRANSITIONS, AssessmentIncomplete, transition
from audit.models import AuditEvent
from core.errors import DomainError, NotAllowed

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.django_db
def test_new_assessment_freezes_its_standard_and_has_one_answer_per_indicator(assessment, standard):
    assert assessment.standard == standard
    assert assessment.adapted_set is None
    assert assessment.answers.count() == 50
    assert assessment.status == Status.CANDIDATE
    row = AssessmentTransition.objects.get(assessment=assessment)
    assert (row.from_status, row.to_status, row.note) == ("application", "candidate", "eligible")


@pytest.mark.django_db
def test_incomplete_submission_lists_exactly_what_is_missing(assessment, site_manager):
    fill_all(assessment, site_manager, except_numbers={"1.1.2", "3.4.1"})
    answer = assessment.answers.get(indicator__number="2.1.1")
    from assessments.services import answer_save

    answer_save(
        answer=answer,
        user=site_manager,
        expected_version=answer.version,
        changes={"rating": "does_not_meet", "action_text": ""},
    )
    with pytest.raises(AssessmentIncomplete) as err:
        transition(assessment, "submitted", by=site_manager)
    missing = {m["number"]: m["problems"] for m in err.value.missing}
    assert set(missing) == {"1.1.2", "2.1.1", "3.4.1"}
    assert missing["1.1.2"] == ["No rating yet."]
    assert "The action (what will be done) is missing." in missing["2.1.1"]
    assert "The action's owner (who) is missing." in missing["2.1.1"]
    assessment.refresh_from_db()
    assert assessment.status == Status.CANDIDATE


@pytest.mark.django_db
def test_submit_writes_the_transition_and_audit(assessment, site_manager):
    fill_all(assessment, site_manager)
    transition(assessment, "submitted", by=site_manager, note="ready")
    assessment.refresh_from_db()
    assert assessment.status == Status.SUBMITTED and assessment.submitted_at
    row = AssessmentTransition.objects.filter(assessment=assessment).latest("at")
    assert (row.from_status, row.to_status, row.by, row.note) == ("candidate", "submitted", site_manager, "ready")
    event = AuditEvent.objects.filter(action="assessment.transition", target_id=str(assessment.pk)).latest("id")
    assert event.data == {"from": "candidate", "to": "submitted", "note": "ready"}


@pytest.mark.django_db
def test_moves_not_in_the_table_and_wrong_roles_are_refused(assessment, site_manager, staff, outsider):
    with pytest.raises(DomainError) as err:
        transition(assessment, "decided", by=staff)
    assert err.value.code == "transition_not_allowed"
    with pytest.raises(DomainError) as err:
        transition(assessment, "nonsense", by=staff)
    assert err.value.code == "transition_not_allowed"
    fill_all(assessment, site_manager)
    with pytest.raises(NotAllowed) as err:
        transition(assessment, "submitted", by=outsider)
    assert err.value.code == "transition_role_not_allowed"
    transition(assessment, "submitted", by=site_manager)
    with pytest.raises(NotAllowed):
        transition(assessment, "in_review", by=site_manager)  # the site cannot review itself


@pytest.mark.django_db
def test_the_whole_cycle_with_changes_requested(assessment, site_manager, staff, jurisdiction):
    from accounts.tests.factories import Role, make_user
    from reviews.tests.helpers import review_to_conclusion

    committee = make_user(Role.IUCN_STAFF, email="committee@example.org")  # deciders did not review
    fill_all(assessment, site_manager)
    for to, by in [
        ("submitted", site_manager),
        ("in_review", staff),
        ("changes_requested", staff),
        ("resubmitted", site_manager),
        ("in_review", staff),
    ]:
        transition(assessment, to, by=by)
    # recommended only through the review: the group recommends, the independent reviewer confirms
    review_to_conclusion(assessment, staff=staff)
    # decided only on the Green List Panel's decision (issue 16), recorded by staff who did not review
    from certification.tests.factories import panel_decide_for_tests

    panel_decide_for_tests(assessment=assessment, user=committee, outcome="declined", reasons="Not yet.")
    assessment.refresh_from_db()
    assert assessment.status == Status.DECIDED
    assert AssessmentTransition.objects.filter(assessment=assessment).count() == 8


def test_the_table_only_names_real_phases_and_rules():
    from accounts import rules

    for move in TRANSITIONS:
        assert move.source in Status.values and move.target in Status.values
        assert getattr(rules, move.allowed.__name__) is move.allowed


def test_nothing_but_the_workflow_assigns_assessment_status():
    """Scan the code: only assessments/workflow.py may write Assessment.status.

    Everywhere: no `assessment.status = …` and no queryset `update(status=…)` on assessments.
    In assessments/ and evidence/ (no other model there has a `status`): no `.status = …` at all.
    """
    anywhere = re.compile(r"\bassessments?\.status\s*=[^=]|Assessment\.objects\b.*\.update\([^)]*\bstatus\s*=")
    local = re.compile(r"\.status\s*=[^=]|\bupdate\([^)]*\bstatus\s*=")
    offenders = []
    for path in ROOT.rglob("*.py"):
        rel = path.relative_to(ROOT).as_posix()
        # Product code only: benchmarks may seed rows directly, as tests do.
        skip = (".venv/", "var/", "node_modules/", "bench/")
        if rel.startswith(skip) or "/migrations/" in rel or "/tests/" in rel:
            continue
        if rel == "assessments/workflow.py":
            continue
        pattern = local if rel.startswith(("assessments/", "evidence/")) else anywhere
        for lineno, line in enumerate(path.read_text(errors="replace").splitlines(), 1):
            # Copying the status back onto an in-memory object after `transition()` writes nothing.
            if pattern.search(line) and not re.search(r"\.status\s*=\s*locked\.status\b", line):
                offenders.append(f"{rel}:{lineno}: {line.strip()}")
    assert offenders == []
