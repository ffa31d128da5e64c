"""The three journeys of the platform, end to end in Chromium (Playwright, Debian's /usr/bin/chromium).

1. A site manager files a full self-assessment (the whole Green List Standard) with evidence and submits.
2. An expert reviews it remotely (declares no conflict, rates every indicator, asks the site a
   question and sees its answer) and recommends; the independent reviewer confirms.
3. IUCN staff certify, and an anonymous visitor verifies the certificate on the public page.

Each journey starts from the state the one before ends in, reached through the same services the
pages call (so every test runs alone). What is typed and clicked in the browser and what is set up
through services is said step by step below ("UI:" / "services:"). Screenshots of the key pages
go to var/screenshots/journey-*.png; the root conftest saves one of any failing page.
"""

from __future__ import annotations

import datetime
import re
from pathlib import Path

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from accounts.tests.factories import Role, make_user
from conftest import browser_login

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SHOTS = Path(__file__).resolve().parents[2] / "var" / "screenshots"
PNG = bytes.fromhex(
    "89504e470d0a1a0a0000000d49484452000000010000000108060000001f15c4890000000d49444154789c6360f8cf"
    "c0f01f0005000201a5e2d6f80000000049454e44ae426082"
)


def shot(page, name: str, *, full_page: bool = True) -> None:
    """Save a screenshot of a key page, after checking it shows no raw template syntax (a
    multi-line {# #} comment once printed itself once per criterion on the assessment page)."""
    text = page.locator("body").inner_text()
    assert not any(tag in text for tag in ("{#", "{%", "{{")), f"template syntax shown on {page.url}"
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"journey-{name}.png"), full_page=full_page)


def as_user(browser, live_server, email: str):
    """A logged-in page of its own (a separate browser context per person)."""
    context = browser.new_context(base_url=live_server.url, viewport={"width": 1400, "height": 1000})
    page = context.new_page()
    browser_login(page, email)
    return page


def _submitted(area, manager, staff):
    """Journey 1's end state, through services: a 3-indicator assessment filled in with evidence."""
    from reviews.tests.factories import submitted_assessment

    return submitted_assessment(area=area, manager=manager, staff=staff, n_indicators=3)


# --- 1. the site manager files a full self-assessment -------------------------------------------


