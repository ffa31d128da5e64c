"""List, detail and map pages, vector tiles and site teams."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accounts.models import RoleAssignment
from accounts.tests.factories import Role, make_user
from protected_areas.services import import_protected_areas
from protected_areas.tests.factories import ProtectedAreaFactory

pytestmark = pytest.mark.django_db


def _list_queries(client, url):
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200
    return len(ctx.captured_queries)


def test_list_search_and_filters(client):
    ProtectedAreaFactory(name="Phong Điền", iso3=["VNM"], iucn_category="IV", designation_eng="Nature Reserve")
    ProtectedAreaFactory(
        name="Dakrong", iso3=["VNM", "LAO"], iucn_category="Not Reported", designation_eng="Nature Reserve"
    )
    ProtectedAreaFactory(
        name="Shell Beach", iso3=["GUY"], iucn_category="Not Reported", designation_eng="Managed Resource Use Area"
    )
    url = reverse("protected_areas:list")

    assert [a.name for a in client.get(url, {"q": "điền"}).context["page"]] == ["Phong Điền"]
    assert [a.name for a in client.get(url, {"country": "lao"}).context["page"]] == ["Dakrong"]
    assert {a.name for a in client.get(url, {"iucn_category": "Not Reported"}).context["page"]} == {
        "Dakrong",
        "Shell Beach",
    }
    assert [a.name for a in client.get(url, {"designation": "resource"}).context["page"]] == ["Shell Beach"]
    bad = client.get(url, {"iucn_category": "VII"})
    assert bad.status_code == 200 and "Select a valid choice" in bad.content.decode()


def test_list_query_count_does_not_grow(client):
    url = reverse("protected_areas:list")
    ProtectedAreaFactory.create_batch(3)
    few = _list_queries(client, url + "?country=VNM")
    ProtectedAreaFactory.create_batch(40)
    many = _list_queries(client, url + "?country=VNM")
    assert few == many


def test_detail_shows_boundary_attributes_versions_and_team(client, testdata, staff):
    import_protected_areas(testdata / "wdpa-mapme-samples/wdpa_laos.gpkg")
    from protected_areas.models import ProtectedArea

    area = ProtectedArea.objects.get(wdpa_id=303039)
    manager = make_user(Role.SITE_MANAGER, email="ranger@example.org", protected_area=area)

    response = client.get(area.get_absolute_url())

    html = response.content.decode()
    assert response.status_code == 200
    assert "Phong Điền" in html and "People&#x27;s Committee of Thua Thien Hue" in html
    assert 'id="area-boundary"' in html and "MultiPolygon" in html
    # anonymous visitors learn how many managers there are, not who they are (issue 12)
    assert manager.email not in html and "This site has 1 site manager." in html
    assert list(response.context["versions"].values_list("version", flat=True)) == [1]
    assert "Add site manager" not in html  # anonymous visitors cannot change the team
    assert client.get(reverse("protected_areas:detail", args=[area.pk + 999])).status_code == 404
    client.force_login(staff)
    assert manager.email in client.get(area.get_absolute_url()).content.decode()


def test_an_area_without_boundary_history_says_so_in_a_sentence(client):
    # given an area entered directly (not imported): a boundary, no history of versions
    drawn = ProtectedAreaFactory()
    # then the history says the boundary on the map is the only one (not "no versions" beside a map),
    # in a sentence, not in a table cell a phone cut ("Aucune version des limites enregistré…")
    html = client.get(drawn.get_absolute_url()).content.decode()
    assert 'id="no-boundary-versions">No earlier version is recorded: the boundary on the map' in html
    assert "No recorded boundary versions." not in html


def test_detail_query_count_does_not_grow_with_team(client, area):
    url = area.get_absolute_url()
    make_user(Role.SITE_MANAGER, protected_area=area)
    few = _list_queries(client, url)
    for _ in range(5):
        make_user(Role.SITE_MANAGER, protected_area=area)
    assert _list_queries(client, url) == few


def test_map_page_uses_local_assets_and_our_tiles(client, settings):
    response = client.get(reverse("protected_areas:map"))
    html = response.content.decode()
    assert "/static/vendor/maplibre-gl/maplibre-gl-csp.js" in html
    assert '/areas/tiles/{z}/{x}/{y}.pbf"' in html  # no data version: tiles carry ETags (tile_cache)
    assert "https://" not in html.split("<main", 1)[1]  # no CDN, no default base map


# --- vector tiles --------------------------------------------------------------------------------------


def test_tile_contains_areas_and_is_cached(client, django_assert_num_queries):
    from protected_areas.tests.factories import square

    area = ProtectedAreaFactory(name="Tile Reserve", geom=square(105.1, 15.1), geom_display=square(105.1, 15.1))
    # z6 tile holding it (lon 105, lat 15): x=50, y=29. (At z4 an 11-km square is under four pixels:
    # a point of map_cells' layer, which factories do not make.)
    url = reverse("protected_areas:tile", args=[6, 50, 29])

    first = client.get(url)
    assert first.status_code == 200 and first["Content-Type"] == "application/vnd.mapbox-vector-tile"
    assert b"Tile Reserve" in first.content and b"areas" in first.content
    with django_assert_num_queries(0):
        cached = client.get(url)
    assert cached.content == first.content
    empty = client.get(reverse("protected_areas:tile", args=[6, 0, 0]))
    assert empty.status_code == 200 and empty.content == b""
    assert area.pk


def test_tiles_go_out_gzipped_as_kept_to_browsers_that_take_it(client):
    import gzip

    from protected_areas.tests.factories import square

    ProtectedAreaFactory(name="Zipped Reserve", geom=square(105.1, 15.1), geom_display=square(105.1, 15.1))
    url = reverse("protected_areas:tile", args=[6, 50, 29])
    plain = client.get(url)
    zipped = client.get(url, HTTP_ACCEPT_ENCODING="gzip, deflate, br")
    assert zipped["Content-Encoding"] == "gzip" and "Content-Encoding" not in plain
    assert gzip.decompress(zipped.content) == plain.content and b"Zipped Reserve" in plain.content
    assert "Accept-Encoding" in zipped["Vary"] and zipped["ETag"] != plain["ETag"]
    again = client.get(url, HTTP_ACCEPT_ENCODING="gzip", HTTP_IF_NONE_MATCH=zipped["ETag"])
    assert again.status_code == 304


def test_import_bumps_tile_version(client, tmp_path):
    import json

    url = reverse("protected_areas:tile", args=[4, 8, 7])
    assert b"Fresh Park" not in client.get(url).content
    path = tmp_path / "new.geojson"
    ring = [[10, 10], [10.5, 10], [10.5, 10.5], [10, 10.5], [10, 10]]
    path.write_text(
        json.dumps(
            {
                "type": "FeatureCollection",
                "features": [
                    {
                        "type": "Feature",
                        "properties": {"WDPAID": 99, "NAME": "Fresh Park"},
                        "geometry": {"type": "Polygon", "coordinates": [ring]},
                    }
                ],
            }
        )
    )

    import_protected_areas(path)

    assert b"Fresh Park" in client.get(url).content


@pytest.mark.parametrize("zxy", [(4, 16, 0), (4, 0, 16), (23, 0, 0)])
def test_tile_out_of_range_is_404(client, zxy):
    assert client.get(reverse("protected_areas:tile", args=zxy)).status_code == 404


# --- site teams -----------------------------------------------------------------------------------------


def test_staff_adds_and_removes_site_manager(client, staff, area, outsider):
    client.force_login(staff)
    page = client.get(area.get_absolute_url())
    assert "Add site manager" in page.content.decode()

    response = client.post(reverse("protected_areas:team-add", args=[area.pk]), {"email": "OUTSIDER@example.org"})

    assert response.status_code == 302
    assignment = RoleAssignment.objects.active().get(user=outsider, protected_area=area, role=Role.SITE_MANAGER)
    client.post(reverse("protected_areas:team-remove", args=[area.pk, assignment.pk]))
    assert not RoleAssignment.objects.active().filter(user=outsider, protected_area=area).exists()


def test_unknown_email_gets_a_clear_message(client, staff, area):
    client.force_login(staff)
    response = client.post(
        reverse("protected_areas:team-add", args=[area.pk]), {"email": "nobody@example.org"}, follow=True
    )
    assert "No active account uses nobody@example.org" in response.content.decode()
    bad = client.post(reverse("protected_areas:team-add", args=[area.pk]), {"email": "not-an-email"}, follow=True)
    assert "valid email" in bad.content.decode()


@pytest.mark.parametrize("who", ["outsider", "site_manager", "expert"])
def test_non_staff_cannot_change_site_teams(client, request, who, area, other_area):
    user = request.getfixturevalue(who)
    client.force_login(user)
    assignment = RoleAssignment.objects.filter(role=Role.SITE_MANAGER).first()
    add = client.post(reverse("protected_areas:team-add", args=[area.pk]), {"email": user.email})
    assert add.status_code == 403
    if assignment is not None:
        remove = client.post(reverse("protected_areas:team-remove", args=[area.pk, assignment.pk]))
        assert remove.status_code == 403
        assert RoleAssignment.objects.get(pk=assignment.pk).revoked_at is None
    assert (
        not RoleAssignment.objects.filter(user=user, protected_area=area)
        .exclude(pk=getattr(assignment, "pk", None))
        .exists()
    )


def test_anonymous_cannot_change_site_teams(client, area):
    response = client.post(reverse("protected_areas:team-add", args=[area.pk]), {"email": "a@example.org"})
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


@pytest.mark.parametrize(("lon", "lat", "zxy"), [(-100, 40, (1, 0, 0)), (-179.9, 10, (2, 0, 1)), (178, -12, (2, 3, 2))])
def test_tiles_at_the_edges_of_the_world(client, lon, lat, zxy):
    from protected_areas.tests.factories import square

    # At z1 a boundary is drawn from 4 zoom-1 pixels (313 km) wide; smaller is a map_cells point.
    size = 4 if zxy[0] < 2 else 2
    ProtectedAreaFactory(name="Edge Park", geom=square(lon, lat, size), geom_display=square(lon, lat, size))
    assert b"Edge Park" in client.get(reverse("protected_areas:tile", args=zxy)).content
