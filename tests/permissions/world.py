"""One small "world" for the permission matrix, built only through the apps' services.

Two sites. The own site (`area`) has a certified first cycle and a second cycle under expert
review (assigned expert, conflicted expert, independent reviewer; evidence including an item for
the site team only; an expert's unshared draft; a question and the site's answer). The other site
has an assessment of its own being filled in. Every secret is a marker string (`MARKERS`) so the
matrix test can check response bodies, not only status codes.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from django.utils.text import slugify

from accounts.tests.factories import Role, make_user

# Marker -> the roles that may see it. Any other role finding it in a body is a leak.
SITE_TEAM_AND_REVIEWERS = {"manager", "expert_assigned", "reviewer", "staff", "admin"}
MARKERS: dict[str, set[str]] = {
    # the answers of the own site's assessment under review
    "zqOWNJUSTzq": SITE_TEAM_AND_REVIEWERS,
    # evidence the site shares with its reviewers
    "zqREVIEWEREVIDENCEzq": SITE_TEAM_AND_REVIEWERS,
    # evidence marked "site team only": hidden from experts and reviewers
    "zqSITETEAMONLYzq": {"manager", "staff", "admin"},
    # an expert's unshared draft review: its author only
    "zqDRAFTFINDINGzq": {"expert_assigned"},
    # a request for information and the site's reply
    "zqQUESTIONzq": SITE_TEAM_AND_REVIEWERS,
    "zqSITEREPLYzq": SITE_TEAM_AND_REVIEWERS,
    # the other site's assessment and evidence
    "zqOTHERJUSTzq": {"other_manager", "staff", "admin"},
    "zqOTHEREVIDENCEzq": {"other_manager", "staff", "admin"},
    # the own site's monitoring data (issue 18): its team, its reviewers free of conflict, staff
    "zqMONITORINGzq": SITE_TEAM_AND_REVIEWERS,
    # the internal reasons of a certification decision (the public summary is public)
    "zqINTERNALREASONSzq": {"staff", "admin"},
    # a draft of the Standard's next version: the keepers of the Standard only (issue 14)
    "zqDRAFTSTANDARDzq": {"staff"},
    # a draft adapted set of the own site's jurisdiction and a comment of its consultation: the
    # jurisdiction's expert group and the Standard Committee (`staff`) only (issue 14)
    "zqADAPTEDDRAFTzq": {"expert_assigned", "expert_unassigned", "expert_conflicted", "staff"},
    "zqCONSULTCOMMENTzq": {"expert_assigned", "expert_unassigned", "expert_conflicted", "staff"},
    # the notes of the own jurisdiction's onboarding record: its experts and staff (issue 16, hd)
    "zqONBOARDINGNOTEzq": {"expert_assigned", "expert_unassigned", "expert_conflicted", "staff", "admin"},
    # stakeholder consultation (issue 16, stakeholders.rules): a confirmed comment waiting for moderation is
    # the moderators' (staff) only; how the group considered an accepted one, the site team's and the group's
    # (the jurisdiction's experts free of conflict and the assigned reviewer). (A commenter's e-mail address is
    # nobody's: stakeholders/tests checks it, a marker here must show up for someone.)
    "zqPENDINGCOMMENTzq": {"staff", "admin"},
    "zqCONSIDEREDzq": {"manager", "expert_assigned", "expert_unassigned", "reviewer", "staff", "admin"},
    # the expert group's eligibility evaluation of the own site: its team, the jurisdiction's experts
    # free of conflict, the independent reviewer and staff (eligibility.rules, issue 16)
    "zqELIGIBILITYzq": {"manager", "expert_assigned", "expert_unassigned", "reviewer", "staff", "admin"},
    # --- issue 16: concerns (conc) --- a concern about the own site's listing: a received one is staff's
    # alone (zqCONCERNRECEIVEDzq); the admissible one's text is its site team's, its adviser's (`expert`) and
    # staff's; staff's triage reasons and the raiser's name are never the site team's nor the group's
    "zqCONCERNRECEIVEDzq": {"staff", "admin"},
    "zqCONCERNTEXTzq": {"manager", "expert_assigned", "staff", "admin"},
    "zqCONCERNTRIAGEzq": {"staff", "admin"},
    "zqRAISERNAMEzq": {"staff", "admin"},
    # the expert group's notes of a held site visit, not released to the site team (visits.rules, issue 16)
    "zqVISITNOTESzq": {"expert_assigned", "reviewer", "staff", "admin"},
    # --- issue 16: cond --- a condition on the own site's listing and its progress report: the site team,
    # staff and the Panel (the certified cycle's own expert and reviewer are not the matrix's roles)
    "zqCONDITIONzq": {"manager", "staff", "admin"},
    # --- issue 16: msite --- the connection statement of the own assessment's added site: whoever sees the
    # assessment, and (on the eligibility gate) the jurisdiction's experts free of conflict and the reviewer
    "zqCONNECTIONzq": {"manager", "expert_assigned", "expert_unassigned", "reviewer", "staff", "admin"},
}

ROLES = [
    "anonymous",
    "manager",
    "other_manager",
    "expert_assigned",
    "expert_unassigned",
    "expert_conflicted",
    "reviewer",
    "staff",
    "admin",
]


@dataclass
class World:
    users: dict[str, object] = field(default_factory=dict)  # role -> User (anonymous absent)
    ids: dict[str, object] = field(default_factory=dict)  # placeholder -> value for URL templates
    # Site names are public (the protected-area pages), but not on the rows of `names_private_on`
    # in matrix.yaml (lists of assessments, reviews, dashboards): there they are markers too.
    site_names: dict[str, set[str]] = field(default_factory=dict)


def _png(name: str):
    from reviews.tests.factories import PNG

    return SimpleUploadedFile(name, PNG, content_type="image/png")


def _fill(assessment, user, justification: str) -> None:
    from assessments.models import Answer
    from assessments.services import answer_save

    for answer in Answer.objects.filter(assessment=assessment).order_by("indicator__position"):
        answer_save(
            answer=answer,
            user=user,
            expected_version=answer.version,
            changes={"rating": "meets", "justification": f"{justification} for {answer.pk}."},
        )


def build_world(*, area, other_area, jurisdiction, site_manager, other_manager, expert, reviewer, staff, admin_user):
    from accounts.models import RoleAssignment
    from accounts.services import invitation_create, role_grant
    from assessments.models import Answer
    from assessments.services import assessment_create
    from assessments.workflow import transition
    from certification.services import certificate_render_pdf
    from certification.tests.factories import make_panel_member, panel_decide_for_tests
    from eligibility.tests.factories import make_eligible
    from evidence.pipeline import evidence_process
    from evidence.services import evidence_upload
    from reports.services import export_job_create, export_job_run
    from reviews import services as review
    from reviews.tests.factories import make_standard
    from reviews.tests.helpers import review_to_conclusion

    w = World()
    expert_unassigned = make_user(Role.EXPERT, email="unassigned-expert@example.org", jurisdiction=jurisdiction)
    expert_conflicted = make_user(Role.EXPERT, email="conflicted-expert@example.org", jurisdiction=jurisdiction)
    # Runs reviews, so `staff` stays free to decide (ISO 17065: a reviewer may not decide).
    review_staff = make_user(Role.IUCN_STAFF, email="review-staff@example.org")
    w.users = {
        "manager": site_manager,
        "other_manager": other_manager,
        "expert_assigned": expert,
        "expert_unassigned": expert_unassigned,
        "expert_conflicted": expert_conflicted,
        "reviewer": reviewer,
        "staff": staff,
        "admin": admin_user,
    }
    standard = make_standard(3)
    # The matrix's `staff` also sits on the Standard Committee (IUCN staff may hold that role), so the
    # Standard's authoring rows read: staff yes, everyone else (administrators included) no.
    role_grant(user=staff, role=Role.STANDARD_COMMITTEE, granted_by=None)

    # --- cycle 1 of the own site: reviewed and certified. Its expert and independent reviewer are
    # people of their own (not the matrix's roles), so cycle 1 stays hidden from `expert`/`reviewer`.
    first = assessment_create(protected_area=area, user=site_manager, year=2024)
    make_eligible(first, expert=expert_unassigned, reviewer=reviewer)
    transition(first, "candidate", by=review_staff)
    _fill(first, site_manager, "Cycle one")
    transition(first, "submitted", by=site_manager)
    review_to_conclusion(first, staff=review_staff)
    # The Green List Panel decides (issue 16): two members of their own vote, `staff` records it.
    panel_members = [make_panel_member(email="panel1@example.org"), make_panel_member(email="panel2@example.org")]
    decision = panel_decide_for_tests(
        assessment=first,
        user=staff,
        outcome="granted",
        reasons="zqINTERNALREASONSzq",
        public_summary="Well run.",
        members=panel_members,
    )
    certificate = decision.certificate
    # The PDF made in-process, as the worker does after the grant commits.
    certificate_render_pdf(certificate_id=certificate.pk)

    # --- cycle 2 of the own site: filled in with evidence, submitted, under review
    own = assessment_create(protected_area=area, user=site_manager, year=2026)
    # the eligibility gate (issue 16): the group's evaluation, with a marker, and the reviewer's check
    make_eligible(own, expert=expert_unassigned, reviewer=reviewer, reasons="zqELIGIBILITYzq eligible")
    transition(own, "candidate", by=review_staff)
    _fill(own, site_manager, "zqOWNJUSTzq")
    answers = list(Answer.objects.filter(assessment=own).select_related("indicator").order_by("indicator__position"))
    shared_item = evidence_upload(
        assessment=own,
        user=site_manager,
        file=_png("shared.png"),
        title="zqREVIEWEREVIDENCEzq survey photo",
        indicators=[answers[0].indicator],
    )
    team_item = evidence_upload(
        assessment=own,
        user=site_manager,
        file=_png("nest-locations.png"),
        title="zqSITETEAMONLYzq survey of nest locations",
        indicators=[answers[0].indicator],
        sensitivity="site_team",
    )
    transition(own, "submitted", by=site_manager)
    review.review_start(assessment=own, by=review_staff)
    due = timezone.localdate() + datetime.timedelta(days=30)
    seat_expert = review.assignment_create(
        assessment=own, assignee=expert, role="expert", due_date=due, by=review_staff
    )
    review.conflict_declare(assignment=seat_expert, by=expert, has_conflict=False)
    seat_conflicted = review.assignment_create(
        assessment=own, assignee=expert_conflicted, role="expert", due_date=due, by=review_staff
    )
    review.conflict_declare(assignment=seat_conflicted, by=expert_conflicted, has_conflict=True, note="I advise them.")
    seat_reviewer = review.assignment_create(
        assessment=own, assignee=reviewer, role="independent_reviewer", due_date=due, by=review_staff
    )
    review.conflict_declare(assignment=seat_reviewer, by=reviewer, has_conflict=False)
    review.indicator_review_save(
        assessment=own, answer=answers[0], by=expert, rating="meets", finding="zqDRAFTFINDINGzq", shared=False
    )
    question = review.information_request_create(
        assessment=own, answer=answers[1], by=expert, question="zqQUESTIONzq minutes, please?"
    )
    review.information_reply_create(request=question, by=site_manager, text="zqSITEREPLYzq attached above.")

    # --- the other site: an assessment being filled in, with evidence
    other = assessment_create(protected_area=other_area, user=other_manager, year=2026)
    make_eligible(other, staff=review_staff)
    transition(other, "candidate", by=review_staff)
    _fill(other, other_manager, "zqOTHERJUSTzq")
    other_answer, other_answer2 = Answer.objects.filter(assessment=other).order_by("indicator__position")[:2]
    other_item = evidence_upload(
        assessment=other,
        user=other_manager,
        file=_png("other.png"),
        title="zqOTHEREVIDENCEzq survey photo",
        indicators=[other_answer.indicator],
    )

    # Processing (hash, thumbnail, facts) run in-process, as the worker would.
    for item in (shared_item, team_item, other_item):
        evidence_process(item.pk)

    # --- jobs and invitations
    export = export_job_create(assessment=own, user=site_manager, fmt="csv")
    export_job_run(export.pk)
    other_export = export_job_create(assessment=other, user=other_manager, fmt="csv")
    export_job_run(other_export.pk)
    # Exports hold only what their requester may see: the matrix searches the files for markers.
    exports = {}
    for who, user in (("manager", site_manager), ("expert", expert), ("reviewer", reviewer)):
        for fmt in ("json", "xlsx"):
            job = export_job_create(assessment=own, user=user, fmt=fmt)
            export_job_run(job.pk)
            exports[f"{who}_{fmt}_job"] = job.pk
    from protected_areas.services import import_job_start

    import_job = import_job_start(
        user=staff,
        upload=SimpleUploadedFile("areas.geojson", b'{"type":"FeatureCollection","features":[]}'),
    )
    invitation, token = invitation_create(
        invited_by=staff, email="newcomer@example.org", role=Role.SITE_MANAGER, protected_area=area
    )
    team_seat = RoleAssignment.objects.active().get(user=site_manager, protected_area=area)
    expert_role = RoleAssignment.objects.active().get(user=expert, role=Role.EXPERT)
    from accounts.services import api_token_create

    expert_token, _key = api_token_create(user=expert, name="expert's script", otp_verified=False)

    w.site_names = {
        area.name: SITE_TEAM_AND_REVIEWERS | {"expert_conflicted"},  # who was assigned knows the site
        other_area.name: {"other_manager", "staff", "admin"},
    }
    w.ids = {
        "own_area": area.pk,
        "other_area": other_area.pk,
        "own_area_slug": slugify(area.name),
        "standard": standard.pk,
        "certified_assessment": first.pk,
        "own_assessment": own.pk,
        "other_assessment": other.pk,
        "own_answer": answers[0].pk,
        "own_answer2": answers[1].pk,
        "other_answer": other_answer.pk,
        "other_answer2": other_answer2.pk,
        "other_answer2_version": Answer.objects.get(pk=other_answer2.pk).version,
        "evidence_item": shared_item.pk,
        "team_evidence": team_item.pk,
        "other_evidence": other_item.pk,
        "assignment_expert": seat_expert.pk,
        "assignment_conflicted": seat_conflicted.pk,
        "assignment_reviewer": seat_reviewer.pk,
        "info_request": question.pk,
        "decision": decision.pk,
        "certificate": certificate.number,
        "export_job": export.pk,
        "other_export_job": other_export.pk,
        "import_job": import_job.pk,
        **exports,
        "invite_token": token,
        "team_seat": team_seat.pk,
        "invitation": invitation.pk,
        "expert_role": expert_role.pk,
        "expert_person": expert.pk,
        "manager_person": site_manager.pk,
        "jurisdiction": jurisdiction.pk,
        "expert_token": expert_token.pk,
        "missing": 999999,
    }
    # --- issue 14: the Standard's authoring (h3) ---
    # A draft made from `standard` by the Committee (`staff`): its rows are the keepers' only.
    from standards import authoring as h3_authoring

    h3_draft = h3_authoring.draft_create(source=standard, by=staff, version="h3-draft")
    h3_indicators = list(h3_draft.indicators.order_by("position"))
    w.ids.update(
        h3_draft=h3_draft.pk,
        h3_component=h3_draft.components.get().pk,
        h3_criterion=h3_indicators[0].criterion_id,
        h3_indicator=h3_indicators[0].pk,
        h3_published_indicator=standard.indicators.order_by("position").first().pk,
    )
    # --- issue 14: spreadsheets (h2) ---
    # Nothing of its own: the rows download and import `standard`, h3's draft and h4's adapted sets.
    # --- issue 14: adapted sets and consultation (h4) ---
    # A draft set of the own site's jurisdiction by its expert group, adapted, its consultation complete
    # (so that submitting it would succeed) with a comment and a document, all marked: its experts and
    # the Committee (`staff`) read them. And a set approved for a jurisdiction of no world site (so no
    # site's indicators change), which anyone logged in reads.
    from standards import adaptation as h4
    from standards.models import Jurisdiction

    h4_indicator = standard.indicators.order_by("position").first()
    h4_draft = h4.adapted_set_create(
        by=expert, standard=standard, jurisdiction=jurisdiction, title="zqADAPTEDDRAFTzq Viet Nam"
    )
    h4.adaptation_save(adapted_set=h4_draft, indicator=h4_indicator, by=expert, revision=1, data={"text": "Adapted"})
    h4_closed = timezone.localdate() - datetime.timedelta(days=1)
    h4_consulted = {
        "opened_on": h4_closed - datetime.timedelta(days=30),
        "closed_on": h4_closed,
        "who_was_consulted": "Communes",
        "method": "Workshops",
    }
    h4_handled = {"from_whom": "Council", "comment": "zqCONSULTCOMMENTzq", "response": "Done", "outcome": "accepted"}
    h4.consultation_save(adapted_set=h4_draft, by=expert, revision=h4_draft.revision, changes=h4_consulted)
    h4_comment = h4.comment_add(adapted_set=h4_draft, by=expert, data=h4_handled)
    h4_attachment = h4.attachment_add(adapted_set=h4_draft, by=expert, file=_png("workshop.png"), title="Workshop")
    h4_elsewhere = Jurisdiction.objects.create(code="h4-zz", name="Elsewhere", countries=["ZZZ"])
    h4_approved = h4.adapted_set_create(by=staff, standard=standard, jurisdiction=h4_elsewhere, title="Elsewhere")
    h4.adaptation_save(adapted_set=h4_approved, indicator=h4_indicator, by=staff, revision=1, data={"text": "Other"})
    h4.consultation_save(adapted_set=h4_approved, by=staff, revision=h4_approved.revision, changes=h4_consulted)
    h4.comment_add(adapted_set=h4_approved, by=staff, data={**h4_handled, "comment": "Fine"})
    h4.adapted_set_submit(adapted_set=h4_approved, by=staff)
    h4.adapted_set_approve(adapted_set=h4_approved, user=staff)
    w.ids.update(
        adapted_draft=h4_draft.pk,
        adapted_revision=h4_draft.revision,
        adapted_indicator=h4_indicator.pk,
        adapted_comment=h4_comment.pk,
        adapted_attachment=h4_attachment.pk,
        adapted_approved=h4_approved.pk,
        adapted_approved_revision=h4_approved.revision,
    )
    # --- issue 14: diff and translation state (h5) ---
    # A draft of the next version (the Committee's: `staff` holds that role) whose first indicator is
    # reworded in French with a marker only keepers may read, and a draft adapted set of the own
    # site's jurisdiction (its expert group and the Committee read it).
    from standards import adaptation, authoring

    h5_draft = authoring.draft_create(source=standard, by=staff, version="h5-draft")
    h5_first = h5_draft.indicators.order_by("position").first()
    authoring.indicator_update(
        indicator=h5_first, by=staff, revision=h5_draft.revision, texts={"fr": {"text": "zqDRAFTSTANDARDzq"}}
    )
    h5_set = adaptation.adapted_set_create(by=staff, standard=standard, jurisdiction=jurisdiction, title="Diff set")
    w.ids.update(h5_draft=h5_draft.pk, h5_set=f"set:{h5_set.pk}")
    # --- issue 14: moving an assessment to another version (h6) ---
    # A corrected version of the other site's Standard (every indicator keeps its meaning, one is reworded),
    # published EARLIER than any other version, so that the current version every other row relies on
    # stays the same; the other site's running assessment moved to it (its answers keep their ids) and
    # the rows move it back to `h6_from_standard`.
    from django.db.models import Min

    from assessments.version_move import version_move
    from standards.content import content_of, create_version
    from standards.models import Standard

    h6_from = other.standard
    corrected = content_of(h6_from)
    corrected["standard"]["version"] = f"{h6_from.version}-corr"
    corrected["components"][0]["criteria"][0]["indicators"][0]["text"] += " (corrected wording)"
    h6_standard = create_version(corrected, by=staff)
    earliest = Standard.objects.filter(code=h6_from.code).aggregate(m=Min("published_at"))["m"]
    Standard.objects.filter(pk=h6_standard.pk).update(published_at=earliest - datetime.timedelta(days=1))
    h6_move = version_move(other, h6_standard, by=staff)
    w.ids.update(h6_from_standard=h6_from.pk, h6_standard=h6_standard.pk, h6_move=h6_move.pk)
    # A move counts as a change of every answer it carries (a page loaded before it must reload).
    w.ids["other_answer2_version"] = Answer.objects.get(pk=other_answer2.pk).version
    # --- issue 16: the Green List Panel (hf) ---
    # The decided case of cycle 1 (its votes' reasons carry zqINTERNALREASONSzq: staff only), and a
    # Panel member for the rows that name the members of a new case.
    w.ids.update(panel_case=decision.panel_case.pk, panel_member=panel_members[0].pk)
    # --- issue 16: stakeholder consultation (hg) ---
    # A candidate-phase window on the own site's assessment under review, open today: one comment accepted
    # and considered by the assigned expert (so the group's recommendation rows are unchanged), one
    # confirmed and waiting for moderation. Each build mails from new addresses: the per-address rate
    # limit lives in Redis, which no test's rollback resets.
    import time
    import uuid

    from stakeholders import guard as consult_guard
    from stakeholders import services as consult

    today = timezone.localdate()
    consult_window = consult.window_open(
        area=area, phase="candidate", opens_on=today, closes_on=today + datetime.timedelta(days=30), by=staff
    )
    stamp = consult_guard.form_stamp(now=time.time() - 60)
    sender = uuid.uuid4().hex[:12]
    consult_accepted = consult.comment_submit(
        window=consult_window,
        text="River bank below ranger post eroding.",
        email=f"commenter.{sender}.a@example.org",
        name="Hidden Name",
        show_name=False,
        stamp=stamp,
    )
    consult.comment_confirm(token=consult.confirm_token(consult_accepted))
    consult.comment_moderate(comment=consult_accepted, by=staff, accept=True)
    consult.consideration_record(
        comment=consult_accepted, by=expert, text="zqCONSIDEREDzq under 2.3.1.", jurisdiction_id=jurisdiction.pk
    )
    consult_pending = consult.comment_submit(
        window=consult_window,
        text="zqPENDINGCOMMENTzq fishing in core zone.",
        email=f"commenter.{sender}.b@example.org",
        stamp=stamp,
    )
    consult.comment_confirm(token=consult.confirm_token(consult_pending))
    w.ids.update(
        consult_window=consult_window.pk, consult_accepted=consult_accepted.pk, consult_pending=consult_pending.pk
    )

    # --- issue 16: site visits (hh) ---
    # The own site's assessment under review: a visit held today with the group's notes (not released)
    # and a photo linked to the first indicator, and one planned for next week.
    from visits import services as visits

    visit_day = timezone.localdate()
    held_visit = visits.visit_plan(assessment=own, by=review_staff, planned_from=visit_day, participants=[expert])
    visits.visit_record_held(visit=held_visit, by=expert, held_from=visit_day, notes="zqVISITNOTESzq fences down")
    visit_photo = visits.visit_evidence_add(
        visit=held_visit, by=expert, file=_png("visit.png"), title="Ranger post", indicators=[answers[0].indicator]
    )
    evidence_process(visit_photo.pk)
    planned_visit = visits.visit_plan(
        assessment=own, by=review_staff, planned_from=visit_day + datetime.timedelta(days=7), agenda="Boundary walk"
    )
    w.ids.update(held_visit=held_visit.pk, planned_visit=planned_visit.pk)
    # --- issue 16: reviews of a listed site (lrev) ---
    # Beat opens, on their days, the cycle-1 certificate's mid-term review (awaiting the site's update) and its
    # renewal review, which links cycle 2 (the site had started it already).
    from listing_reviews import services as listing_reviews

    listing_reviews.midterm_reviews_open(today=listing_reviews.midterm_due_on(certificate))
    listing_reviews.renewal_reviews_open(today=listing_reviews.renewal_due_on(certificate))
    w.ids.update(midterm_review=certificate.midterm_review.pk, renewal_review=certificate.renewal_review.pk)
    # --- issue 16: concerns (conc) ---
    # About cycle 1's listing: one received (waiting for triage), one admissible with `expert` named to
    # advise and a photo attached; a third one's private link (the raiser's page).
    from concerns import services as concern_services
    from concerns.tests.factories import png as concern_png

    concern_received = concern_services.concern_confirm(
        concern=concern_services.concern_submit(
            area=area, text="zqCONCERNRECEIVEDzq dumping", email=f"raiser.{sender}.1@example.org", stamp=stamp
        )
    )
    concern_admissible = concern_services.concern_confirm(
        concern=concern_services.concern_submit(
            area=area,
            text="zqCONCERNTEXTzq logging",
            email=f"raiser.{sender}.2@example.org",
            name="zqRAISERNAMEzq",
            files=[concern_png("concern.png")],
            stamp=stamp,
        )
    )
    concern_services.concern_triage(
        concern=concern_admissible, by=staff, admissible=True, reason="zqCONCERNTRIAGEzq", advisers=[expert]
    )
    w.ids.update(
        concern_received=concern_received.pk,
        concern_admissible=concern_admissible.pk,
        concern_file=concern_admissible.attachments.get().pk,
        # The raiser's page shows what they wrote to whoever holds the link: a concern without a marker.
        concern_track=concern_services.private_token(
            concern_services.concern_submit(
                area=area, text="Fence cut", email=f"raiser.{sender}.3@example.org", stamp=stamp
            )
        ),
    )
    # --- issue 16: jurisdictions' onboarding (hd) ---
    # The own jurisdiction's record, its notes marked: its experts and staff read it.
    from standards.onboarding import onboarding_update

    onboarding_update(jurisdiction=jurisdiction, by=staff, changes={"notes": "zqONBOARDINGNOTEzq"})
    # --- issue 16: cond ---
    # A condition on cycle 1's listing, checked by the secretariat, with the site team's progress report.
    from certification import conditions as listing_conditions

    condition = listing_conditions.condition_add(
        certificate=certificate,
        text="zqCONDITIONzq ranger patrol plan published",
        due_on=timezone.localdate() + datetime.timedelta(days=60),
        checked_by="secretariat",
        by=staff,
        origin="panel",
    )
    listing_conditions.condition_report_progress(condition=condition, by=site_manager, text="Draft written.")
    w.ids.update(condition=condition.pk)
    # --- issue 16: multi-site applications (msite) ---
    # A connected site of the own site's assessment under review, as added in its application phase (set
    # directly: the world's assessment is past that phase; assessments/tests/test_sites.py tests adding).
    from assessments.models import AssessmentSite
    from protected_areas.tests.factories import ProtectedAreaFactory

    msite_area = ProtectedAreaFactory(name="Connected Test Park", governance_type="Collaborative governance")
    msite_site = AssessmentSite.objects.create(
        assessment=own,
        protected_area=msite_area,
        connection="zqCONNECTIONzq river corridor",
        shared_values="Saola habitat",
        added_by=site_manager,
    )
    w.ids.update(msite_area=msite_area.pk, msite_site=msite_site.pk)
    # --- issue 17: resumable uploads (lane a, tus) ---
    # The site manager's unfinished upload to the own assessment (now under review, so frozen: the
    # manager's further bytes are refused with 409); nobody else may know of it.
    from evidence.models import ResumableUpload
    from evidence.resumable import expiry_from_now

    tus_upload = ResumableUpload.objects.create(
        assessment=own, owner=site_manager, length=1000, offset=400, expires_at=expiry_from_now()
    )
    w.ids.update(tus_upload=tus_upload.pk)
    # --- issue 18: outcome page and links to the Standard (lane e) ---
    # A ready forest-loss dataset of the own site, linked to an indicator (set directly: the world's
    # Standard has no component 4; monitoring/tests/test_outcomes.py links through the page).
    from monitoring.models import MonitoringDataset as OutcomeDataset
    from monitoring.models import MonitoringIndicatorLink
    from standards.models import Indicator

    outcome_dataset = OutcomeDataset.objects.create(
        area=area, kind="forest", title="Pérdida forestal", status="ready", created_by=site_manager
    )
    mon_link = MonitoringIndicatorLink.objects.create(
        dataset=outcome_dataset, indicator=Indicator.objects.order_by("-id").first(), created_by=site_manager
    )
    w.ids.update(outcome_dataset=outcome_dataset.pk, mon_link=mon_link.pk)
    # --- issue 20: the staff system page (lane g) ---
    # A failed export job and a failed evidence item of the other site (an executable, rejected by the
    # pipeline run in-process), for the system page's retry buttons.
    from core.models import Job
    from evidence.services import evidence_upload as ops_upload

    ops_failed_job = Job.objects.create(
        kind="reports.export", created_by=staff, params={"assessment": other.pk}, status="failed", error="Falló."
    )
    ops_failed_evidence = ops_upload(
        assessment=other,
        user=other_manager,
        file=SimpleUploadedFile("programa.exe", b"MZ" + b"\0" * 200),
        title="Programa",
    )
    evidence_process(ops_failed_evidence.pk)
    w.ids.update(ops_failed_job=ops_failed_job.pk, ops_failed_evidence=ops_failed_evidence.pk)
    # --- issue 18: monitoring series (lane d) ---
    # The own site's monitoring datasets: one ready with a value, one a worker is reading (so processing
    # it again is refused with 409). Set directly: monitoring/tests cover adding and processing.
    from monitoring.models import MonitoringDataset, MonitoringValue

    mon_ready = MonitoringDataset.objects.create(
        area=area, kind="camtrap", title="zqMONITORINGzq cámaras", status="ready", created_by=site_manager
    )
    MonitoringValue.objects.create(
        dataset=mon_ready,
        metric="detection_rate",
        taxon="Saola",
        period="2025",
        period_start=datetime.date(2025, 1, 1),
        value=2.5,
        effort=400,
        effort_unit="trap-nights",
    )
    mon_busy = MonitoringDataset.objects.create(
        area=area, kind="acoustic", title="zqMONITORINGzq sonidos", status="processing", created_by=site_manager
    )
    # One whose reading failed: the outcome page's "Process again" (issue 19, lane F).
    mon_failed = MonitoringDataset.objects.create(
        area=area, kind="camtrap", title="zqMONITORINGzq fallido", status="failed", created_by=site_manager
    )
    w.ids.update(mon_ready=mon_ready.pk, mon_busy=mon_busy.pk, mon_failed=mon_failed.pk)
    # --- issue 20: personal data (lane h) ---
    # The expert's own download of their data, built as the worker builds it (the file is real).
    from accounts.models import DataExport
    from accounts.personal_data import export_build

    expert_export = export_build(DataExport.objects.create(user=expert).pk)
    w.ids.update(expert_export=expert_export.pk)
    return w
