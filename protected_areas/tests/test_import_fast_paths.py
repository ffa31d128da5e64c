"""The importer's shortcuts give the same answers as the long way round: areas on the spheroid,
boundary hashes on re-import, validity checked by the reader, and the low-zoom tile boundary."""

import gc
import hashlib
import json
import subprocess

import pytest
import shapely
from django.contrib.gis.gdal import CoordTransform, DataSource, SpatialReference
from django.db import connection
from django.urls import reverse

from protected_areas import map_cells, tile_cache
from protected_areas.importer import reader
from protected_areas.importer.columns import resolve_mapping
from protected_areas.importer.files import open_layer
from protected_areas.models import AreaOverview, BoundaryVersion, ProtectedArea
from protected_areas.services import import_protected_areas, tiles_data_changed
from protected_areas.tests.factories import ProtectedAreaFactory, square

pytestmark = pytest.mark.django_db

UAE = "pad-uae/pad-united-arab-emirates.shp"
YOSEMITE = "padus-yosemite/padus_yosemite.geojson"
LAOS = "wdpa-mapme-samples/wdpa_laos.gpkg"


def _geodesic_areas() -> dict[str, tuple[float, float]]:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT key, area_km2, ST_Area(geom::geography) / 1e6 FROM protected_areas_protectedarea "
            "WHERE geom IS NOT NULL"
        )
        return {key: (ours, geodesic) for key, ours, geodesic in cursor.fetchall()}


def test_areas_agree_with_geodesic_area_on_real_boundaries(testdata):
    import_protected_areas(testdata / UAE)
    import_protected_areas(testdata / LAOS)
    import_protected_areas(testdata / YOSEMITE, field_map={"name": "Unit_Nm", "key": "OBJECTID"})

    areas = _geodesic_areas()
    assert len(areas) > 50
    # Long straight edges differ most: at worst 3e-4 on these files.
    for key, (ours, geodesic) in areas.items():
        assert ours == pytest.approx(geodesic, rel=5e-4, abs=1e-6), key


def test_areas_measured_by_the_reader_are_postgis_own(testdata, monkeypatch):
    # The reader measures valid boundaries a few degrees across itself (reader._areas), as PostGIS's
    # ST_Area(ST_Transform(g, 6933)) would: the same figure whichever side measured it.
    measured = []
    areas = reader._areas
    monkeypatch.setattr(reader, "_areas", lambda *a: [x for x in areas(*a) if measured.append(x) or True])
    import_protected_areas(testdata / UAE)
    import_protected_areas(testdata / LAOS)
    import_protected_areas(testdata / YOSEMITE, field_map={"name": "Unit_Nm", "key": "OBJECTID"})

    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT key, area_km2, ST_Area(ST_Transform(geom, 6933)) / 1e6 FROM protected_areas_protectedarea"
            " WHERE NOT geom_repaired AND ST_XMax(geom) - ST_XMin(geom) <= 3 AND ST_YMax(geom) - ST_YMin(geom) <= 3"
        )
        rows = cursor.fetchall()
    assert len([x for x in measured if x is not None]) == len(rows) > 50
    for key, ours, postgis in rows:
        assert ours == pytest.approx(postgis, rel=1e-9), key


