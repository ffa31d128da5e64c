"""Journey 4: the Green List's own governance, on one site, in Chromium (issue 16's "Done means").

An anonymous visitor comments on a candidate and a moderator accepts it; the expert group records
how it considered the comment before it recommends; the Green List Panel (three members, one
excluded automatically for a conflict of interest) decides with conditions; the Protected Planet
CSV lists the site with its expiry date. Later a member of the public raises a concern that leads,
through triage and the site's answer, to a Panel suspension and then to reinstatement; and the
mid-term review opens by beat on the right day (time travel: the beat task is run with a given day).

What is typed and clicked in the browser is marked "UI:", what is set up through the services the
pages call is marked "services:". People on phones use French or Spanish, at 390 px.
Screenshots go to var/screenshots/governance-*.png (or $GREENLIST_SHOTS).
"""

from __future__ import annotations

import csv
import datetime
import io
import os
import re
from pathlib import Path

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from accounts.tests.factories import Role, make_user
from conftest import browser_login

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SHOTS = Path(os.environ.get("GREENLIST_SHOTS") or Path(__file__).resolve().parents[2] / "var" / "screenshots")
PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1366, "height": 900}


def person(browser, live_server, user=None, *, phone=False, language="en"):
    """A browser of one's own (a context per person), logged in unless anonymous."""
    context = browser.new_context(base_url=live_server.url, viewport=PHONE if phone else DESKTOP)
    page = context.new_page()
    if user is not None:
        browser_login(page, user.email)  # the login form is read in English; the chosen language after
    context.add_cookies([{"name": "django_language", "value": language, "url": live_server.url}])
    return page


def shot(page, name: str) -> None:
    text = page.locator("body").inner_text()
    assert not any(tag in text for tag in ("{#", "{%", "{{")), f"template syntax shown on {page.url}"
    if page.viewport_size["width"] == PHONE["width"]:
        assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"], f"overflow on {page.url}"
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"governance-{name}.png"), full_page=True)


def link_from_outbox(kind: str, to: str, pattern: str) -> str:
    from core.models import OutgoingEmail

    mail = OutgoingEmail.objects.filter(kind=kind, to=[to]).latest("pk")
    return re.search(rf"https?://[^/\s]+({pattern}\S*)", mail.body).group(1)


@pytest.fixture
def fast_forms(monkeypatch):
    """The public forms refuse anything filled in faster than a person could: shortened here."""
    from stakeholders import guard

    monkeypatch.setattr(guard, "MIN_FILL_SECONDS", 1)


@pytest.fixture(autouse=True)
def _forget_public_form_rates():
    """The public forms' rate limits live in Redis: this test starts and ends with a clean record."""
    import redis
    from django.conf import settings

    client = redis.Redis.from_url(settings.REDIS_URL)
    for pattern in ("*comment-rate:*", "*concern-rate:*"):
        for key in client.scan_iter(match=pattern, count=500):
            client.delete(key)
    yield


