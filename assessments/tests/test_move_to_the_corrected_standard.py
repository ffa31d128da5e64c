"""Issue 14's "Done means": a running assessment made under the Standard as the platform shipped it
until December 2026 moves to the corrected version and keeps every answer whose indicator kept its
meaning (lineage); the report says which did not. The old file is kept under standards/tests/data."""

from pathlib import Path

import pytest

from assessments.models import Answer, ArchivedAnswer
from assessments.services import answer_save, assessment_create
from assessments.version_move import version_move
from assessments.workflow import transition
from eligibility.tests.factories import make_eligible
from standards.services import standard_load

pytestmark = pytest.mark.django_db

ROOT = Path(__file__).resolve().parents[2]
OLD = ROOT / "standards" / "tests" / "data" / "gls-v1.1-as-shipped-until-2026-12.yaml"
CORRECTED = ROOT / "standards" / "data" / "gls-v1.1.yaml"
# Old indicators whose meaning the corrected file does not keep (standards/data/gls-v1.1.yaml's lineage).
NO_SUCCESSOR = {
    "1.2.3",
    "2.1.1",
    "2.1.2",
    "2.1.3",
    "2.1.4",
    "2.2.1",
    "2.2.2",
    "2.4.3",
    "3.1.3",
    "3.1.4",
    "3.3.3",
    "3.6.3",
}


def test_answers_follow_their_meaning_into_the_corrected_standard(area, site_manager, staff):
    old = standard_load(OLD).standard
    assessment = assessment_create(protected_area=area, user=site_manager, year=2026)
    make_eligible(assessment, staff=staff)
    transition(assessment, "candidate", by=staff)
    for answer in Answer.objects.filter(assessment=assessment).select_related("indicator"):
        answer_save(
            answer=answer,
            user=site_manager,
            expected_version=answer.version,
            changes={"rating": "meets", "justification": f"Our answer to {answer.indicator.number}."},
        )
    assert assessment.standard_id == old.pk
    corrected = standard_load(CORRECTED).standard

    move = version_move(assessment, corrected, by=staff)

    answers = {a.indicator.number: a for a in Answer.objects.filter(assessment=assessment).select_related("indicator")}
    assert len(answers) == 50 and {a.indicator.standard_id for a in answers.values()} == {corrected.pk}
    carried = [line for line in move.report if line["outcome"] in ("carried", "carried_reworded")]
    dropped = {line["number_from"] for line in move.report if line["outcome"] == "dropped"}
    fresh = {line["number_to"] for line in move.report if line["outcome"] == "needs_answer"}
    # every answer whose indicator kept its meaning is there, word for word, under the new number
    assert len(carried) == 50 - len(NO_SUCCESSOR) == 38
    for line in carried:
        answer = answers[line["number_to"]]
        assert answer.justification == f"Our answer to {line['number_from']}." and answer.rating == "meets"
    assert answers["1.2.3"].justification == "Our answer to 1.2.2."  # the one meaning that moved number
    # the report names the rest: what was dropped (archived, not deleted) and what needs a new answer
    assert dropped == NO_SUCCESSOR
    archived = ArchivedAnswer.objects.filter(move=move)
    assert {a.number for a in archived} == NO_SUCCESSOR
    assert all(a.justification == f"Our answer to {a.number}." for a in archived)
    assert len(fresh) == 12 and {"1.1.6", "2.1.1", "2.1.2", "3.1.5", "3.1.6"} <= fresh
    assert all(answers[n].rating == "" and answers[n].justification == "" for n in fresh)
