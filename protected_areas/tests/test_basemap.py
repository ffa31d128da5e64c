"""The platform's own base map: Natural Earth countries and cities in PostGIS as vector tiles and place
names, so maps have coasts, borders and names with no tile server outside (issue 15)."""

import pytest
from django.contrib.gis.geos import Point
from django.core.cache import cache
from django.core.management import call_command

from protected_areas.basemap import CITY_MIN_ZOOM, basemap_load
from protected_areas.models import BasemapCountry, BasemapPlace

pytestmark = pytest.mark.django_db


def test_the_shipped_countries_load_once(capsys):
    call_command("load_basemap")
    assert BasemapCountry.objects.count() == 177
    france = BasemapCountry.objects.get(iso3="FRA")
    assert france.geom.geom_type == "MultiPolygon" and france.geom.contains(Point(2.35, 48.85, srid=4326))
    assert basemap_load() == (0, 0)  # loading again changes nothing


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


def test_the_shipped_cities_load_once_with_the_countries():
    # given the shipped base map
    assert basemap_load() == (177, 243)
    # then the cities are points in PostGIS, the world's great cities first
    paris = BasemapPlace.objects.get(name="Paris")
    assert paris.geom.distance(Point(2.35, 48.86, srid=4326)) < 0.1
    assert BasemapPlace.objects.get(name="Vatican City").rank == 243
    assert BasemapPlace.objects.order_by("rank")[0].name == "Hong Kong"
    assert BasemapPlace.objects.get(name="Ōsaka")  # a letter lost in the source is written back
    # and loading again changes nothing (setup.sh and compose run it on every start)
    ids = set(BasemapPlace.objects.values_list("id", flat=True))
    assert basemap_load() == (0, 0)
    assert set(BasemapPlace.objects.values_list("id", flat=True)) == ids


def _labels(client, language):
    response = client.get(f"/areas/basemap/places/{language}.json")
    assert response.status_code == 200 and "public" in response["Cache-Control"]
    return {label["name"]: label for label in response.json()["labels"]}


def test_place_names_are_served_to_anyone_in_the_readers_language(client):
    # given the base map loaded and nothing cached
    call_command("load_basemap", verbosity=0)
    cache.clear()
    # when anyone asks in French, then in Spanish
    french = _labels(client, "fr")
    spanish = _labels(client, "es")
    english = _labels(client, "en")
    # then countries carry their names in that language, cities the data set's own
    assert {"Allemagne", "Espagne", "Russie", "Corée du Nord"} <= set(french)
    assert {"Alemania", "España"} <= set(spanish)
    assert {"Germany", "Spain", "Dem. Rep. Congo"} <= set(english)
    assert french["Paris"]["kind"] == "city" and french["Paris"]["minzoom"] == CITY_MIN_ZOOM
    # each name on its country's largest part, inside it (mainland France, not French Guiana)
    france = BasemapCountry.objects.get(iso3="FRA").geom
    mainland = max(france, key=lambda part: part.area)
    assert mainland.contains(Point(*french["France"]["at"], srid=4326))
    # and big countries show before small ones
    assert french["Russie"]["minzoom"] < french["France"]["minzoom"] < french["Luxembourg"]["minzoom"]
    # a language the platform does not speak is no page
    assert client.get("/areas/basemap/places/xx.json").status_code == 404


def test_place_names_cost_the_same_queries_however_many_places(client, django_assert_num_queries):
    # given the base map, asked for once without a cache
    call_command("load_basemap", verbosity=0)
    cache.clear()
    with django_assert_num_queries(3):  # the version, the countries, the cities
        _labels(client, "fr")
    # when the map holds more places (new rows, so a new version of the names)
    BasemapPlace.objects.bulk_create(
        BasemapPlace(name=f"Town {i}", rank=300 + i, geom=Point(i / 10, 0, srid=4326)) for i in range(50)
    )
    with django_assert_num_queries(3):
        assert "Town 49" in _labels(client, "fr")
    # then, once cached, only the version is read
    with django_assert_num_queries(1):
        _labels(client, "fr")