def test_wide_areas_with_long_edges_or_outside_the_projection_are_left_to_postgis():
    # Wide with long edges (where a straight line in the projection leaves the geodesic), beyond 85
    # degrees, with a Z, invalid, or unreadable: PostGIS measures (or repairs) them. A small site, or a
    # large one drawn in short edges, is measured here, holes and all.
    wide_and_dense = shapely.box(10, 40, 16, 45).segmentize(0.1)
    wkbs = [
        shapely.box(10, 40, 14, 41).wkb,
        shapely.box(0, 84.5, 0.1, 86).segmentize(0.1).wkb,
        shapely.Polygon([(0, 0, 1), (0.1, 0, 1), (0.1, 0.1, 1), (0, 0, 1)]).wkb,
        shapely.Polygon([(0, 0), (0.1, 0.1), (0.1, 0), (0, 0.1), (0, 0)]).wkb,
        b"\x01\x03\x00",
        shapely.box(179, -85, 180, -84).wkb,
        shapely.MultiPolygon([wide_and_dense, shapely.box(20, 40, 20.1, 40.1)]).wkb,
        shapely.box(30, 10, 31, 11).difference(shapely.box(30.2, 10.2, 30.4, 10.4)).segmentize(0.1).wkb,
    ]
    geometries = shapely.from_wkb(wkbs, on_invalid="ignore")

    areas = reader._areas(wkbs, geometries, reader._validity(geometries))

    assert areas[:5] == [None] * 5
    with connection.cursor() as cursor:
        for wkb, area in zip(wkbs[5:], areas[5:], strict=True):
            cursor.execute("SELECT ST_Area(ST_Transform(ST_GeomFromWKB(%s, 4326), 6933)) / 1e6", [wkb])
            assert area == pytest.approx(cursor.fetchone()[0], rel=1e-9)
            cursor.execute("SELECT ST_Area(ST_GeomFromWKB(%s, 4326)::geography) / 1e6", [wkb])
            assert area == pytest.approx(cursor.fetchone()[0], rel=1e-4)


def test_boundaries_with_a_z_are_left_to_postgis_and_stored_flat(tmp_path, monkeypatch):
    # The reader checks 2D polygons only: with heights the boundary takes the general statement, which
    # drops them, checks validity itself and measures the area.
    checked = []
    validity = reader._validity
    monkeypatch.setattr(reader, "_validity", lambda geometries: checked.extend(geometries) or validity(geometries))
    ring = [[lon, lat, 120.0] for lon, lat in _box(10, 10, 0.5)]
    path = tmp_path / "heights.geojson"
    _write(path, [({"WDPAID": 1, "NAME": "Hills"}, ring), ({"WDPAID": 2, "NAME": "Flat"}, _box(10, 10, 0.5))])

    summary = import_protected_areas(path)

    assert (summary.created, summary.rejected) == (2, 0) and len(checked) == 1
    hills, flat = ProtectedArea.objects.get(wdpa_id=1), ProtectedArea.objects.get(wdpa_id=2)
    assert not hills.geom.hasz and hills.geom.wkb == flat.geom.wkb
    assert hills.area_km2 == pytest.approx(flat.area_km2, rel=1e-9) and hills.area_km2 > 3000


def _write(path, features):
    path.write_text(
        json.dumps(
            {
                "type": "FeatureCollection",
                "features": [
                    {"type": "Feature", "properties": props, "geometry": {"type": "Polygon", "coordinates": [ring]}}
                    for props, ring in features
                ],
            }
        )
    )


def _box(lon, lat, size):
    return [[lon, lat], [lon + size, lat], [lon + size, lat + size], [lon, lat + size], [lon, lat]]


def test_a_large_site_drawn_in_short_edges_has_one_area_whichever_side_measures_it(tmp_path, monkeypatch):
    # Five degrees across in 0.1-degree edges: the planar area in EPSG:6933, measured by the reader or,
    # when the reader leaves the boundary to PostGIS, by batch.sql's general statement.
    ring = [list(xy) for xy in shapely.box(20, 40, 25, 45).segmentize(0.1).exterior.coords]
    path = tmp_path / "large.geojson"
    _write(path, [({"WDPAID": 1, "NAME": "Large"}, ring)])
    import_protected_areas(path)
    by_reader = ProtectedArea.objects.get().area_km2
    ProtectedArea.objects.all().delete()
    monkeypatch.setattr(reader, "_validity", lambda geometries: [None] * len(geometries))
    import_protected_areas(path)

    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT ST_Area(ST_Transform(geom, 6933)) / 1e6, ST_Area(geom::geography) / 1e6"
            " FROM protected_areas_protectedarea"
        )
        planar, geodesic = cursor.fetchone()
    assert ProtectedArea.objects.get().area_km2 == pytest.approx(by_reader, rel=1e-9) == pytest.approx(planar, rel=1e-9)
    assert by_reader == pytest.approx(geodesic, rel=1e-5)