def test_journey_4_the_green_list_governance(browser, live_server, area, site_manager, staff, jurisdiction, fast_forms):
    from assessments.models import Assessment
    from certification.models import Certificate
    from certification.tests.factories import make_panel_member
    from reviews import services as review
    from reviews.tests.factories import answers_of, submitted_assessment
    from stakeholders import services as consultation
    from stakeholders.models import Comment

    # services: a candidate, filled in with evidence and submitted; the review runs with an expert and
    # the independent reviewer, free of conflict; staff (the secretariat) open a comment window
    run_by = make_user(Role.IUCN_STAFF, email="review-lead@example.org")  # ran the review: may not decide
    expert = make_user(Role.EXPERT, email="eagl@example.org", jurisdiction=jurisdiction)
    reviewer = make_user(Role.INDEPENDENT_REVIEWER, email="ivy@example.org")
    assessment = submitted_assessment(area=area, manager=site_manager, staff=run_by, n_indicators=3)
    review.review_start(assessment=assessment, by=run_by)
    due = timezone.localdate() + datetime.timedelta(days=30)
    for someone, role in ((expert, "expert"), (reviewer, "independent_reviewer")):
        seat = review.assignment_create(assessment=assessment, assignee=someone, role=role, due_date=due, by=run_by)
        review.conflict_declare(assignment=seat, by=someone, has_conflict=False)
    for answer in answers_of(assessment):
        review.indicator_review_save(assessment=assessment, answer=answer, by=expert, rating="meets", shared=True)
        review.group_finding_save(assessment=assessment, answer=answer, by=expert, rating="meets", finding="Met.")
    today = timezone.localdate()
    window = consultation.window_open(
        area=area, phase="candidate", opens_on=today, closes_on=today + datetime.timedelta(days=14), by=staff
    )

    # --- 1. an anonymous visitor comments on the candidate (a phone, in French) -----------------
    visitor = person(browser, live_server, phone=True, language="fr")
    visitor.goto(f"/areas/{area.pk}/")
    visitor.locator("#consultation-link").click()
    form = visitor.locator(f"#comment-form-{window.pk}")
    form.locator("textarea[name=text]").fill("Les pêcheurs du village n'ont pas été consultés sur le zonage.")
    form.locator("input[name=email]").fill("ana@example.org")
    visitor.wait_for_timeout(1100)
    form.locator("button[type=submit]").click()
    expect(visitor.locator("#comment-sent")).to_be_visible()
    visitor.goto(link_from_outbox(consultation.CONFIRM_EMAIL, "ana@example.org", "/sites/comments/confirm/"))
    visitor.locator("#confirm-button").click()
    expect(visitor.locator("#comment-confirmed")).to_be_visible()
    comment = Comment.objects.get(window=window)

    # UI: a moderator (IUCN staff) accepts it; the public page shows it, without the address
    moderator = person(browser, live_server, staff)
    moderator.goto("/consultations/")
    moderator.locator(f"#queued-{comment.pk} button[value=accept]").click()
    expect(moderator.locator(f"#queued-{comment.pk}")).to_have_count(0)
    visitor.goto(f"/sites/{area.pk}/comments/")
    expect(visitor.locator("#public-comments")).to_contain_text("pas été consultés sur le zonage")
    expect(visitor.locator("body")).not_to_contain_text("ana@example.org")
    shot(visitor, "1-comment-published-390-fr")

    # UI: the expert group cannot recommend before it says how the comment was considered; then it does
    eagl = person(browser, live_server, expert)
    eagl.goto(f"/reviews/assessments/{assessment.pk}/")
    eagl.get_by_label("Recommend for the Green List").check()
    eagl.locator("#reasons").fill("All indicators are met.")
    eagl.get_by_role("button", name="Record recommendation").click()
    # refused: the accepted comment is not considered yet, and the page says so
    expect(eagl.locator("body")).to_contain_text("Record how each accepted stakeholder comment was considered")
    assert Assessment.objects.get(pk=assessment.pk).status != "recommended"
    eagl.goto(f"/consultations/{window.pk}/")
    eagl.locator(f"#consider-text-{comment.pk}").fill("Zoning meeting held with the fishers; minutes filed.")
    eagl.locator(f"#consider-{comment.pk} button[type=submit]").click()
    expect(eagl.locator(f"#consideration-{comment.pk}")).to_contain_text("Zoning meeting held")
    eagl.goto(f"/reviews/assessments/{assessment.pk}/")
    eagl.get_by_label("Recommend for the Green List").check()
    eagl.locator("#reasons").fill("All indicators are met; the fishers' comment was answered by the zoning meeting.")
    eagl.get_by_role("button", name="Record recommendation").click()
    expect(eagl.locator(".message")).to_contain_text("Recommendation recorded")
    shot(eagl, "1-recommended-after-consideration")
    eagl.context.close()
    review.process_confirm(assessment=assessment, by=reviewer, confirmed=True)  # services: the reviewer confirms
    assert Assessment.objects.get(pk=assessment.pk).status == "recommended"

    # --- 2. the Green List Panel decides with conditions; one member is excluded automatically ---
    type(area).objects.filter(pk=area.pk).update(management_authority="Coastal Parks Agency")
    chair = make_panel_member(email="chair@panel.test", chair=True, full_name="Paloma Chair")
    member = make_panel_member(email="member@panel.test", full_name="Pavel Member")
    conflicted = make_panel_member(
        email="conflicted@panel.test", full_name="Penny Conflicted", organisation="Coastal Parks Agency"
    )
    moderator.goto("/certification/")
    moderator.get_by_role("link", name=f"Open a Panel case — {area.name}").click()
    for someone in (chair, member, conflicted):
        moderator.get_by_label(someone.full_name).check()
    moderator.get_by_role("button", name="Open the case and e-mail the members").click()
    expect(moderator.locator("#case-status")).to_have_text("Open")
    case_url = moderator.url

    # UI: the conflicted member (they work for the site's managing authority) cannot vote or see votes
    out = person(browser, live_server, conflicted, phone=True, language="es")
    out.goto(case_url)
    expect(out.locator("#tally")).to_have_count(0)
    expect(out.locator("form[action$='/vote/']")).to_have_count(0)
    shot(out, "2-panel-conflicted-390-es")
    out.context.close()

    # UI: the two others declare no conflict and vote to grant with conditions (one on a phone, in French)
    for someone, phone in ((member, True), (chair, False)):
        voter = person(browser, live_server, someone, phone=phone, language="fr" if phone else "en")
        voter.goto(case_url)
        voter.locator('input[name="has_conflict"][value="no"]').check()
        voter.locator("form[action$='/declare/'] button").click()
        voter.locator('input[name="choice"][value="grant_with_conditions"]').check()
        voter.locator("form[action$='/vote/'] textarea[name='reasons']").fill("Criteria met; recommendation confirmed.")
        voter.locator("form[action$='/vote/'] textarea[name='conditions']").fill("Publish the fishers' zoning map.")
        voter.locator("form[action$='/vote/'] button").click()
        expect(voter.locator("#tally")).to_contain_text("Criteria met")
        if phone:
            shot(voter, "2-panel-vote-390-fr")
            voter.context.close()
    chair_page = voter
    chair_page.get_by_label("Public summary (shown on the Green List page)").fill("Strong governance and outcomes.")
    record_conditions_at_close(chair_page)
    chair_page.get_by_role("button", name="Record the Panel's decision").click()
    expect(chair_page.locator("#case-status")).to_have_text("Decided")
    shot(chair_page, "2-panel-decided")
    decision = Assessment.objects.get(pk=assessment.pk).decision
    assert decision.decided_by == chair and decision.outcome == "granted"
    assert decision.panel_case.seats.get(user=conflicted).coi_status == "conflict"
    certificate = Certificate.objects.get(decision=decision)
    check_structured_conditions(certificate)

    # --- 3. Protected Planet's CSV lists the site with its expiry date --------------------------
    feed = person(browser, live_server)
    answer = feed.request.get("/green-list.csv")
    assert answer.status == 200 and answer.headers["content-type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(answer.text())))
    assert list(rows[0]) == ["site_id", "status", "expiry_date", "url"]
    ours = [row for row in rows if row["site_id"] == str(area.wdpa_id)]
    assert ours == [
        {
            "site_id": str(area.wdpa_id),
            "status": "Green Listed",
            "expiry_date": certificate.expires_on.isoformat(),
            "url": ours[0]["url"],
        }
    ]
    assert ours[0]["url"].endswith(f"/green-list/{area.pk}/") or f"/green-list/{area.pk}/" in ours[0]["url"]
    feed.context.close()

    concern_to_suspension_and_reinstatement(browser, live_server, area, certificate, staff, site_manager, chair)
    midterm_opens_by_beat(browser, live_server, certificate, site_manager)


def record_conditions_at_close(chair_page) -> None:
    """UI: the chair turns the members' proposed condition into a structured item (what, by when,
    who checks) and adds a second one."""
    due = timezone.localdate() + datetime.timedelta(days=180)
    expect(chair_page.locator("#id_cond-0-text")).to_have_value("Publish the fishers' zoning map.")
    chair_page.locator("#id_cond-0-due_on").fill(due.isoformat())
    chair_page.locator("#id_cond-0-checked_by").select_option("expert_group")
    chair_page.locator("#id_cond-1-text").fill("Report the patrol data of the no-take zone.")
    chair_page.locator("#id_cond-1-due_on").fill((due + datetime.timedelta(days=180)).isoformat())
    chair_page.locator("#id_cond-1-checked_by").select_option("secretariat")


def check_structured_conditions(certificate) -> None:
    from certification.conditions import conditions_for

    rows = [(c.text, c.checked_by, c.status) for c in conditions_for(certificate)]
    assert rows == [
        ("Publish the fishers' zoning map.", "expert_group", "open"),
        ("Report the patrol data of the no-take zone.", "secretariat", "open"),
    ]


def concern_to_suspension_and_reinstatement(browser, live_server, area, certificate, staff, site_manager, chair):
    """Later: an anonymous concern, triaged admissible, answered by the site, advised on by the group,
    leads to the Panel's suspension of the certificate and then to its reinstatement."""
    from accounts.models import User
    from certification.models import Certificate
    from concerns.models import Concern

    # UI: a visitor on a phone, in Spanish, raises a concern from the listed site's public page
    visitor = person(browser, live_server, phone=True, language="es")
    visitor.goto(f"/areas/{area.pk}/")
    visitor.locator("#concern-link").click()
    visitor.locator("#concern-text").fill("Redes de arrastre dentro de la zona de no captura desde enero.")
    visitor.locator("#concern-email").fill("raul@example.org")
    visitor.wait_for_timeout(1100)
    visitor.locator("#concern-form button[type=submit]").click()
    expect(visitor.locator("#concern-sent")).to_be_visible()
    track = link_from_outbox("concerns.private_link", "raul@example.org", "/concerns/track/")
    visitor.goto(track)
    visitor.locator("#confirm-concern").click()
    expect(visitor.locator("#concern-steps")).to_be_visible()
    concern = Concern.objects.get(protected_area=area)

    # UI: staff triage it admissible and ask the expert who reviewed the listed cycle to advise
    expert = User.objects.get(email="eagl@example.org")
    secretariat = person(browser, live_server, staff)
    secretariat.goto("/concerns/")
    secretariat.locator("#triage-queue a").first.click()
    secretariat.locator("input[name=decision][value=admissible]").check()
    secretariat.locator("#triage-reason").fill("Precise report, with places and dates.")
    secretariat.locator("#triage-advisers").select_option([str(expert.pk)])
    secretariat.locator("#triage-form button[type=submit]").click()
    expect(secretariat.locator("#concern-status")).to_have_attribute("data-status", "admissible")

    # UI: the site team answers (a phone, in French); the expert advises
    team = person(browser, live_server, site_manager, phone=True, language="fr")
    team.goto(f"/concerns/{concern.pk}/")
    expect(team.locator("body")).not_to_contain_text("raul@example.org")
    team.locator("#answer-text").fill("Deux chalutiers verbalisés en février ; les patrouilles sont renforcées.")
    team.locator("#answer-form button[type=submit]").click()
    expect(team.locator("#site-answer")).to_be_visible()
    shot(team, "3-concern-answered-390-fr")
    eagl = person(browser, live_server, expert)
    eagl.goto(f"/concerns/{concern.pk}/")
    eagl.locator("#advice-text").fill("Suspend until the patrol records show the trawling has stopped.")
    eagl.locator("#advice-form button[type=submit]").click()
    expect(eagl.locator("#group-advice")).to_be_visible()
    eagl.context.close()

    # UI: the Panel's chair records the Panel's suspension; the public verification page says so
    others = list(User.objects.filter(email__in=["member@panel.test"]))
    panel = person(browser, live_server, chair)
    panel.goto(f"/concerns/{concern.pk}/")
    panel.locator("#outcome-kind").select_option("suspension")
    for m in others:
        panel.locator(f"#member-{m.pk}").check()
    panel.locator("#outcome-reasons").fill("Direct threat to the site's major values.")
    panel.locator("#outcome-summary").fill("Certificate suspended until the trawling has demonstrably stopped.")
    panel.locator("#outcome-form button[type=submit]").click()
    expect(panel.locator("#concern-status")).to_have_attribute("data-status", "decided")
    assert Certificate.objects.get(pk=certificate.pk).status == "suspended"
    public = person(browser, live_server)
    public.goto(f"/verify/{certificate.number}/")
    expect(public.locator(".verdict-word")).not_to_have_text("VALID")
    expect(public.locator("body")).to_contain_text("uspended")
    shot(public, "3-verify-suspended")

    # UI: later the Panel reinstates it; the certificate is valid again
    panel.locator("#outcome-kind").select_option("reinstatement")
    for m in others:
        panel.locator(f"#member-{m.pk}").check()
    panel.locator("#outcome-reasons").fill("Patrol records for three months show no trawling.")
    panel.locator("#outcome-summary").fill("Certificate reinstated.")
    panel.locator("#outcome-form button[type=submit]").click()
    expect(panel.locator(".outcome")).to_have_count(2)
    shot(panel, "3-concern-decided")
    assert Certificate.objects.get(pk=certificate.pk).status == "active"
    public.goto(f"/verify/{certificate.number}/")
    expect(public.locator(".verdict-word")).to_have_text("VALID")

    # UI: the raiser's private page shows the steps and the Panel's public summaries, nothing internal
    visitor.goto(track)
    expect(visitor.locator("#concern-outcomes")).to_contain_text("Certificate suspended until")
    expect(visitor.locator("#concern-outcomes")).to_contain_text("Certificate reinstated.")
    expect(visitor.locator("body")).not_to_contain_text("Direct threat")
    expect(visitor.locator("body")).not_to_contain_text("chalutiers")
    shot(visitor, "3-concern-track-390-es")
    for page in (visitor, secretariat, team, panel, public):
        page.context.close()


def midterm_opens_by_beat(browser, live_server, certificate, site_manager):
    """The mid-term review opens by beat on its day and not the day before (time travel: beat's task
    is run for a given day), and the site team finds it from the certificate page."""
    from listing_reviews import services
    from listing_reviews.models import MidtermReview
    from listing_reviews.tasks import open_due_reviews

    due = services.midterm_due_on(certificate)
    span = certificate.expires_on - certificate.granted_on
    assert abs((due - certificate.granted_on) - span / 2) <= datetime.timedelta(days=1)  # half-way, by default
    assert open_due_reviews(today=(due - datetime.timedelta(days=1)).isoformat())["midterm_opened"] == 0
    assert not MidtermReview.objects.filter(certificate=certificate).exists()
    assert open_due_reviews(today=due.isoformat())["midterm_opened"] == 1
    assert open_due_reviews(today=due.isoformat())["midterm_opened"] == 0  # once
    review = MidtermReview.objects.get(certificate=certificate)
    team = person(browser, live_server, site_manager, phone=True, language="es")
    team.goto(certificate.get_absolute_url())
    team.locator("#midterm-link").click()
    expect(team).to_have_url(f"{live_server.url}/listing-reviews/midterm/{review.pk}/")
    expect(team.locator("#midterm-status")).to_have_attribute("data-status", "opened")
    shot(team, "4-midterm-opened-390-es")
    team.context.close()
