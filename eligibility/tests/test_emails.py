"""E-mails of the eligibility gate (issue 16): each record tells the site team, the group's evaluation
also the independent reviewer who must check it, and the move to candidate the site team; each
person's in their language, through the outbox, in the transaction of what they announce."""

import pytest

from accounts.services import role_grant
from accounts.tests.factories import Role, make_user
from assessments.services import assessment_create
from assessments.workflow import transition
from core.errors import Conflict
from core.models import OutgoingEmail
from eligibility import emails, services
from standards.models import JurisdictionOnboarding
from standards.tests.factories import load_gls

pytestmark = pytest.mark.django_db


@pytest.fixture
def applicant(area, jurisdiction, site_manager):
    load_gls()
    return assessment_create(protected_area=area, user=site_manager, year=2026)


def _mails(kind):
    return list(OutgoingEmail.objects.filter(kind=kind).order_by("id"))


def test_each_record_tells_the_site_team_each_in_their_language(applicant, area, site_manager, expert, reviewer, staff):
    # given a second site manager who reads French
    french = make_user(Role.SITE_MANAGER, email="gerante@example.org", protected_area=area)
    french.language = "fr"
    french.save(update_fields=["language"])
    # when the group evaluates, the reviewer checks and staff move the site
    services.evaluation_record(assessment=applicant, by=expert, eligible=True, reasons="Category IV, zqREASONSzq.")
    services.check_record(assessment=applicant, by=reviewer, confirmed=True, reasons="Process followed.")
    transition(applicant, "candidate", by=staff)
    # then each record reached the team: one mail per language, with the verdict, the reasons and the page
    recorded = _mails(emails.RECORDED)
    assert [(m.to, m.subject.split(":")[0].strip()) for m in recorded] == [
        (["manager@example.org"], f"Eligibility of {area.name}"),
        (["gerante@example.org"], f"Éligibilité de {area.name}"),
    ] * 2
    english, french_mail = recorded[0], recorded[1]
    assert "found Phong Dien Test Reserve eligible" in english.body and "zqREASONSzq" in english.body
    assert f"/assessments/{applicant.pk}/eligibility/" in english.body
    # French puts a no-break space before the colon (core/templatetags/typography.py)
    assert "Reasons:" in english.body and "Motifs\u00a0:" in french_mail.body
    assert "confirmed the expert group's evaluation" in recorded[2].body
    # and the move to candidate told the team once, with the assessment's address
    candidate = _mails(emails.CANDIDATE)
    assert sorted(m.to[0] for m in candidate) == ["gerante@example.org", "manager@example.org"]
    assert "is a Green List Candidate" in candidate[0].subject
    assert applicant.get_absolute_url() in candidate[0].body
    # nobody outside the team heard of the record or the move
    everyone = {a for m in recorded + candidate for a in m.to}
    assert everyone == {"manager@example.org", "gerante@example.org"}


def test_the_evaluation_asks_the_appointed_reviewer_else_every_reviewer_never_the_evaluator(
    applicant, jurisdiction, expert, reviewer
):
    # given two independent reviewers, one of whom also evaluates as an expert of the group
    second = make_user(Role.INDEPENDENT_REVIEWER, email="second-reviewer@example.org")
    both = make_user(Role.EXPERT, email="both@example.org", jurisdiction=jurisdiction)
    role_grant(user=both, role=Role.INDEPENDENT_REVIEWER, granted_by=None)
    # when that person evaluates and no reviewer is appointed for the jurisdiction
    first = services.evaluation_record(assessment=applicant, by=both, eligible=False, reasons="Only a point.")
    # then every reviewer but the evaluator is asked to check
    asked = _mails(emails.CHECK_REQUESTED)
    assert sorted(a for m in asked for a in m.to) == ["reviewer@example.org", "second-reviewer@example.org"]
    assert "awaits your check" in asked[0].subject and "not eligible" in asked[0].body
    assert f"/assessments/{applicant.pk}/eligibility/" in asked[0].body
    # when the jurisdiction's onboarding names a reviewer on the platform, only they are asked
    JurisdictionOnboarding.objects.update_or_create(jurisdiction=jurisdiction, defaults={"reviewer": second})
    services.evaluation_record(assessment=applicant, by=expert, eligible=True, reasons="Boundary now filed.")
    newer = [m for m in _mails(emails.CHECK_REQUESTED) if m.dedupe_key.split(":")[1] != str(first.pk)]
    assert [m.to for m in newer] == [["second-reviewer@example.org"]]
    # a check or an override asks no reviewer
    services.check_record(assessment=applicant, by=second, confirmed=True, reasons="Fine.")
    assert len(_mails(emails.CHECK_REQUESTED)) == 2


def test_a_refused_record_or_move_sends_nothing(applicant, site_manager, staff):
    # given nothing recorded: the move is refused, and the check has nothing to check
    with pytest.raises(Conflict):
        transition(applicant, "candidate", by=staff)
    with pytest.raises(Conflict):
        services.check_record(
            assessment=applicant, by=make_user(Role.INDEPENDENT_REVIEWER), confirmed=True, reasons="r"
        )
    assert not OutgoingEmail.objects.filter(kind__startswith="eligibility.").exists()
    # an override tells the team, with the reason
    services.override_record(assessment=applicant, by=staff, reasons="Boundary filed with the ministry.")
    [mail] = _mails(emails.RECORDED)
    assert "override" in mail.subject and "Boundary filed with the ministry." in mail.body
    assert not _mails(emails.CHECK_REQUESTED)
