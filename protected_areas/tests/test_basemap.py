"""The platform's own base map: Natural Earth countries in PostGIS as vector tiles, so maps have coasts
and borders with no tile server outside (issue 15)."""

import pytest
from django.contrib.gis.geos import Point
from django.core.management import call_command

from protected_areas.basemap import basemap_load
from protected_areas.models import BasemapCountry

pytestmark = pytest.mark.django_db


def test_the_shipped_countries_load_once(capsys):
    call_command("load_basemap")
    assert BasemapCountry.objects.count() == 177
    france = BasemapCountry.objects.get(iso3="FRA")
    assert france.geom.geom_type == "MultiPolygon" and france.geom.contains(Point(2.35, 48.85, srid=4326))
    assert basemap_load() == 0  # loading again changes nothing


def test_tiles_are_served_by_the_platform_to_anyone(client):
    call_command("load_basemap", verbosity=0)
    tile = client.get("/areas/basemap/0/0/0.pbf")
    assert tile.status_code == 200 and tile["Content-Type"] == "application/vnd.mapbox-vector-tile"
    assert b"countries" in tile.content and len(tile.content) > 10_000  # the world's countries, one layer
    europe = client.get("/areas/basemap/4/8/5.pbf")
    assert europe.status_code == 200 and b"France" in europe.content
    assert client.get("/areas/basemap/9/0/0.pbf").status_code == 404  # deeper than the data holds
    assert client.get("/areas/basemap/2/9/0.pbf").status_code == 404  # no such tile


def test_every_page_names_the_base_map_for_its_maps(client):
    assert '<meta name="basemap-tiles" content="/areas/basemap/0/0/0.pbf">' in client.get("/").content.decode()


def test_the_global_map_first_fits_the_areas_loaded(client, area, other_area):
    page = client.get("/areas/map/").content.decode()
    west, south, east, north = (float(v) for v in page.split('data-extent="')[1].split('"')[0].split(","))
    for pa in (area, other_area):
        x0, y0, x1, y1 = (pa.geom_display or pa.geom).extent
        assert west <= x0 and south <= y0 and east >= x1 and north >= y1
    assert east - west < 180  # not the whole world: the areas