def test_big_and_polar_areas_use_the_geodesic_area(tmp_path):
    # A 10-degree box with four corners, and one reaching the pole: straight-in-a-projection edges
    # would give a different answer here, so these take the geodesic route.
    path = tmp_path / "big.geojson"
    _write(path, [({"WDPAID": 1, "NAME": "Big"}, _box(10, 40, 10)), ({"WDPAID": 2, "NAME": "Polar"}, _box(0, 80, 10))])

    import_protected_areas(path)

    for key, (ours, geodesic) in _geodesic_areas().items():
        assert ours == pytest.approx(geodesic, rel=1e-9), key


def test_reimport_recognises_boundaries_stored_before_hashes(testdata):
    import_protected_areas(testdata / UAE)
    assert not ProtectedArea.objects.filter(geom_hash__isnull=True).exists()
    # Areas imported before boundaries were hashed: compared geometrically, then hashed quietly.
    ProtectedArea.objects.update(geom_hash=None, geom_repaired=False)
    before = dict(ProtectedArea.objects.values_list("key", "updated_at"))

    again = import_protected_areas(testdata / UAE)

    assert (again.created, again.updated, again.unchanged, again.repaired) == (0, 0, 50, 1)
    assert dict(ProtectedArea.objects.values_list("key", "updated_at")) == before
    assert not ProtectedArea.objects.filter(geom_hash__isnull=True).exists()
    assert ProtectedArea.objects.filter(geom_repaired=True).count() == 1
    assert BoundaryVersion.objects.count() == 50


def test_moved_boundary_with_same_attributes_is_caught_by_its_hash(tmp_path):
    path = tmp_path / "site.geojson"
    _write(path, [({"WDPAID": 7, "NAME": "Moving"}, _box(20, 10, 0.5))])
    import_protected_areas(path)
    first_hash = ProtectedArea.objects.get().geom_hash
    _write(path, [({"WDPAID": 7, "NAME": "Moving"}, _box(20.01, 10, 0.5))])

    summary = import_protected_areas(path)

    area = ProtectedArea.objects.get()
    assert (summary.updated, summary.unchanged) == (1, 0)
    assert bytes(area.geom_hash) != bytes(first_hash)
    assert area.boundary_versions.get(version=2).shift_km == pytest.approx(1.09, rel=0.05)


def test_same_boundary_under_another_identity_is_still_imported(tmp_path):
    # Hashes are compared per identity: a twin boundary elsewhere in the batch is no shortcut.
    path = tmp_path / "twins.geojson"
    _write(path, [({"WDPAID": 1, "NAME": "One"}, _box(30, 10, 0.5))])
    import_protected_areas(path)
    _write(path, [({"WDPAID": 1, "NAME": "One"}, _box(30, 10, 0.5)), ({"WDPAID": 2, "NAME": "Two"}, _box(30, 10, 0.5))])

    summary = import_protected_areas(path)

    assert (summary.created, summary.unchanged, summary.rejected) == (1, 1, 0)
    assert ProtectedArea.objects.get(wdpa_id=2).area_km2 == pytest.approx(ProtectedArea.objects.get(wdpa_id=1).area_km2)


