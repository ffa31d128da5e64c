"""The comment's confirmation page (UI review): once the visitor has confirmed, the thanks read as
a success, under a heading that no longer asks them to confirm."""

import re

import pytest
from django.urls import reverse

from stakeholders import services

from .factories import candidate, old_stamp, open_window


@pytest.fixture
def window(db, area, jurisdiction, site_manager, staff):
    candidate(area, site_manager, staff)
    return open_window(area, staff)


def test_the_thanks_are_a_success_message_under_a_heading_that_no_longer_asks(client, window):
    comment = services.comment_submit(
        window=window, text="Nets in the core zone.", email="a@example.org", stamp=old_stamp()
    )
    url = reverse("stakeholders:confirm", args=[services.confirm_token(comment)])
    # before: the page asks for the confirmation
    assert re.search(r"<h1>\s*Confirm your comment\s*</h1>", client.get(url).content.decode())
    # after: the thanks, in the success style, under the comment's own heading
    page = client.post(url).content.decode()
    thanks = re.search(r'<p class="([^"]*)" role="status" id="comment-confirmed">', page)
    assert thanks and thanks.group(1).split() == ["message", "message-success"]
    assert "notice" not in thanks.group(1)
    assert re.search(r"<h1>\s*Your comment\s*</h1>", page) and "Confirm your comment" not in page
