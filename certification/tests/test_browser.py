"""End to end in a real browser, with a real Celery worker making the PDF."""

import datetime
import re
import time
from pathlib import Path

import pytest
import time_machine
import zxingcpp
from PIL import Image
from playwright.sync_api import expect

from certification import services
from certification.models import Certificate
from certification.tests.condition_steps import check_structured_conditions, record_conditions_at_close
from certification.tests.test_pdf import pdf_to_png
from conftest import browser_login

pytestmark = [pytest.mark.browser, pytest.mark.worker, pytest.mark.django_db(transaction=True)]
SHOTS = Path(__file__).resolve().parents[2] / "var" / "screenshots"
PHONE = {"width": 390, "height": 844}


def wait_for_pdf(number: str, seconds: float = 90) -> Certificate:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        cert = Certificate.objects.get(number=number)
        if cert.pdf:
            return cert
        time.sleep(0.5)
    pytest.fail("the worker did not make the certificate PDF")


@pytest.fixture
def site_url(live_server, monkeypatch, settings):
    """The live server is the public site, for this process and for the worker started after."""
    monkeypatch.setenv("SITE_URL", live_server.url)
    settings.SITE_URL = live_server.url
    return live_server.url


def member_page(browser, live_server, user, *, phone=False, language="en"):
    """A member's own browser (a context of their own), logged in."""
    context = browser.new_context(base_url=live_server.url, viewport=PHONE if phone else {"width": 1366, "height": 900})
    member = context.new_page()
    browser_login(member, user.email)
    context.add_cookies([{"name": "django_language", "value": language, "url": live_server.url}])
    return member


def test_the_panel_grants_in_the_browser_and_the_world_sees_it(
    browser, page, live_server, site_url, celery_worker_process, recommended, staff, tmp_path
):
    """Issue 16: three Panel members, one conflicted (excluded automatically: they work for the
    site's managing organisation); the two others vote to grant with conditions, the chair records
    the Panel's decision, the certificate is issued and its PDF made by the worker."""
    from certification.tests.factories import make_panel_member

    SHOTS.mkdir(parents=True, exist_ok=True)
    area = recommended.protected_area
    type(area).objects.filter(pk=area.pk).update(management_authority="Forest Protection Department")
    chair = make_panel_member(email="chair@panel.test", chair=True, full_name="Paloma Chair")
    member = make_panel_member(email="member@panel.test", full_name="Pavel Member")
    conflicted = make_panel_member(
        email="conflicted@panel.test", full_name="Penny Conflicted", organisation="Forest Protection Department"
    )

    # given IUCN staff who did not review the assessment, in the browser: they open the Panel's case
    browser_login(page, staff.email)
    page.goto("/certification/")
    page.get_by_role("link", name=f"Open a Panel case — {area.name}").click()
    for person in (chair, member, conflicted):
        page.get_by_label(person.full_name).check()
    page.get_by_role("button", name="Open the case and e-mail the members").click()
    expect(page.locator("#case-status")).to_have_text("Open")
    case_url = page.url

    # the conflicted member was excluded automatically: no vote, no votes shown
    out = member_page(browser, live_server, conflicted)
    out.goto(case_url)
    expect(out.locator("#my-seat")).to_contain_text("Conflict: does not vote")
    expect(out.locator("#tally")).to_have_count(0)
    expect(out.get_by_role("button", name="Cast my vote")).to_have_count(0)
    out.context.close()

    # when the two others declare no conflict and vote to grant with conditions (one on a phone, in French)
    for person, phone in ((member, True), (chair, False)):
        voter = member_page(browser, live_server, person, phone=phone, language="fr" if phone else "en")
        voter.goto("/")
        voter.locator("#panel-work a").first.click()
        voter.locator('input[name="has_conflict"][value="no"]').check()
        voter.locator("form[action$='/declare/'] button").click()
        voter.locator('input[name="choice"][value="grant_with_conditions"]').check()
        voter.locator("form[action$='/vote/'] textarea[name='reasons']").fill(
            "All 17 criteria met; EAGL recommendation confirmed."
        )
        voter.locator("form[action$='/vote/'] textarea[name='conditions']").fill(
            f"Report on ranger patrols ({person.full_name})."
        )
        voter.locator("form[action$='/vote/'] button").click()
        expect(voter.locator("#tally")).to_contain_text("All 17 criteria met")
        if phone:
            assert voter.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
            voter.screenshot(path=str(SHOTS / "panel-case-member-fr-390.png"), full_page=True)
            voter.context.close()
    # then the chair records the Panel's decision with its public summary
    voter.get_by_label("Public summary (shown on the Green List page)").fill("Strong governance and outcomes.")
    # the members' proposed conditions are offered as rows: each needs a due date and a checker (issue 16)
    assert record_conditions_at_close(voter) == 2
    voter.screenshot(path=str(SHOTS / "panel-case-chair-1366.png"), full_page=True)
    voter.get_by_role("button", name="Record the Panel's decision").click()
    expect(voter.locator("#case-status")).to_have_text("Decided")
    expect(voter.locator("#decision-title")).to_be_visible()
    voter.context.close()
    decision = recommended.__class__.objects.get(pk=recommended.pk).decision
    assert decision.decided_by == chair and decision.panel_case.seats.filter(coi_status="conflict").count() == 1
    assert "Pavel Member" in decision.conditions and "Paloma Chair" in decision.conditions
    check_structured_conditions(decision.certificate, at_least=2)

    # staff follow the case to the certificate
    page.goto(case_url)
    page.get_by_role("link", name=re.compile("^Certificate ")).click()
    # then the certificate page shows it active, and the worker makes the PDF
    expect(page.locator("[data-status]")).to_have_attribute("data-status", "active")
    number = page.locator(".cert-number").inner_text().strip()
    wait_for_pdf(number)
    page.reload()
    with page.expect_download() as download:
        page.get_by_role("link", name="Download the certificate (PDF)").click()
    pdf = Path(download.value.path()).read_bytes()
    png = pdf_to_png(pdf, tmp_path)
    (SHOTS / "certificate-pdf.png").write_bytes(png.read_bytes())
    codes = zxingcpp.read_barcodes(Image.open(png))
    assert [c.text for c in codes] == [f"{live_server.url}/verify/{number}/"]
    page.screenshot(path=str(SHOTS / "certification-certificate.png"), full_page=True)

    # the public (no login) sees the area on the list and on the map (drawn by the server)
    public = browser.new_context(base_url=live_server.url, viewport={"width": 1280, "height": 900}).new_page()
    public.goto("/green-list/")
    expect(public.get_by_role("link", name=area.name, exact=True)).to_be_visible()
    expect(public.get_by_role("link", name=f"{area.name} — Active", exact=True)).to_be_visible()
    public.screenshot(path=str(SHOTS / "green-list.png"), full_page=True)
    public.get_by_role("link", name=area.name, exact=True).click()
    expect(public.get_by_text("Strong governance and outcomes.")).to_be_visible()
    assert "EAGL recommendation confirmed" not in public.content()
    # one outline, drawn by the server: no map library loaded on this public page
    expect(public.locator("figure.area-boundary svg path")).to_have_count(1)
    assert "maplibre" not in public.content()
    public.screenshot(path=str(SHOTS / "green-list-area.png"), full_page=True)
    # the QR's address says VALID
    public.goto(f"/verify/{number}/")
    expect(public.locator(".verdict-word")).to_have_text("VALID")

    # when staff suspend the certificate (a confirmation step first: test_one_click_does_not_suspend)
    page.get_by_label("Why the certificate is suspended").fill("Serious allegations under investigation.")
    page.get_by_role("button", name="Suspend…").click()
    page.get_by_role("button", name="Suspend the certificate").click()
    # (wait for the answer to the POST: the page before it also has a data-status)
    expect(page.locator("[data-status]")).to_have_attribute("data-status", "suspended")
    # then the verification page says so at once
    public.reload()
    assert public.locator(".verdict-word").inner_text() == "NOT VALID"
    assert "suspended" in public.locator(".verdict-message").inner_text()
    public.screenshot(path=str(SHOTS / "verify-suspended.png"), full_page=True)

    # reinstated, then on its expiry date (clock moved there) it expires and says so
    page.get_by_label("Why the certificate is reinstated").fill("Allegations not substantiated.")
    page.get_by_role("button", name="Reinstate").click()
    expect(page.locator("[data-status]")).to_have_attribute("data-status", "active")
    public.reload()
    assert public.locator(".verdict-word").inner_text() == "VALID"
    expiry = Certificate.objects.get(number=number).expires_on
    with time_machine.travel(datetime.datetime.combine(expiry, datetime.time(0, 10), datetime.UTC)):
        assert services.certificates_expire() == 1
        public.reload()
        assert public.locator(".verdict-word").inner_text() == "NOT VALID"
        assert "expired" in public.locator(".verdict-message").inner_text()
        public.screenshot(path=str(SHOTS / "verify-expired.png"), full_page=True)
    assert Certificate.objects.get(number=number).status == "expired"
    public.context.close()