def test_boundaries_checked_by_postgis_are_stored_as_those_checked_by_the_reader(testdata, monkeypatch):
    # Boundaries the reader found valid take batch.sql's short statement (`prepare_as_sent`); those it
    # leaves unchecked (curves, collections) the general one, where PostGIS checks them itself. The
    # same file both ways: the same repairs, boundaries, areas and display boundaries.
    def stored():
        return {
            pa.key: (pa.geom.wkb.hex(), pa.geom_display.wkb.hex(), pa.area_km2, pa.geom_repaired)
            for pa in ProtectedArea.objects.all()
        }

    summary = import_protected_areas(testdata / UAE)
    checked_by_reader = stored()
    ProtectedArea.objects.all().delete()
    monkeypatch.setattr(reader, "_validity", lambda geometries: [None] * len(geometries))

    again = import_protected_areas(testdata / UAE)

    assert (summary.created, summary.repaired, summary.rejected) == (again.created, again.repaired, 0) == (50, 1, 0)
    after = stored()
    assert after.keys() == checked_by_reader.keys()
    for key, (geom, display, area, repaired) in after.items():
        before = checked_by_reader[key]
        assert (geom, display, repaired) == (before[0], before[1], before[3]), key
        # To the last digits, which NumPy's and PROJ's arithmetic may round apart (reader._areas).
        assert area == pytest.approx(before[2], rel=1e-9), key
    assert ProtectedArea.objects.filter(geom_repaired=True).count() == 1


@pytest.mark.django_db(transaction=True)
def test_unchanged_boundaries_are_not_checked_again(testdata, monkeypatch):
    # The reader looks stored hashes up on its own connection: committed rows, hence transaction=True.
    checked = []
    validity = reader._validity
    monkeypatch.setattr(reader, "_validity", lambda geometries: checked.extend(geometries) or validity(geometries))
    import_protected_areas(testdata / UAE)
    first_checks = len(checked)
    del checked[:]

    again = import_protected_areas(testdata / UAE)

    assert first_checks == 50 and checked == []
    assert (again.unchanged, again.updated, again.repaired) == (50, 0, 1)


def test_every_feature_rejected_still_streams(tmp_path):
    # More rejects than a batch holds, and no usable feature at all.
    path = tmp_path / "nameless.geojson"
    count = reader.BATCH_SIZE * 2 + 3
    _write(path, [({"WDPAID": i + 1}, _box(0, 0, 0.1)) for i in range(count)])

    summary = import_protected_areas(path)

    assert summary.rejected == count and summary.created == 0
    assert [e["feature"] for e in summary.errors[:3]] == [1, 2, 3]


def _tile(client, z, x, y):
    tile_cache.forget_all()
    return client.get(reverse("protected_areas:tile", args=[z, x, y])).content


def _overview(area):
    return AreaOverview.objects.filter(area=area).first()


def test_low_zoom_tiles_draw_the_overview_boundary(client):
    big = ProtectedAreaFactory(name="Broad Reserve", geom=square(105.1, 15.1, 1), geom_display=square(105.1, 15.1, 1))
    speck = ProtectedAreaFactory(name="Speck", geom=square(105.5, 15.5, 0.001), geom_display=square(105.5, 15.5, 0.001))
    # New areas wait for their overview until the map's next remaking makes it (the heavy worker,
    # after the commit): the low zooms make it meanwhile from the display boundary.
    waiting = [_tile(client, 4, 12, 7), _tile(client, 6, 50, 29)]

    assert map_cells.refresh_overviews() == 2
    assert map_cells.refresh_overviews() == 0
    # In Web Mercator; areas under a zoom-6 pixel have none.
    assert _overview(big).geom.srid == 3857 and _overview(big).geom.extent[0] == pytest.approx(11699678, rel=1e-4)
    assert _overview(speck).geom is None

    z4, z6 = _tile(client, 4, 12, 7), _tile(client, 6, 50, 29)
    assert b"Broad Reserve" in z4 and b"Speck" not in z4
    assert b"Broad Reserve" in z6
    assert b"Speck" in _tile(client, 12, 3248, 1869)
    assert waiting == [z4, z6]  # the same tiles, drawn from the stored overview or made on the way