def test_journey_1_site_manager_files_a_full_self_assessment(page, live_server, site_manager, area, staff):
    from assessments.models import Answer, Assessment
    from assessments.services import assessment_create
    from assessments.tests.helpers import fill_all
    from assessments.workflow import transition
    from eligibility.tests.factories import make_eligible
    from evidence.models import EvidenceItem
    from standards.tests.factories import load_gls

    # services: the real Standard (50 indicators), the assessment accepted as candidate by staff,
    # and 47 of the 50 answers saved through the answer service (typing 50 would only be slower)
    load_gls()
    assessment = assessment_create(protected_area=area, user=site_manager, year=2026)
    make_eligible(assessment, staff=staff)
    transition(assessment, "candidate", by=staff)
    typed = ["1.1.1", "2.1.1", "4.3.2"]
    fill_all(assessment, site_manager, except_numbers=typed)
    ids = {a.indicator.number: a.pk for a in Answer.objects.filter(assessment=assessment).select_related("indicator")}

    # UI: log in, open the assessment from the list
    browser_login(page, site_manager.email)
    page.goto("/assessments/")
    page.locator(f'a[href="/assessments/{assessment.pk}/"]').first.click()
    expect(page.locator("#progress-text")).to_have_text("47 / 50")

    # UI: rate and justify the three remaining indicators with the keyboard and mouse; autosave
    texts = {
        "1.1.1": "Decree 45/2019 establishes the reserve and its management board.",
        "2.1.1": "The 2024 management plan was adopted after consultation with 12 villages.",
        "4.3.2": "Annual ranger patrol reports (2023-2025) show falling snare counts.",
    }
    for number in typed:
        a = ids[number]
        page.select_option(f"#rating-{a}", "meets")
        page.locator(f"#justification-{a}").click()
        page.keyboard.type(texts[number])
        expect(page.locator("#save-status")).to_have_text("All changes saved", timeout=10_000)
    expect(page.locator("#progress-text")).to_have_text("50 / 50")

    # UI: upload evidence for indicator 1.1.1 with the file chooser
    a = ids["1.1.1"]
    page.set_input_files(
        f"#file-{a}",
        files=[{"name": "decree-45-2019.pdf", "mimeType": "application/pdf", "buffer": b"%PDF-1.4\n" + b"0" * 50_000}],
    )
    expect(page.locator(f"#answer-{a} .upload-list li")).to_contain_text("Uploaded", timeout=15_000)
    expect(page.locator(f'ul.linked-evidence[data-answer="{a}"] > li')).to_contain_text("decree-45-2019.pdf")
    page.locator(f"#answer-{a}").scroll_into_view_if_needed()
    shot(page, "1-filled", full_page=False)  # the whole 50-indicator page would be a 6 MB image

    # UI: review and submit
    page.get_by_role("link", name="Review and submit").click()
    expect(page.locator(".missing-list > li")).to_have_count(0)
    shot(page, "1-review-and-submit")
    page.get_by_role("button", name="Submit for review").click()
    expect(page.locator("#readonly-notice")).to_contain_text("read-only")
    shot(page, "1-submitted", full_page=False)

    # then: submitted, every answer kept, the evidence linked to its indicator
    assessment = Assessment.objects.get(pk=assessment.pk)
    assert assessment.status == "submitted" and assessment.submitted_at is not None
    for number, text in texts.items():
        saved = Answer.objects.get(pk=ids[number])
        assert (saved.rating, saved.justification) == ("meets", text)
    item = EvidenceItem.objects.get(assessment=assessment)
    assert list(item.answers.values_list("pk", flat=True)) == [ids["1.1.1"]]


# --- 2. an expert reviews remotely and recommends; the independent reviewer confirms ------------