def test_one_click_does_not_suspend_or_withdraw_the_confirmation_does(page, certificate, staff):
    """Issue 15: suspend and withdraw act only from their confirmation step, which says what will
    happen, keeps the reason, can be cancelled, and works by keyboard on a phone."""
    page.set_viewport_size(PHONE)
    browser_login(page, staff.email)
    page.goto(certificate.get_absolute_url())
    # when staff give a reason and click Suspend once
    page.get_by_label("Why the certificate is suspended").fill("Allegations under investigation.")
    page.get_by_role("button", name="Suspend…").click()
    # then nothing has changed: the confirmation step says what will happen, the reason kept
    expect(page.get_by_role("heading", level=1)).to_contain_text(f"Suspend certificate {certificate.number}?")
    expect(page.locator("#consequence")).to_contain_text("until IUCN staff reinstate it")
    expect(page.get_by_label("Why the certificate is suspended")).to_have_value("Allegations under investigation.")
    assert Certificate.objects.get(pk=certificate.pk).status == "active"
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    page.screenshot(path=str(SHOTS / "certificate-confirm-suspend-390.png"), full_page=True)
    # cancelling goes back with nothing changed
    page.get_by_role("link", name="Cancel").click()
    expect(page.locator("[data-status]")).to_have_attribute("data-status", "active")
    assert Certificate.objects.get(pk=certificate.pk).status == "active"
    # when they withdraw instead and confirm by keyboard
    page.get_by_label("Why the certificate is withdrawn").fill("Boundary no longer protected.")
    page.get_by_role("button", name="Withdraw…").click()
    expect(page.locator("#consequence")).to_contain_text("can never be reinstated")
    assert Certificate.objects.get(pk=certificate.pk).status == "active"
    confirm = page.get_by_role("button", name="Withdraw the certificate")
    confirm.focus()
    expect(confirm).to_be_focused()
    page.keyboard.press("Enter")
    # then it is withdrawn, with the reason given
    expect(page.locator("[data-status]")).to_have_attribute("data-status", "withdrawn")
    withdrawn = Certificate.objects.get(pk=certificate.pk)
    assert (withdrawn.status, withdrawn.status_reason) == ("withdrawn", "Boundary no longer protected.")