def test_an_area_moved_by_any_writer_waits_for_a_new_overview_and_is_drawn_where_it_is(client):
    boundary = square(105.1, 15.1, 1)
    area = ProtectedAreaFactory(name="Wandering Reserve", geom=boundary, geom_display=boundary)
    map_cells.refresh_overviews()
    old_west = _overview(area).geom.extent[0]

    # A write that leaves the display boundary as it is keeps the overview.
    area.name = "Settled Reserve"
    area.save()
    assert _overview(area) is not None

    # Raw SQL, which no signal sees: the database deletes the overview itself.
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE protected_areas_protectedarea SET geom_display = ST_Translate(geom_display, 20, 0) WHERE id = %s",
            [area.pk],
        )
    assert _overview(area) is None
    # Zoom 4: x 12 held it at 105°E; at 125°E it is in x 13.
    assert b"Settled Reserve" not in _tile(client, 4, 12, 7)
    assert b"Settled Reserve" in _tile(client, 4, 13, 7)

    assert map_cells.refresh_overviews() == 1
    assert _overview(area).geom.extent[0] > old_west + 2_000_000

    # Deleted, by any writer: its overview goes with it.
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM protected_areas_protectedarea WHERE id = %s", [area.pk])
    assert not AreaOverview.objects.exists()


def test_an_import_leaves_the_overviews_to_its_maps_follow_up(testdata):
    summary = import_protected_areas(testdata / LAOS, refresh_maps=False)

    assert summary.created > 0 and not AreaOverview.objects.exists()
    tiles_data_changed(since=summary.maps_changed_since)
    assert AreaOverview.objects.count() == ProtectedArea.objects.count() == summary.created
    assert AreaOverview.objects.filter(geom__isnull=False).exists()


def _reader_rows(path):
    """The reader's rows for a file, as a generator: each is read when asked for."""
    _ds, layer = open_layer(path, None)
    return reader._feature_rows(layer, resolve_mapping(list(layer.fields), None, "t"), lambda n, why: None)


def _gdal_object_hashes(path) -> list[bytes]:
    """Boundary hashes the long way round: Django's OGRGeometry, reprojected by OGRGeometry.transform."""
    hashes = []
    for feature in DataSource(str(path))[0]:
        geom = feature.geom
        geom.transform(SpatialReference(4326))
        hashes.append(hashlib.blake2b(bytes(geom.wkb), digest_size=16).digest())
    return hashes


def test_reader_hashes_the_same_wkb_as_gdal_objects(testdata):
    # The reader calls OGR's C API itself: its WKB must stay byte for byte what OGRGeometry.wkb
    # gives, or every boundary stored by an earlier import would look changed. The UAE file is in
    # WGS 84 already (nothing to reproject); its projected copy is the next test.
    rows = list(_reader_rows(testdata / UAE))

    assert len(rows) == 50 and [row[-1] for row, _geom in rows] == _gdal_object_hashes(testdata / UAE)


def test_reader_reprojects_as_gdal_objects_do_with_a_live_transform(testdata, tmp_path, monkeypatch):
    # The UAE sample in UTM zone 40N: every boundary goes through the reader's CoordTransform. Its
    # pointer is all OGR is handed, so the object owning it (whose __del__ destroys the OGR
    # transformation) must outlive the reading: a destroyed one is a use after free, right or wrong
    # depending on what GDAL cached.
    utm = tmp_path / "uae_utm32640.gpkg"
    subprocess.run(["ogr2ogr", "-t_srs", "EPSG:32640", str(utm), str(testdata / UAE)], check=True)
    expected = _gdal_object_hashes(utm)
    destroyed = []
    destroy = CoordTransform.__del__
    monkeypatch.setattr(CoordTransform, "__del__", lambda ct: destroyed.append(ct.ptr) or destroy(ct))

    rows = _reader_rows(utm)
    first = next(rows)
    gc.collect()
    assert destroyed == [], "the reader's transform was destroyed while its rows were still being read"
    hashes = [first[0][-1]] + [row[-1] for row, _geom in rows]

    assert len(destroyed) == 1  # let go once the rows are exhausted
    assert len(hashes) == 50 and hashes == expected
    # Really reprojected: the same boundaries as the WGS 84 file, give or take a rounding.
    assert hashes != _gdal_object_hashes(testdata / UAE)