def test_journey_2_expert_reviews_remotely_and_reviewer_confirms(
    browser, live_server, area, site_manager, staff, expert, reviewer
):
    from assessments.models import Assessment
    from reviews import services as review
    from reviews.models import AssessmentReview, GroupFinding, IndicatorReview, InformationRequest

    # services: journey 1's end state; staff start the review and assign the expert and reviewer
    assessment = _submitted(area, site_manager, staff)
    review.review_start(assessment=assessment, by=staff)
    due = timezone.localdate() + datetime.timedelta(days=30)
    review.assignment_create(assessment=assessment, assignee=expert, role="expert", due_date=due, by=staff)
    review.assignment_create(
        assessment=assessment, assignee=reviewer, role="independent_reviewer", due_date=due, by=staff
    )
    review_url = f"/reviews/assessments/{assessment.pk}/"

    # UI: the expert finds the assignment and declares no conflict; only then sees the assessment
    page = as_user(browser, live_server, expert.email)
    page.goto("/reviews/")
    shot(page, "2-my-reviews")
    page.get_by_role("link", name="Declare conflicts").click()
    page.get_by_label("No: I have no conflict").check()
    page.get_by_role("button", name="Declare").click()
    expect(page).to_have_url(re.compile(re.escape(review_url)))

    # UI: rate every indicator with the evidence beside it, share, record the group's finding
    cards = page.locator("article.review-row")
    expect(cards).to_have_count(3)
    for i in range(3):
        _open_details(cards.nth(i))
        expect(cards.nth(i).locator(".evidence-item")).to_have_count(1)
        card = page.locator("article.review-row").nth(i)
        card.locator("select[name=rating]").first.select_option("meets")
        card.locator("textarea[name=finding]").first.fill(f"Indicator {i + 1}: the evidence supports the rating.")
        card.locator("input[name=shared]").check()
        card.get_by_role("button", name="Save review").click()
        expect(card.locator(".message-near")).to_contain_text("saved and shared")  # in place, beside it
        page.locator("article.review-row").nth(i).get_by_role("button", name="Record group finding").click()
        expect(card.locator(".message-near")).to_contain_text("group's finding")

    # UI: ask the site a question on indicator 2
    card = page.locator("article.review-row").nth(1)  # its details were opened above, and stay open
    card.get_by_text("Ask the site a question").click()
    card.locator("textarea[name=question]").fill("Please share the minutes of the 2025 stakeholder meetings.")
    card.get_by_role("button", name="Send question").click()
    expect(card.locator(".message-near")).to_contain_text("sent to the site team")
    shot(page, "2-expert-reviewed")

    # UI: the site manager sees the question on the same page and answers it
    site = as_user(browser, live_server, site_manager.email)
    site.goto(review_url)
    site_card = site.locator("article.review-row").nth(1)
    _open_details(site_card)
    expect(site.get_by_text("Please share the minutes")).to_be_visible()
    site_card.locator("textarea[name=text]").fill("The minutes were uploaded as 'Stakeholder meetings 2025'.")
    site_card.get_by_role("button", name="Send").click()
    expect(site_card.locator(".message-near")).to_contain_text("added to the thread")
    shot(site, "2-site-answers")
    site.context.close()

    # UI: the expert sees the answer, then recommends with reasons
    page.reload()
    _open_details(page.locator("article.review-row").nth(1))
    expect(page.get_by_text("The minutes were uploaded as")).to_be_visible()
    page.get_by_label("Recommend for the Green List").check()
    page.locator("#reasons").fill("All indicators are met and the site answered our question fully.")
    page.get_by_role("button", name="Record recommendation").click()
    expect(page.locator(".message")).to_contain_text("Recommendation recorded")
    page.context.close()

    # UI: the independent reviewer declares no conflict and confirms the process was followed
    page = as_user(browser, live_server, reviewer.email)
    page.goto("/reviews/")
    page.get_by_role("link", name="Declare conflicts").click()
    page.get_by_label("No: I have no conflict").check()
    page.get_by_role("button", name="Declare").click()
    expect(page).to_have_url(re.compile(re.escape(review_url)))
    page.get_by_role("button", name="Confirm the process was followed").click()
    expect(page.locator(".message")).to_contain_text("Recommended")
    shot(page, "2-reviewer-confirmed")
    page.context.close()

    # then: recommended, with the expert's reviews, the group findings, the answered question
    assert Assessment.objects.get(pk=assessment.pk).status == "recommended"
    assert IndicatorReview.objects.filter(assignment__assessment=assessment, shared=True).count() == 3
    assert GroupFinding.objects.filter(answer__assessment=assessment).count() == 3
    assert InformationRequest.objects.get(answer__assessment=assessment).status == "answered"
    summary = AssessmentReview.objects.get(assessment=assessment)
    assert (summary.outcome, summary.reviewer_decision) == ("recommend", "confirmed")


# --- 3. staff certify; an anonymous visitor verifies the certificate ----------------------------


