"""The demo data set behind `make run`: a few public-domain protected areas and one login per role.

It lives in the project package because it drives every app's services (docs/architecture.md).

Idempotent: running it again finds everything in place and changes nothing.
"""

from __future__ import annotations

from pathlib import Path

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from accounts.choices import Role
from accounts.models import User
from accounts.services import role_grant

DEMO_PASSWORD = "greenlist-demo"  # noqa: S105 - printed by `make run`; refused in production
DEMO_AREAS_FILE = Path(__file__).resolve().parent / "demo_data" / "nps_parks_sample.geojson"
DEMO_SITE_KEY = "nps:YOSE"

# (e-mail, full name, role, scope)
DEMO_PEOPLE = [
    ("admin@demo.greenlist.test", "Ada Admin", Role.ADMINISTRATOR, None),
    ("staff@demo.greenlist.test", "Sam Staff (IUCN)", Role.IUCN_STAFF, None),
    ("manager@demo.greenlist.test", "Maya Manager", Role.SITE_MANAGER, "area"),
    ("expert@demo.greenlist.test", "Eli Expert", Role.EXPERT, "jurisdiction"),
    ("chair@demo.greenlist.test", "Chris Chair", Role.EXPERT, "chair"),
    ("reviewer@demo.greenlist.test", "Rita Reviewer", Role.INDEPENDENT_REVIEWER, None),
    ("keeper@demo.greenlist.test", "Kim Keeper (Standard Committee)", Role.STANDARD_COMMITTEE, None),
    # The IUCN Green List Panel, which decides (issue 16): its chair and two members.
    ("panel1@demo.greenlist.test", "Paloma Panel (chair)", Role.PANEL_CHAIR, None),
    ("panel2@demo.greenlist.test", "Pavel Panel", Role.PANEL_MEMBER, None),
    ("panel3@demo.greenlist.test", "Penny Panel", Role.PANEL_MEMBER, None),
]


def demo_logins() -> list[tuple[str, str]]:
    return [
        # The chair is an expert of the group who also leads it: named for what the login shows.
        (email, "EAGL chair (expert)" if scope == "chair" else str(role.label))
        for email, _n, role, scope in DEMO_PEOPLE
    ]


@transaction.atomic
def demo_load() -> dict:
    if getattr(settings, "PRODUCTION", False):
        raise RuntimeError("Demo data (with known passwords) is never loaded in production.")
    from protected_areas.models import ProtectedArea
    from protected_areas.services import import_protected_areas
    from standards.models import Jurisdiction

    summary = import_protected_areas(
        DEMO_AREAS_FILE,
        field_map={
            "key": "unit_code",
            "name": "unit_name",
            "designation_eng": "unit_type",
            "iso3": "iso3",
            "iucn_category": "iucn_cat",
        },
        source="nps",
    )
    site = ProtectedArea.objects.get(key=DEMO_SITE_KEY)
    jurisdiction, _ = Jurisdiction.objects.get_or_create(
        code="usa", defaults={"name": "United States of America", "countries": ["USA"]}
    )
    for email, name, role, scope in DEMO_PEOPLE:
        user = User.objects.filter(email=email).first()
        if user is None:
            user = User.objects.create_user(email, DEMO_PASSWORD, full_name=name)
        role_grant(
            user=user,
            role=role,
            granted_by=None,
            protected_area=site if scope == "area" else None,
            jurisdiction=jurisdiction if scope in {"jurisdiction", "chair"} else None,
            is_chair=scope == "chair",
        )
    people = {email: User.objects.get(email=email) for email, *_rest in DEMO_PEOPLE}
    scenario = _demo_scenario(people, jurisdiction)
    return {"areas": summary.as_dict(), "people": len(DEMO_PEOPLE), "assessments": scenario}


# --- a platform in use: one site filling its self-assessment, one under review, one on the Green List --------


def _demo_scenario(people: dict, jurisdiction) -> dict:
    """Three assessments built through the real services, once: re-running finds them and stops."""
    from assessments.models import Assessment
    from protected_areas.models import ProtectedArea

    sites = {key: ProtectedArea.objects.get(key=key) for key in ("nps:YOSE", "nps:YELL", "nps:GRCA")}
    if Assessment.objects.filter(protected_area__in=sites.values()).exists():
        return {"created": 0}
    admin = people["admin@demo.greenlist.test"]
    staff = people["staff@demo.greenlist.test"]
    manager = people["manager@demo.greenlist.test"]
    for key in ("nps:YELL", "nps:GRCA"):
        role_grant(user=manager, role=Role.SITE_MANAGER, granted_by=admin, protected_area=sites[key])

    # Yosemite: the site team is part-way through its self-assessment.
    _filled(sites["nps:YOSE"], manager, admin, answered=18)

    # Grand Canyon: submitted; the demo expert and reviewer are assigned and the review is open.
    # With photos (a place and a time each), a plan, and a question answered with the file it asked for.
    from .demo_evidence import add_demo_evidence, ask_and_answer

    canyon = _filled(sites["nps:GRCA"], manager, admin, answered=None, submit=True, evidence=add_demo_evidence)
    _assign_and_start(canyon, people, admin)
    ask_and_answer(canyon, people)

    # Yellowstone: reviewed, recommended, confirmed and granted Green List status.
    yellowstone = _filled(sites["nps:YELL"], manager, admin, answered=None, submit=True)
    _assign_and_start(yellowstone, people, admin)
    _review_to_recommendation(yellowstone, people)
    _panel_decides(yellowstone, people, staff)
    return {"created": 3}


