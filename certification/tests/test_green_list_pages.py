"""The public Green List's table in keyset pages (issue 19): the links walk every listed area
once, in name order, while the map above marks them all; a damaged link is a clear 400."""

import re
from html import unescape

import pytest

from certification import views
from certification.tests.test_public import grant
from protected_areas.tests.factories import ProtectedAreaFactory

pytestmark = pytest.mark.django_db


def _link(html: str, rel: str) -> str | None:
    found = re.search(rf'<a href="(\?[^"]*)" rel="{rel}"', html)
    return unescape(found.group(1)) if found else None


def test_the_links_walk_every_listed_area_and_the_map_marks_them_all(
    client, certificate, staff, review_staff, standard, monkeypatch
):
    # given three listed areas, two a page
    for name in ("Ba Be", "Cat Tien"):
        grant(ProtectedAreaFactory(name=name), staff, review_staff, standard)
    monkeypatch.setattr(views, "GREEN_LIST_PAGE_SIZE", 2)
    # when following the Next link from the first page
    first = client.get("/green-list/")
    html = first.content.decode()
    second = client.get("/green-list/" + _link(html, "next"))
    # then each area is on one page, in name order, and each page's map marks all three
    names = [c.protected_area.name for c in first.context["certificates"]]
    names += [c.protected_area.name for c in second.context["certificates"]]
    assert names == ["Ba Be", "Cat Tien", certificate.protected_area.name]
    assert _link(second.content.decode(), "next") is None
    assert html.count('class="world-map-marker"') == 3
    assert second.content.decode().count('class="world-map-marker"') == 3
    # and Previous leads back to the first page
    back = client.get("/green-list/" + _link(second.content.decode(), "prev"))
    assert [c.protected_area.name for c in back.context["certificates"]] == ["Ba Be", "Cat Tien"]


def test_a_damaged_link_is_a_clear_400(client, certificate):
    response = client.get("/green-list/", {"after": "not-a-cursor"})
    assert response.status_code == 400
    assert "damaged" in response.content.decode()