def test_a_batch_looks_stored_areas_up_by_key(tmp_path):
    # A hash join would read the whole table for every batch: quadratic over a national file, and
    # the planner picks one on the stale row estimates of a table the import is filling. Joins
    # other than a loop are what it is told to prefer here: the lookup must stay a key probe.
    from protected_areas.importer import writer

    ProtectedAreaFactory.create_batch(3)

    writer.create_staging()
    try:
        prepare = writer._BATCH_SQL[2]
        assert prepare.startswith("INSERT INTO pa_import_prep")
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL enable_nestloop TO off")
            cursor.execute("EXPLAIN " + prepare, {"source": "x", "tolerance": 0.0005})
            plan = "\n".join(line for (line,) in cursor.fetchall())
    finally:
        writer.drop_staging()

    assert "Index Cond: ((key)::text = r.key)" in plan


# Boundaries on the edge of validity, where GEOS versions could judge apart: a ring touching itself at
# a point (an "inverted" hole), a hole touching its shell at one point and along an edge, a hole outside
# its shell, nested and touching shells, a spike, a zero-area sliver, repeated points, a bow tie.
_EDGE_OF_VALIDITY = [
    "POLYGON((0 0,4 0,4 4,2 4,3 2,1 2,2 4,0 4,0 0))",
    "POLYGON((0 0,4 0,4 4,0 4,0 0),(0 0,1 2,2 1,0 0))",
    "POLYGON((0 0,4 0,4 4,0 4,0 0),(0 0,2 0,1 1,0 0))",
    "POLYGON((0 0,4 0,4 4,0 4,0 0),(5 5,6 5,6 6,5 5))",
    "MULTIPOLYGON(((0 0,4 0,4 4,0 4,0 0)),((1 1,2 1,2 2,1 1)))",
    "MULTIPOLYGON(((0 0,2 0,2 2,0 2,0 0)),((2 2,4 2,4 4,2 4,2 2)))",
    "MULTIPOLYGON(((0 0,2 0,2 2,0 2,0 0)),((2 0,4 0,4 2,2 2,2 0)))",
    "POLYGON((0 0,4 0,4 4,2 4,2 6,2 4,0 4,0 0))",
    "POLYGON((0 0,1 1,2 2,0 0))",
    "POLYGON((0 0,4 0,4 0,4 4,0 4,0 4,0 0))",
    "POLYGON((0 0,2 2,2 0,0 2,0 0))",
]


def test_the_readers_validity_is_postgis_own(testdata):
    # The reader checks validity with Shapely's GEOS (3.14) where PostGIS has its own (3.11): a boundary
    # the reader passes is stored unrepaired, so the two must agree, on the edge cases and on every
    # polygon of the real samples.
    wkbs = [shapely.from_wkt(wkt).wkb for wkt in _EDGE_OF_VALIDITY]
    for sample in (UAE, LAOS, YOSEMITE, "ne-parks-us/ne_10m_parks_and_protected_lands_area.geojson"):
        _ds, layer = open_layer(testdata / sample, None)
        to_wgs84 = CoordTransform(layer.srs, SpatialReference(4326))
        for feature in layer:
            geom = feature.geom
            geom.transform(to_wgs84)
            wkbs.append(bytes(geom.wkb))
    geometries = shapely.from_wkb(wkbs)
    ours = reader._validity(geometries)
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT ST_IsValid(ST_GeomFromWKB(w)) FROM unnest(%s::bytea[]) WITH ORDINALITY AS t(w, i) ORDER BY i",
            [wkbs],
        )
        postgis = [valid for (valid,) in cursor.fetchall()]
    assert len(ours) > 100 and not all(ours) and any(ours)
    assert ours == postgis, [i for i, (a, b) in enumerate(zip(ours, postgis, strict=True)) if a != b]