def _panel_decides(assessment, people, staff) -> None:
    """The Green List Panel decides (issue 16): staff open the case, one member declares a conflict,
    the chair and the other member vote to grant with a condition, and the chair records it."""
    from certification import panel
    from certification.choices import PanelVoteChoice

    chair, member, conflicted = (people[f"panel{n}@demo.greenlist.test"] for n in (1, 2, 3))
    case = panel.panel_case_open(assessment=assessment, by=staff, members=[chair, member, conflicted])
    panel.panel_declare(
        case=case, by=conflicted, has_conflict=True, note="I advised the park on its bison management plan."
    )
    for person in (chair, member):
        panel.panel_declare(case=case, by=person, has_conflict=False)
        panel.panel_vote(
            case=case,
            by=person,
            choice=PanelVoteChoice.GRANT_WITH_CONDITIONS,
            reasons="All 17 criteria are met; the group's findings are consistent with the evidence.",
            conditions="Report on the winter-use monitoring programme within two years.",
        )
    panel.panel_case_close(
        case=case,
        by=chair,
        public_summary="Yellowstone meets the Green List Standard across governance, design, management and outcomes.",
        conditions="Report on the winter-use monitoring programme within two years.",
    )


_RATINGS = ["meets"] * 8 + ["partially_meets"]


def _eligible(assessment) -> None:
    """The eligibility gate (issue 16): the group's chair finds the site eligible, the reviewer confirms."""
    from accounts.models import User
    from eligibility.services import check_record, evaluation_record

    evaluation_record(
        assessment=assessment,
        by=User.objects.get(email="chair@demo.greenlist.test"),
        eligible=True,
        reasons="In the WDPA as a national park with a boundary; the site's answers to 2.1.1 and 2.1.2 hold.",
    )
    check_record(
        assessment=assessment,
        by=User.objects.get(email="reviewer@demo.greenlist.test"),
        confirmed=True,
        reasons="The group evaluated the site against the WDPA record and the site's own answers.",
    )


def _filled(area, manager, admin, *, answered: int | None, submit: bool = False, evidence=None):
    import datetime

    from assessments.choices import Status
    from assessments.models import Answer
    from assessments.services import answer_save, assessment_create
    from assessments.workflow import transition

    assessment = assessment_create(protected_area=area, user=manager, year=timezone.localdate().year)
    _eligible(assessment)
    transition(assessment, Status.CANDIDATE, by=admin, note="Eligible: clear boundary, legal designation, objectives.")
    answers = Answer.objects.filter(assessment=assessment).select_related("indicator").order_by("indicator__position")
    for i, answer in enumerate(answers[:answered] if answered else answers):
        rating = "meets" if submit else _RATINGS[i % len(_RATINGS)]
        changes = {
            "rating": rating,
            "justification": f"{area.name}: {answer.indicator.title.lower()} is documented in the management plan "
            "and the annual report; see the linked evidence.",
            "evidence_date": datetime.date(2026, 6, 30),
        }
        if rating == "partially_meets":
            changes.update(
                action_text="Complete the stakeholder consultation and publish its record.",
                action_owner="Park superintendent",
                action_due=timezone.localdate() + datetime.timedelta(days=120),
            )
        answer_save(answer=answer, user=manager, expected_version=answer.version, changes=changes)
    if evidence is not None:
        evidence(assessment, manager)
    if submit:
        transition(assessment, Status.SUBMITTED, by=manager, note="Self-assessment complete.")
    return assessment


def _assign_and_start(assessment, people, admin):
    import datetime

    from reviews import services as review
    from reviews.choices import AssignmentRole

    due = timezone.localdate() + datetime.timedelta(days=45)
    for email, role in (
        ("expert@demo.greenlist.test", AssignmentRole.EXPERT),
        ("chair@demo.greenlist.test", AssignmentRole.EXPERT),
        ("reviewer@demo.greenlist.test", AssignmentRole.INDEPENDENT_REVIEWER),
    ):
        seat = review.assignment_create(
            assessment=assessment, assignee=people[email], role=role, due_date=due, by=admin
        )
        review.conflict_declare(assignment=seat, by=people[email], has_conflict=False)
    review.review_start(assessment=assessment, by=admin)


def _review_to_recommendation(assessment, people):
    from assessments.models import Answer
    from reviews import services as review
    from reviews.choices import Outcome as ReviewOutcome

    expert, chair = people["expert@demo.greenlist.test"], people["chair@demo.greenlist.test"]
    for answer in Answer.objects.filter(assessment=assessment).select_related("indicator"):
        review.indicator_review_save(
            assessment=assessment,
            answer=answer,
            by=expert,
            rating="meets",
            finding="Evidence reviewed remotely; consistent with the site's account.",
            shared=True,
        )
        review.group_finding_save(
            assessment=assessment, answer=answer, by=chair, rating="meets", finding="The group agrees: met."
        )
    review.recommendation_make(
        assessment=assessment, by=chair, outcome=ReviewOutcome.RECOMMEND, reasons="Every criterion is met."
    )
    review.process_confirm(
        assessment=assessment,
        by=people["reviewer@demo.greenlist.test"],
        confirmed=True,
        note="Assignments, declarations and findings follow the process.",
    )
