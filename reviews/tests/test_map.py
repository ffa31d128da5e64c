import re

import pytest
from django.contrib.gis.geos import Point
from django.urls import reverse

from evidence.models import EvidenceItem
from protected_areas.tests.factories import square
from reviews.review_page import _position, site_map

pytestmark = pytest.mark.django_db


class _Area:
    def __init__(self, geom=None, point=None):
        self.geom = self.geom_display = geom
        self.point = point


def test_the_boundary_and_pins_are_projected_into_the_frame():
    area = _Area(square(105.0, 15.0, 0.1))
    drawn = site_map(area, [{"id": 1, "title": "Camera trap", "lon": 105.05, "lat": 15.05}])
    assert drawn["path"].startswith("M") and drawn["path"].endswith("Z")
    (pin,) = drawn["pins"]
    assert 0 < pin["x"] < drawn["width"] and 0 < pin["y"] < drawn["height"]
    # north is up: a pin further north is drawn higher
    north = site_map(area, [{"id": 2, "title": "n", "lon": 105.05, "lat": 15.09}])["pins"][0]
    assert north["y"] < pin["y"]


def test_a_pin_outside_the_boundary_widens_the_frame_and_a_point_site_still_draws():
    area = _Area(square(105.0, 15.0, 0.1))
    far = site_map(area, [{"id": 1, "title": "far", "lon": 106.0, "lat": 15.05}])["pins"][0]
    assert far["x"] <= 480
    only_point = site_map(_Area(None, Point(105.0, 15.0, srid=4326)), [])
    assert only_point["point"] is not None and only_point["path"] == ""
    assert site_map(_Area(None, None), []) is None


def test_positions_are_read_from_the_pipelines_facts_in_any_shape():
    class Facts:
        position = Point(105.1, 15.2, srid=4326)

    assert _position(Facts()) == (105.1, 15.2)
    assert _position({"lon": "105.1", "lat": 15.2}) == (105.1, 15.2)
    assert _position({"lon": "east", "lat": 15.2}) is None
    assert _position(None) is None


def test_located_evidence_appears_as_pins_on_the_review_page(client, team, expert):
    facts_model = pytest.importorskip("evidence.models").EvidenceFacts
    assessment = team["assessment"]
    centre = assessment.protected_area.geom.centroid
    items = list(EvidenceItem.objects.filter(assessment=assessment).order_by("id"))
    facts_model.objects.create(item=items[0], position=Point(centre.x, centre.y, srid=4326))
    client.force_login(expert)
    body = client.get(reverse("reviews:review", args=[assessment.pk])).content.decode()
    assert body.count('class="pin"') == 1
    # the page lists no items (they are in each indicator's details): a pin leads to the item on its
    # indicator's own page
    answer = items[0].answers.order_by("indicator__position").first()
    indicator_page = reverse("reviews:indicator-page", args=[assessment.pk, answer.pk])
    assert f'href="{indicator_page}#evidence-{items[0].pk}" class="pin"' in body
    assert f'id="evidence-{items[0].pk}"' in client.get(indicator_page).content.decode()


def test_the_map_keeps_decimal_points_in_french(client, team, expert):
    """SVG coordinates are not localised text: "480,0" in a viewBox breaks the drawing."""
    facts_model = pytest.importorskip("evidence.models").EvidenceFacts
    assessment = team["assessment"]
    centre = assessment.protected_area.geom.centroid
    item = EvidenceItem.objects.filter(assessment=assessment).order_by("id").first()
    facts_model.objects.create(item=item, position=Point(centre.x + 0.0123, centre.y, srid=4326))
    client.force_login(expert)
    body = client.get(reverse("reviews:review", args=[assessment.pk]), HTTP_ACCEPT_LANGUAGE="fr").content.decode()
    assert 'lang="fr"' in body
    assert 'viewBox="0 0 480.0 320.0"' in body
    cx = re.search(r'class="pin"><circle cx="([^"]+)" cy="([^"]+)"', body)
    assert cx and "," not in cx.group(1) + cx.group(2)
    float(cx.group(1)), float(cx.group(2))
