"""A site manager fills a whole assessment in a real browser (Playwright + Debian's Chromium)."""

import os
from pathlib import Path

import pytest
from playwright.sync_api import expect

from assessments.models import Answer
from assessments.services import assessment_create
from assessments.tests.helpers import fill_all
from assessments.workflow import transition
from conftest import browser_login
from eligibility.tests.factories import make_eligible
from evidence.models import EvidenceItem
from standards.tests.factories import load_gls

SHOTS = Path(os.environ.get("GREENLIST_SCREENSHOTS", "var/screenshots"))


def shot(page, name):
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"assessment-{name}.png"))


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_site_manager_fills_saves_survives_a_closed_tab_and_submits(page, live_server, site_manager, area, staff):
    # given an assessment in the candidate phase, 47 of 50 indicators filled through the API service
    load_gls()
    assessment = assessment_create(protected_area=area, user=site_manager, year=2026)
    make_eligible(assessment, staff=staff)
    transition(assessment, "candidate", by=staff)
    typed = {"1.1.1", "2.1.1", "4.3.2"}
    fill_all(assessment, site_manager, except_numbers=typed)
    ids = {a.indicator.number: a.pk for a in Answer.objects.filter(assessment=assessment).select_related("indicator")}
    browser_login(page, "manager@example.org")
    page.goto(f"/assessments/{assessment.pk}/")
    status = page.locator("#save-status")
    expect(page.locator("#progress-text")).to_have_text("47 / 50")
    expect(status).to_have_text("All changes saved")

    # when I type one indicator by keyboard, it autosaves
    a = ids["1.1.1"]
    page.locator(f"#rating-{a}").focus()
    page.select_option(f"#rating-{a}", "meets")
    page.locator(f"#justification-{a}").click()
    page.keyboard.type("Decree 45/2019 sets out the management board and its powers.")
    page.fill(f"#evidence_date-{a}", "2025-01-15")
    expect(status).to_have_text("All changes saved", timeout=10_000)
    expect(page.locator("#progress-text")).to_have_text("48 / 50")
    saved = Answer.objects.get(pk=a)
    assert saved.rating == "meets" and saved.justification.startswith("Decree 45/2019")
    assert str(saved.evidence_date) == "2025-01-15"

    # and I upload evidence with the file chooser: a progress bar, then linked to the indicator
    page.set_input_files(
        f"#file-{a}",
        files=[{"name": "decree-45.pdf", "mimeType": "application/pdf", "buffer": b"%PDF-1.4\n" + b"0" * 200_000}],
    )
    expect(page.locator(f"#answer-{a} .upload-list li")).to_contain_text("Uploaded", timeout=15_000)
    expect(page.locator(f'ul.linked-evidence[data-answer="{a}"] > li')).to_contain_text("decree-45.pdf")
    item = EvidenceItem.objects.get(assessment=assessment)
    assert list(item.answers.values_list("pk", flat=True)) == [a]
    shot(page, "filled")

    # when the network drops, the page says the change waits on the device; back online, it is sent
    b = ids["2.1.1"]
    page.context.set_offline(True)
    page.select_option(f"#rating-{b}", "partially_meets")
    expect(status).to_contain_text("Not yet sent: 1 indicator kept on this device", timeout=10_000)
    shot(page, "offline")
    page.context.set_offline(False)
    expect(status).to_have_text("All changes saved", timeout=20_000)
    assert Answer.objects.get(pk=b).rating == "partially_meets"

    # when I type and close the tab before the autosave runs
    page.fill(f"#justification-{b}", "Inventory covers mammals and birds only; no plant survey yet.")
    page.fill(f"#action_text-{b}", "Commission a botanical survey")
    page.fill(f"#action_owner-{b}", "Head of science")
    page.fill(f"#action_due-{b}", "2027-06-30")
    context = page.context
    page.close()

    # then a new tab finds everything (the unsaved part comes back from the local draft and is saved)
    page2 = context.new_page()
    page2.goto(f"/assessments/{assessment.pk}/")
    expect(page2.locator(f"#justification-{b}")).to_have_value(
        "Inventory covers mammals and birds only; no plant survey yet."
    )
    expect(page2.locator(f"#action_owner-{b}")).to_have_value("Head of science")
    expect(page2.locator(f"#justification-{a}")).to_have_value(
        "Decree 45/2019 sets out the management board and its powers."
    )
    # (the page carries the ids of an indicator's links; the list loads when asked for, issue 19)
    page2.locator(f"#answer-{a} .js-show-all").click()
    expect(page2.locator(f'ul.linked-evidence[data-answer="{a}"] > li')).to_contain_text("decree-45.pdf")
    expect(page2.locator("#save-status")).to_have_text("All changes saved", timeout=10_000)
    saved = Answer.objects.get(pk=b)
    assert saved.action_text == "Commission a botanical survey" and str(saved.action_due) == "2027-06-30"

    # a submission with one indicator left lists exactly that one
    page2.get_by_role("link", name="Review and submit").click()
    expect(page2.locator(".missing-list > li")).to_have_count(1)
    expect(page2.locator(".missing-list")).to_contain_text("4.3.2")
    page2.get_by_role("link", name="Back to the assessment").click()
    c = ids["4.3.2"]
    page2.select_option(f"#rating-{c}", "not_applicable")
    page2.fill(f"#justification-{c}", "The site has no recorded cultural values.")
    expect(page2.locator("#save-status")).to_have_text("All changes saved", timeout=10_000)
    expect(page2.locator("#progress-text")).to_have_text("50 / 50")
    shot(page2, "complete")

    # when I submit
    page2.get_by_role("link", name="Review and submit").click()
    page2.get_by_role("button", name="Submit for review").click()
    # then the page is read-only, and the API refuses edits
    expect(page2.locator("#readonly-notice")).to_contain_text("read-only")
    expect(page2.locator(".js-answer-form")).to_have_count(0)
    expect(page2.locator(f"#answer-{c}")).to_contain_text("The site has no recorded cultural values.")
    shot(page2, "submitted")
    assessment.refresh_from_db()
    assert assessment.status == "submitted"
    token = page2.context.cookies()
    csrf = next(c["value"] for c in token if c["name"] == "csrftoken")
    response = page2.request.put(
        f"{live_server.url}/api/v1/assessments/{assessment.pk}/answers/{c}/",
        data={"version": 99, "rating": "meets"},
        headers={"X-CSRFToken": csrf},
    )
    assert response.status == 409 and response.json()["code"] == "assessment_frozen"


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_evidence_links_with_many_items_by_keyboard(page, live_server, site_manager, area, staff):
    # given 60 items of this site, 8 of them linked to indicator 1.1.1
    load_gls()
    assessment = assessment_create(protected_area=area, user=site_manager, year=2026)
    make_eligible(assessment, staff=staff)
    transition(assessment, "candidate", by=staff)
    fill_all(assessment, site_manager)
    answers = {a.indicator.number: a for a in Answer.objects.filter(assessment=assessment).select_related("indicator")}
    items = [
        EvidenceItem.objects.create(
            assessment=assessment,
            title=f"Patrol report {i}",
            file=f"x/{i}.pdf",
            original_filename=f"{i}.pdf",
            size=10,
            uploaded_by=site_manager,
        )
        for i in range(60)
    ]
    first = answers["1.1.1"]
    first.evidence.add(*items[:8])
    a = first.pk
    # script errors and CSP refusals (the 404 of /favicon.ico is not ours)
    errors = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.on("console", lambda msg: errors.append(msg.text) if "Content Security Policy" in msg.text else None)
    browser_login(page, "manager@example.org")
    page.goto(f"/assessments/{assessment.pk}/")
    status = page.locator("#save-status")
    linked = page.locator(f'ul.linked-evidence[data-answer="{a}"] > li')
    expect(linked).to_have_count(0)

    # when I ask for the links (the page carries only their ids), they are listed in place
    page.get_by_role("link", name="Show the 8 linked items").click()
    expect(linked).to_have_count(8)

    # and I remove one with the keyboard: the answer is saved without it, the focus left on the indicator's
    # folded "Add or link evidence"
    page.get_by_role("button", name="Remove the link to Patrol report 3", exact=True).focus()
    page.keyboard.press("Enter")
    expect(linked).to_have_count(7)
    fold = page.locator(f"#answer-{a} details.add-evidence")
    expect(fold.locator("summary")).to_be_focused()
    expect(status).to_have_text("All changes saved", timeout=10_000)
    assert sorted(first.evidence.values_list("title", flat=True)) == sorted(
        f"Patrol report {i}" for i in (0, 1, 2, 4, 5, 6, 7)
    )

    # when I open the fold and the picker from the keyboard, search and link an item
    page.keyboard.press("Enter")
    expect(fold).to_have_attribute("open", "")
    pick = page.locator(f"#answer-{a} .js-pick")
    expect(pick).to_have_text("Link evidence already uploaded")
    page.keyboard.press("Tab")
    expect(pick).to_be_focused()
    page.keyboard.press("Enter")
    expect(page.locator("#picker-q")).to_be_focused()
    expect(page.locator("#picker-results li")).to_have_count(20)  # the newest, a page at a time
    page.keyboard.type("report 42")
    expect(page.locator("#picker-results li")).to_have_count(1)
    page.keyboard.press("Tab")  # the close button, then the result's download link, then its button
    page.keyboard.press("Tab")
    page.keyboard.press("Tab")
    expect(page.get_by_role("button", name="Link Patrol report 42")).to_be_focused()
    page.keyboard.press("Enter")
    expect(page.get_by_role("button", name="Linked Patrol report 42")).to_be_disabled()
    expect(linked).to_have_count(8)
    expect(status).to_have_text("All changes saved", timeout=10_000)
    assert first.evidence.filter(title="Patrol report 42").exists() and first.evidence.count() == 8
    shot(page, "picker")

    # Escape closes the picker and gives focus back to the button that opened it
    page.locator("#picker-q").focus()
    page.keyboard.press("Escape")
    expect(page.locator("#evidence-picker")).to_be_hidden()
    expect(pick).to_be_focused()

    # a file dropped on another indicator's drop zone is uploaded and linked there
    b = answers["2.1.1"].pk
    data = page.evaluate_handle(
        "() => { const dt = new DataTransfer();"
        " dt.items.add(new File(['%PDF-1.4 dropped'], 'dropped.pdf', {type: 'application/pdf'})); return dt; }"
    )
    # (dragged over the closed fold, it opens)
    page.dispatch_event(f"#answer-{b} details.add-evidence", "dragenter", {"dataTransfer": data})
    expect(page.locator(f"#answer-{b} form.js-upload")).to_be_visible()
    page.dispatch_event(f"#answer-{b} form.js-upload", "drop", {"dataTransfer": data})
    expect(page.locator(f'ul.linked-evidence[data-answer="{b}"] > li')).to_contain_text("dropped.pdf", timeout=15_000)
    assert answers["2.1.1"].evidence.filter(original_filename="dropped.pdf").exists()

    # the evidence library pages without leaving the page (fetched fresh: the upload is counted)
    library = page.locator("#evidence-library")
    expect(library).to_contain_text("All evidence (60)")
    expect(library.locator("tbody tr")).to_have_count(25)
    url = page.url
    library.get_by_role("link", name="Older →").click()
    expect(page.locator("#evidence-library")).to_contain_text("Page 2 of 3")
    expect(page.locator("#evidence-library-title")).to_have_text("All evidence (61)")
    expect(page.locator("#evidence-library-title")).to_be_focused()
    assert page.url == url
    assert errors == []


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_the_save_status_speaks_the_pages_language(page, live_server, site_manager, area, staff):
    # given a site manager whose browser asks for French
    load_gls()
    assessment = assessment_create(protected_area=area, user=site_manager, year=2026)
    make_eligible(assessment, staff=staff)
    transition(assessment, "candidate", by=staff)
    answer = Answer.objects.filter(assessment=assessment, indicator__number="1.1.1").get()
    browser_login(page, "manager@example.org")
    page.set_extra_http_headers({"Accept-Language": "fr"})
    page.goto(f"/assessments/{assessment.pk}/")
    status = page.locator("#save-status")
    expect(status).to_have_text("Toutes les modifications sont enregistrées")

    # when they type, the status line the script writes is French too, while saving and once saved
    page.locator(f"#justification-{answer.pk}").click()
    page.keyboard.type("Décret 45/2019.")
    expect(status).to_have_text("Enregistrement…", timeout=5_000)
    expect(status).to_have_text("Toutes les modifications sont enregistrées", timeout=10_000)
    answer.refresh_from_db()
    assert answer.justification == "Décret 45/2019."


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_the_action_plan_is_asked_for_only_where_the_rating_needs_one(page, live_server, site_manager, area, staff):
    # given an unanswered indicator on a phone
    load_gls()
    assessment = assessment_create(protected_area=area, user=site_manager, year=2026)
    make_eligible(assessment, staff=staff)
    transition(assessment, "candidate", by=staff)
    answer = Answer.objects.filter(assessment=assessment, indicator__number="1.1.1").get()
    page.set_viewport_size({"width": 390, "height": 844})
    browser_login(page, "manager@example.org")
    page.goto(f"/assessments/{assessment.pk}/")
    action = page.locator(f"#answer-{answer.pk} fieldset.action")
    expect(action).to_be_hidden()
    # when the rating is "meets", no action plan is asked for
    page.select_option(f"#rating-{answer.pk}", "meets")
    expect(action).to_be_hidden()
    # when it becomes "does not meet", the fields appear and say why, at once
    page.select_option(f"#rating-{answer.pk}", "does_not_meet")
    expect(action).to_be_visible()
    expect(action.locator(".js-action-needed")).to_contain_text("needs an action plan")
    page.fill(f"#action_text-{answer.pk}", "Publish the board's minutes.")
    # and an action already written stays in view whatever the rating
    page.select_option(f"#rating-{answer.pk}", "meets")
    expect(action).to_be_visible()
    expect(page.locator("#save-status")).to_have_text("All changes saved", timeout=10_000)
    answer.refresh_from_db()
    assert (answer.rating, answer.action_text) == ("meets", "Publish the board's minutes.")


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_the_side_list_counts_answers_per_criterion_and_leads_to_the_next_unanswered(
    page, live_server, site_manager, area, staff
):
    # given every indicator answered but 1.1.2 and 2.1.1
    load_gls()
    assessment = assessment_create(protected_area=area, user=site_manager, year=2026)
    make_eligible(assessment, staff=staff)
    transition(assessment, "candidate", by=staff)
    fill_all(assessment, site_manager, except_numbers={"1.1.2", "2.1.1"})
    ids = {a.indicator.number: a.pk for a in Answer.objects.filter(assessment=assessment).select_related("indicator")}
    in_1_1 = Answer.objects.filter(assessment=assessment, indicator__criterion__number="1.1").count()
    browser_login(page, "manager@example.org")
    page.goto(f"/assessments/{assessment.pk}/")
    criterion = page.locator('.toc-criterion[data-criterion="1.1"]')
    expect(criterion.locator(".js-criterion-answered")).to_have_text(str(in_1_1 - 1))
    expect(criterion).not_to_have_class("toc-criterion done")
    # when I follow "Next unanswered", the first open indicator's rating has the focus
    page.get_by_role("link", name="Next unanswered").click()
    expect(page.locator(f"#rating-{ids['1.1.2']}")).to_be_focused()
    # and once it is rated, its criterion is marked done in the side list
    page.select_option(f"#rating-{ids['1.1.2']}", "meets")
    expect(criterion.locator(".js-criterion-answered")).to_have_text(str(in_1_1))
    expect(criterion).to_have_class("toc-criterion done")
    page.get_by_role("link", name="Next unanswered").click()
    expect(page.locator(f"#rating-{ids['2.1.1']}")).to_be_focused()


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_on_a_phone_each_indicators_evidence_block_is_folded(page, live_server, site_manager, area, staff):
    # given the 50 indicators of the Standard, on a 390 px phone, in French
    load_gls()
    assessment = assessment_create(protected_area=area, user=site_manager, year=2026)
    make_eligible(assessment, staff=staff)
    transition(assessment, "candidate", by=staff)
    a = Answer.objects.get(assessment=assessment, indicator__number="1.1.1").pk
    page.set_viewport_size({"width": 390, "height": 844})
    browser_login(page, "manager@example.org")
    page.context.add_cookies([{"name": "django_language", "value": "fr", "url": live_server.url}])
    page.goto(f"/assessments/{assessment.pk}/")
    folds = page.locator("details.add-evidence")
    expect(folds).to_have_count(50)

    # then every indicator's upload block is folded, and the page is far shorter than the ~80,500 px it
    # was with fifty open drop zones (about 64,500 now; the rest is the Standard's own text)
    expect(page.locator("details.add-evidence[open]")).to_have_count(0)
    expect(page.locator(f"#answer-{a} .dropzone")).to_be_hidden()
    height = page.evaluate("document.documentElement.scrollHeight")
    assert height < 72_000, height

    # when they open one indicator's "Add or link evidence"
    fold = page.locator(f"#answer-{a} details.add-evidence")
    fold.locator("summary").click()
    # then its drop zone shows, "who may see it" above the date at full width rather than squeezed beside it
    zone = page.locator(f"#answer-{a} .dropzone")
    expect(zone).to_be_visible()
    expect(fold.locator(".js-pick")).to_be_visible()
    box, who, when = (el.bounding_box() for el in (zone, page.locator(f"#sens-{a}"), page.locator(f"#evdate-{a}")))
    assert when["y"] >= who["y"] + who["height"], (who, when)
    assert who["width"] > 0.8 * box["width"], (who, box)
    zone.scroll_into_view_if_needed()
    shot(page, "evidence-fold-fr-390")

    # and a file chosen there is uploaded and linked to the indicator
    pdf = {"name": "decret-45.pdf", "mimeType": "application/pdf", "buffer": b"%PDF-1.4\n" + b"0" * 2000}
    page.set_input_files(f"#file-{a}", files=[pdf])
    expect(page.locator(f"#answer-{a} .upload-list li")).to_contain_text("Téléversé", timeout=15_000)
    expect(page.locator(f'ul.linked-evidence[data-answer="{a}"] > li')).to_contain_text("decret-45.pdf")
    assert list(EvidenceItem.objects.get(assessment=assessment).answers.values_list("pk", flat=True)) == [a]

    # and in Spanish the folded block reads the same way
    page.context.add_cookies([{"name": "django_language", "value": "es", "url": live_server.url}])
    page.reload()
    fold.locator("summary").click()
    expect(fold.locator("summary")).to_have_text("Añadir o vincular evidencias")
    fold.scroll_into_view_if_needed()
    shot(page, "evidence-fold-es-390")
