import pytest
from playwright.sync_api import expect

from conftest import browser_login

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_site_manager_logs_in_and_sees_their_sites(page, site_manager, area, other_area):
    # when
    browser_login(page, site_manager.email)
    # then the role's home page lists their own site, not another
    assert page.get_by_role("heading", name="My sites").is_visible()
    sites = page.locator("#my-sites")
    assert sites.get_by_role("link", name=area.name).is_visible()
    assert other_area.name not in sites.inner_text()
    assert page.get_by_role("link", name="Import").count() == 0  # staff-only navigation hidden
    page.screenshot(path="var/screenshots/home-site-manager.png", full_page=True)


def test_staff_logs_in_and_sees_their_worklist_and_staff_navigation(page, staff):
    browser_login(page, staff.email)
    assert page.get_by_role("heading", name="To do").is_visible()
    assert page.get_by_role("heading", name="0 decisions due").is_visible()
    assert page.get_by_role("link", name="Invitations").is_visible()


def test_wrong_password_in_the_browser_shows_a_message(page, site_manager):
    browser_login(page, site_manager.email, password="wrong-password")
    assert page.get_by_role("alert").is_visible()
    assert "correct e-mail address and password" in page.get_by_role("alert").inner_text()


def test_language_can_be_switched_to_french(page, site_manager):
    browser_login(page, site_manager.email)
    page.select_option("#language-select", "fr")
    # the select submits its form from JavaScript: wait for the French page itself, not
    # for the load state of the page that is still showing (that raced on a busy machine)
    expect(page.locator("html")).to_have_attribute("lang", "fr")
    expect(page.get_by_role("link", name="Aires protégées")).to_be_visible()
