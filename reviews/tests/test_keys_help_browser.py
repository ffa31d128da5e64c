"""The review page's keyboard hint ("Keys: j / ↓ next indicator…") is for a keyboard: a phone's touch
screen does not show it (a UI review found it on every review page at 390 px), a desktop does."""

from pathlib import Path

import pytest

pytestmark = pytest.mark.browser

REVIEW_CSS = Path(__file__).resolve().parents[2] / "static" / "css" / "review.css"


@pytest.mark.parametrize(
    "device, shown",
    [
        ({"viewport": {"width": 390, "height": 844}, "has_touch": True, "is_mobile": True}, False),
        ({"viewport": {"width": 1280, "height": 900}}, True),
    ],
    ids=["phone", "desktop"],
)
def test_the_keyboard_hint_shows_where_there_is_a_keyboard(browser, device, shown):
    context = browser.new_context(**device)
    try:
        page = context.new_page()
        page.set_content(
            f"<!doctype html><style>{REVIEW_CSS.read_text()}</style>"
            '<p class="muted keys-help">Keys: j / ↓ next indicator, k / ↑ previous.</p>'
        )
        assert page.locator(".keys-help").is_visible() is shown
    finally:
        context.close()
