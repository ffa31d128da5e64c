"""The public Green List's map is an SVG the server draws over the platform's base map: each listed
area a marker linking to its public page, no map library unless someone asks for the interactive
map (issue 15)."""

import re

import pytest
from django.contrib.gis.geos import Point
from django.db import connection
from django.test.utils import CaptureQueriesContext
from playwright.sync_api import expect

from certification import services
from certification.tests.test_public import grant
from certification.views import area_url
from protected_areas.basemap import basemap_load
from protected_areas.drawing import WORLD_MAP_MAX_SCALE, MapMarker, world_map_drawing
from protected_areas.tests.factories import ProtectedAreaFactory, square

MARKER = re.compile(
    r'<a href="(?P<url>[^"]+)" class="world-map-marker"><title>(?P<label>[^<]*)</title>'
    r'.*?class="world-map-dot" cx="(?P<x>[\d.-]+)" cy="(?P<y>[\d.-]+)" r="\d+" fill="(?P<fill>#[0-9a-f]{6})"'
)


def world_map(page: str) -> str:
    match = re.search(r'<svg xmlns="http://www.w3.org/2000/svg" class="world-map".*?</svg>', page, re.S)
    assert match, "no world map on the page"
    return match.group(0)


def land_xs(svg: str) -> list[float]:
    land = re.search(r'<path d="([^"]+)" fill="#f4f1e8"', svg)
    assert land, "no land drawn"
    return [float(x) for x in re.findall(r"[ML](-?[\d.]+),", land.group(1))]


@pytest.fixture
def basemap(db):
    basemap_load()


def test_each_listed_area_is_a_marker_link_to_its_page_and_no_map_library_loads(
    client, basemap, certificate, staff, review_staff, standard
):
    # given a listed area, and a second one whose certificate is suspended (a name with markup in it)
    other = grant(ProtectedAreaFactory(name='Suối <b>"Đá"</b> & Co'), staff, review_staff, standard)
    services.certificate_transition(certificate=other, user=staff, to="suspended", reason="x")

    # when the public opens the Green List, in French
    client.cookies["django_language"] = "fr"
    page = client.get("/green-list/").content.decode()

    # then no map library is loaded, only the server's drawing with the countries and a marker each
    assert not re.search(r"<(script|link)[^>]+maplibre", page)
    svg = world_map(page)
    assert 'viewBox="0 0 800 320"' in svg and land_xs(svg)
    markers = {m["url"]: m for m in MARKER.finditer(svg)}
    listed, suspended = certificate.protected_area, other.protected_area
    assert set(markers) == {area_url(listed), area_url(suspended)}
    assert markers[area_url(listed)]["label"] == f"{listed.name} — Actif"
    # the template escapes the name (title and all)
    assert markers[area_url(suspended)]["label"] == "Suối &lt;b&gt;&quot;Đá&quot;&lt;/b&gt; &amp; Co — Suspendu"
    assert "<b>" not in svg
    # a suspended area stands out by its colour, and the legend says which is which
    assert markers[area_url(listed)]["fill"] == "#1b6b3a"
    assert markers[area_url(suspended)]["fill"] == "#c77700"
    assert 'fill="#c77700"/></svg> Suspendu</li>' in page


def test_with_no_listed_area_the_map_shows_the_whole_world(client, basemap):
    page = client.get("/green-list/").content.decode()
    svg = world_map(page)
    assert "world-map-marker" not in svg
    xs = land_xs(svg)
    # the countries run from one side of the canvas to the other
    assert min(xs) < 20 and max(xs) > 780


def test_the_view_fits_the_areas_but_never_closer_than_a_region(basemap):
    def markers(*places):
        drawing = world_map_drawing(
            [MapMarker(lon, lat, f"/{i}", str(i), "#000") for i, (lon, lat) in enumerate(places)]
        )
        return [(m["x"], m["y"]) for m in drawing["markers"]]

    # one area: in the middle of the view
    ((x, y),) = markers((105.6, 15.3))
    assert abs(x - 400) < 10 and abs(y - 160) < 10
    # two areas a degree apart: no closer than the zoom limit (the base map is 1:110m)
    (a, b) = markers((105, 15), (106, 15))
    assert 0 < b[0] - a[0] <= WORLD_MAP_MAX_SCALE
    # areas in Viet Nam and Peru: both in view, away from the edges
    for x, y in markers((105, 15), (-75, -10)):
        assert 10 < x < 790 and 10 < y < 310


def test_the_pages_query_count_does_not_grow_with_the_listed_areas(
    client, basemap, staff, review_staff, standard, jurisdiction
):
    def count() -> int:
        client.get("/green-list/")  # the countries' drawing for this view is cached by now
        with CaptureQueriesContext(connection) as queries:
            assert client.get("/green-list/").status_code == 200
        return len(queries.captured_queries)

    # given one listed area
    grant(ProtectedAreaFactory(), staff, review_staff, standard)
    one = count()
    # when four more are listed around the world (one known only by its point)
    for lon, lat in ((-60, -5), (20, 0), (10, 50)):
        grant(ProtectedAreaFactory(geom=square(lon, lat)), staff, review_staff, standard)
    grant(
        ProtectedAreaFactory(geom=None, geom_display=None, point=Point(140, -30, srid=4326)),
        staff,
        review_staff,
        standard,
    )
    page = client.get("/green-list/").content.decode()
    assert len(MARKER.findall(world_map(page))) == 5
    # then the page asks the database no more than for one
    assert count() == one


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_the_button_swaps_in_the_interactive_map_on_demand(page, basemap, certificate):
    # given the Green List on a phone, its map drawn by the server
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto("/green-list/")
    area = certificate.protected_area
    expect(page.get_by_role("link", name=f"{area.name} — Active", exact=True)).to_be_visible()
    assert page.locator("script[src*='maplibre']").count() == 0
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    # when they ask for the interactive map
    page.get_by_role("button", name="Explore on an interactive map").click()
    # then MapLibre loads and draws the listed area in place of the drawing
    expect(page.locator("#greenlist-map[data-loaded='1']")).to_be_visible(timeout=20000)
    expect(page.locator("#greenlist-map canvas")).to_be_visible()
    expect(page.locator("#greenlist-world")).to_be_hidden()
    expect(page.get_by_role("button", name="Explore on an interactive map")).to_be_hidden()