def test_journey_3_the_panel_certifies_and_the_public_verifies(
    browser, live_server, area, site_manager, staff, jurisdiction
):
    from certification.models import Certificate
    from reviews import services as review
    from reviews.tests.factories import answers_of

    # services: journey 2's end state, through the review services (not a workflow shortcut)
    run_by = make_user(Role.IUCN_STAFF, email="review-lead@example.org")  # ran the review: may not decide
    expert = make_user(Role.EXPERT, email="ana@example.org", jurisdiction=jurisdiction)
    reviewer = make_user(Role.INDEPENDENT_REVIEWER, email="ivy@example.org")
    assessment = _submitted(area, site_manager, run_by)
    review.review_start(assessment=assessment, by=run_by)
    due = timezone.localdate() + datetime.timedelta(days=30)
    for person, role in ((expert, "expert"), (reviewer, "independent_reviewer")):
        seat = review.assignment_create(assessment=assessment, assignee=person, role=role, due_date=due, by=run_by)
        review.conflict_declare(assignment=seat, by=person, has_conflict=False)
    for answer in answers_of(assessment):
        review.indicator_review_save(assessment=assessment, answer=answer, by=expert, rating="meets", shared=True)
        review.group_finding_save(assessment=assessment, answer=answer, by=expert, rating="meets", finding="Met.")
    review.recommendation_make(assessment=assessment, by=expert, outcome="recommend", reasons="All met.")
    review.process_confirm(assessment=assessment, by=reviewer, confirmed=True)

    # UI: staff (who took no part in the review) put it before the Green List Panel (issue 16)
    from certification import panel
    from certification.models import PanelCase
    from certification.tests.factories import make_panel_member

    members = [make_panel_member(email="pia@example.org"), make_panel_member(email="pol@example.org")]
    page = as_user(browser, live_server, staff.email)
    page.goto("/certification/")
    shot(page, "3-certification-dashboard")
    page.get_by_role("link", name=f"Open a Panel case — {area.name}").click()
    for member in members:
        page.get_by_label(str(member)).check()
    page.get_by_role("button", name="Open the case and e-mail the members").click()
    expect(page.locator("#case-status")).to_have_text("Open")
    # services: the two members declare and vote to grant
    case = PanelCase.objects.get(assessment=assessment)
    for member in members:
        panel.panel_declare(case=case, by=member, has_conflict=False)
        panel.panel_vote(
            case=case,
            by=member,
            choice="grant",
            reasons="All criteria met; EAGL recommendation confirmed by the reviewer.",
        )
    # UI: the rule is met; staff record the Panel's decision with its public summary
    page.reload()
    page.get_by_label("Public summary (shown on the Green List page)").fill("Strong governance and outcomes.")
    page.get_by_role("button", name="Record the Panel's decision").click()
    expect(page.locator("#case-status")).to_have_text("Decided")
    page.get_by_role("link", name=re.compile("^Certificate ")).click()
    expect(page.locator("[data-status]")).to_have_attribute("data-status", "active")
    number = page.locator(".cert-number").inner_text().strip()
    # the address printed on the certificate (and in its QR code) is the public verification page
    expect(page.locator(f'a[href$="/verify/{number}/"]')).to_be_visible()
    shot(page, "3-certificate")
    page.context.close()
    certificate = Certificate.objects.get(number=number)
    assert certificate.protected_area_id == area.pk and certificate.status == "active"

    # UI: an anonymous visitor types the number on the public verification page
    visitor = browser.new_context(base_url=live_server.url, viewport={"width": 1280, "height": 900}).new_page()
    visitor.goto("/verify/")
    visitor.get_by_label("Certificate number").fill(number)
    visitor.get_by_role("button", name="Check").click()
    expect(visitor).to_have_url(re.compile(re.escape(f"/verify/{number}/")))
    expect(visitor.locator(".verdict-word")).to_have_text("VALID")
    expect(visitor.get_by_text(area.name).first).to_be_visible()
    # the internal reasons are nobody's business outside IUCN
    assert "EAGL recommendation confirmed by the reviewer" not in visitor.content()
    shot(visitor, "3-verified")

    # UI: a made-up number is refused, not "verified"
    visitor.goto("/verify/")
    visitor.get_by_label("Certificate number").fill("GL-2026-AAAA-BBBB")
    visitor.get_by_role("button", name="Check").click()
    expect(visitor.locator(".verdict-word")).to_have_text("NOT VALID")
    shot(visitor, "3-unknown-number")
    visitor.context.close()


def _open_details(card):
    """Open a review row's "Evidence · Questions": they load from a fragment when opened (issue 19)."""
    card.locator("details.row-details > summary").click()
    expect(card.locator("details.row-details[data-loaded='1']")).to_have_count(1)
