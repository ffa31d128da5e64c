"""The importer on the real sample files in ../shared/testdata."""

import json
import shutil
import subprocess
import zipfile

import pytest
from django.contrib.gis.gdal import DataSource
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import translation

from core.errors import DomainError
from protected_areas.models import BoundaryVersion, ProtectedArea
from protected_areas.services import import_protected_areas

pytestmark = pytest.mark.django_db

UAE = "pad-uae/pad-united-arab-emirates.shp"
US_PARKS = "ne-parks-us/ne_10m_parks_and_protected_lands_area.geojson"
YOSEMITE = "padus-yosemite/padus_yosemite.geojson"
LAOS = "wdpa-mapme-samples/wdpa_laos.gpkg"
SHELL_BEACH = "wdpa-mapme-samples/shell_beach_protected_area_41057_B.gpkg"
NEIBA = "neiba-zonal/sierra_de_neiba_478140.gpkg"


def test_wdpa_legacy_gpkg_keeps_areas_names_and_attributes(testdata):
    # when
    summary = import_protected_areas(testdata / LAOS)

    # then
    assert summary.as_dict() == {"created": 2, "updated": 0, "unchanged": 0, "repaired": 0, "rejected": 0, "errors": []}
    phong_dien = ProtectedArea.objects.get(wdpa_id=303039)
    assert phong_dien.key == "wdpa:303039"
    assert phong_dien.orig_name == "Phong Điền"
    assert phong_dien.name == "Phong Dien"
    assert phong_dien.designation == "Khu Bảo tồn thiên nhiên"
    assert phong_dien.iucn_category == "IV"
    assert phong_dien.designation_type == "National"
    assert phong_dien.realm == "terrestrial"
    assert phong_dien.status_year == 2014
    assert phong_dien.iso3 == ["VNM"] and phong_dien.parent_iso3 == ["VNM"]
    assert phong_dien.reported_area_km2 == pytest.approx(415.08)
    # Computed on the spheroid: within a few percent of what WDPA reports.
    assert phong_dien.area_km2 == pytest.approx(415.08, rel=0.04)
    assert phong_dien.geom.geom_type == "MultiPolygon" and phong_dien.geom.srid == 4326
    assert 106.8 < phong_dien.geom.centroid.x < 107.4 and 16.3 < phong_dien.geom.centroid.y < 16.7
    assert phong_dien.geom_display.num_coords < phong_dien.geom.num_coords
    assert phong_dien.attributes["VERIF"] == "State Verified"
    dakrong = ProtectedArea.objects.get(wdpa_id=10384)
    assert dakrong.orig_name == "Đăkrông" and dakrong.iucn_category == "Not Reported"
    assert len(dakrong.geom) == 4
    assert list(phong_dien.boundary_versions.values_list("version", "area_change_km2")) == [(1, None)]


def test_reimport_changes_nothing(testdata):
    import_protected_areas(testdata / LAOS)
    before = {pa.key: (pa.updated_at, pa.area_km2) for pa in ProtectedArea.objects.all()}

    summary = import_protected_areas(testdata / LAOS)

    assert (summary.created, summary.updated, summary.unchanged) == (0, 0, 2)
    assert {pa.key: (pa.updated_at, pa.area_km2) for pa in ProtectedArea.objects.all()} == before
    assert BoundaryVersion.objects.count() == 2


def test_shapefile_with_invalid_polygon_is_repaired_and_arabic_names_kept(testdata):
    summary = import_protected_areas(testdata / UAE, field_map={"orig_name": "nameloc"})

    assert (summary.created, summary.repaired, summary.rejected) == (50, 1, 0)
    assert ProtectedArea.objects.filter(key__startswith="pad-united-arab-emirates:").count() == 50
    repaired = ProtectedArea.objects.get(key="pad-united-arab-emirates:35")
    assert repaired.geom.valid and repaired.area_km2 > 0
    ramlah = ProtectedArea.objects.get(key="pad-united-arab-emirates:9")
    assert ramlah.name == "Al Ramlah Protected Area"
    assert ramlah.orig_name == "محمية الرملة الطبيعية"
    assert ramlah.attributes["langloc"] == "ara" and ramlah.iso3 == ["ARE"]
    assert all(pa.geom.valid for pa in ProtectedArea.objects.all())
    # Re-importing repairs again (the file is still invalid) but changes nothing.
    again = import_protected_areas(testdata / UAE, field_map={"orig_name": "nameloc"})
    assert (again.created, again.updated, again.unchanged, again.repaired) == (0, 0, 50, 1)


def test_zipped_shapefile_reads_through_vsizip(testdata, tmp_path):
    archive = tmp_path / "uae.zip"
    with zipfile.ZipFile(archive, "w") as zf:
        for part in (testdata / "pad-uae").iterdir():
            zf.write(part, f"pad/{part.name}")

    summary = import_protected_areas(archive, source="pad-uae")

    assert summary.created == 50 and summary.repaired == 1
    assert ProtectedArea.objects.filter(key="pad-uae:35").exists()


def test_geojson_with_field_map_mixed_polygons(testdata):
    summary = import_protected_areas(testdata / US_PARKS, field_map={"name": "unit_name", "key": "unit_code"})

    assert summary.rejected == 0 and summary.created == 61
    havo = ProtectedArea.objects.get(key="ne_10m_parks_and_protected_lands_area:HAVO")
    assert havo.name == "Hawai'i Volcanoes NP"
    assert havo.geom.geom_type == "MultiPolygon"
    assert havo.attributes["unit_type"] == "National Park"
    assert ProtectedArea.objects.filter(geom__isnull=True).count() == 0


def test_yosemite_hundreds_of_rings(testdata):
    summary = import_protected_areas(
        testdata / YOSEMITE, field_map={"name": "Unit_Nm", "key": "OBJECTID"}, source="padus"
    )

    assert summary.created == 2 and summary.rejected == 0
    for unit in ProtectedArea.objects.all():
        # PAD-US states each unit's GIS area in acres: the spheroid area must agree.
        assert unit.area_km2 == pytest.approx(unit.attributes["SUM_GIS_Acres"] * 0.0040468564, rel=0.02)
        assert unit.geom_display.num_coords <= unit.geom.num_coords
    assert len(ProtectedArea.objects.get(name="Yosemite National Park").geom) == 231


def test_parcel_only_record(testdata):
    summary = import_protected_areas(testdata / SHELL_BEACH)

    assert summary.created == 1
    shell = ProtectedArea.objects.get(wdpa_id=41057)
    # This file carries no WDPA_PID column (the _B parcel suffix is only in its file name), so the
    # record is keyed by its site id; a file with WDPA_PID 41057_B would key it wdpa:41057_B.
    assert shell.key == "wdpa:41057" and shell.wdpa_pid == "41057"
    assert shell.name == "Shell Beach Protected Area"
    assert shell.designation_eng == "Managed Resource Use Area"
    assert shell.iso3 == ["GUY"] and shell.iucn_category == "Not Reported"


def test_feature_without_name_is_rejected_with_reason(testdata):
    # The Sierra de Neiba sample has only WDPAID and ISO3: it names no site.
    summary = import_protected_areas(testdata / NEIBA)

    assert summary.as_dict() == {
        "created": 0,
        "updated": 0,
        "unchanged": 0,
        "repaired": 0,
        "rejected": 1,
        "errors": [{"feature": 1, "reason": "no name"}],
    }
    assert not ProtectedArea.objects.exists()


def test_generic_file_without_name_column_needs_a_mapping(testdata):
    with pytest.raises(DomainError, match="No column holds the areas' names") as caught:
        import_protected_areas(testdata / YOSEMITE, field_map={"key": "OBJECTID"})
    assert caught.value.data == {"missing": ["name"]} and "Unit_Nm" in caught.value.message
    # the command line says how to name it there; the wizard (in the person's language) asks on its page
    with pytest.raises(CommandError, match="Name them with --map name=COLUMN"):
        call_command("import_protected_areas", str(testdata / YOSEMITE), "--map", "key=OBJECTID")
    with translation.override("fr"), pytest.raises(DomainError, match="Aucune colonne"):
        import_protected_areas(testdata / YOSEMITE, field_map={"key": "OBJECTID"})


def _write_geojson(path, features):
    path.write_text(json.dumps({"type": "FeatureCollection", "features": features}), encoding="utf-8")


def _feature(props, geometry):
    return {"type": "Feature", "properties": props, "geometry": geometry}


SQUARE = {"type": "Polygon", "coordinates": [[[10, 10], [10.1, 10], [10.1, 10.1], [10, 10.1], [10, 10]]]}
BOWTIE = {"type": "Polygon", "coordinates": [[[20, 20], [20.1, 20.1], [20.1, 20], [20, 20.1], [20, 20]]]}
LINE = {"type": "LineString", "coordinates": [[0, 0], [1, 1]]}


def test_list_binary_and_date_columns_are_kept_as_gdal_writes_them(tmp_path):
    # GDAL reads a JSON array as a list field and a GeoPackage BLOB as binary. They are kept as
    # GDAL writes them out ("(2:a,b)", hexadecimal), as Django's Field gave them to the importer
    # before it read OGR directly, so attributes stored by earlier imports compare equal.
    path = tmp_path / "lists.geojson"
    props = {"TAGS": ["Ramsar", "UNESCO, MAB"], "CODES": [1, 2], "BIG": [5_000_000_000, 1], "SCORES": [0.5, 1.25]}
    _write_geojson(path, [_feature({"WDPAID": 5, "NAME": "Listed", "OPENED": "2020-01-02", **props}, SQUARE)])
    blob = tmp_path / "blob.gpkg"
    sql = "SELECT WDPAID + 1 AS WDPAID, NAME, X'00FF10' AS PHOTO, geometry FROM lists"
    subprocess.run(["ogr2ogr", "-nln", "blob", str(blob), str(path), "-dialect", "SQLite", "-sql", sql], check=True)

    listed = import_protected_areas(path)
    with_blob = import_protected_areas(blob)

    assert (listed.created, listed.rejected, with_blob.created, with_blob.rejected) == (1, 0, 1, 0)
    attributes = ProtectedArea.objects.get(wdpa_id=5).attributes
    assert {name: attributes[name] for name in props} == {
        "TAGS": "(2:Ramsar,UNESCO, MAB)",
        "CODES": "(2:1,2)",
        "BIG": "(2:5000000000,1)",
        "SCORES": "(2:0.5,1.25)",
    }
    assert attributes["OPENED"] == "2020-01-02"
    assert ProtectedArea.objects.get(wdpa_id=6).attributes["PHOTO"] == "00FF10"
    # What Django's own Feature says of each (the importer's reading before it called OGR itself).
    for source, area in ((path, 5), (blob, 6)):
        stored = ProtectedArea.objects.get(wdpa_id=area).attributes
        for field in next(iter(DataSource(str(source))[0])):
            if field.name not in ("WDPAID", "NAME"):
                assert stored[field.name] == str(field.value), field.name
    assert import_protected_areas(path).unchanged == 1


def test_new_schema_messy_values_and_rejections(tmp_path):
    path = tmp_path / "wdpa2025.geojson"
    base = {
        "SITE_TYPE": "OECM",
        "REALM": "Marine",
        "DESIG_TYPE": "",
        "IUCN_CAT": "",
        "STATUS_YR": 0,
        "PRNT_ISO3": "VNM;LAO",
        "ISO3": "VNM;LAO",
        "GOV_TYPE": "",
    }
    _write_geojson(
        path,
        [
            _feature({**base, "SITE_ID": 1, "SITE_PID": "1", "NAME_ENG": "Square"}, SQUARE),
            _feature({**base, "SITE_ID": 2, "SITE_PID": "2", "NAME_ENG": "Bowtie"}, BOWTIE),
            _feature({**base, "SITE_ID": 3, "SITE_PID": "3", "NAME_ENG": "No geometry"}, None),
            _feature({**base, "SITE_ID": 4, "SITE_PID": "4", "NAME_ENG": ""}, SQUARE),
            _feature({**base, "SITE_ID": 5, "SITE_PID": "5", "NAME_ENG": "A road"}, LINE),
            _feature(
                {**base, "SITE_ID": 6, "SITE_PID": "6", "NAME_ENG": "Point site", "REP_AREA": 12.5},
                {"type": "Point", "coordinates": [30, 30]},
            ),
            _feature({**base, "SITE_ID": 1, "SITE_PID": "1", "NAME_ENG": "Square again"}, SQUARE),
        ],
    )

    summary = import_protected_areas(path)

    assert (summary.created, summary.repaired, summary.rejected) == (3, 1, 4)
    reasons = {e["feature"]: e["reason"] for e in summary.errors}
    assert reasons[3].startswith("no geometry")
    assert reasons[4] == "no name"
    assert "LineString is not an area" in reasons[5]
    assert reasons[7].startswith("duplicate of feature 1")
    square = ProtectedArea.objects.get(key="wdpa:1")
    assert square.site_type == "OECM" and square.realm == "marine"
    assert square.iso3 == ["VNM", "LAO"] and square.parent_iso3 == ["VNM", "LAO"]
    assert square.designation_type == "" and square.governance_type == "" and square.status_year == 0
    assert square.iucn_category == "Not Reported"
    point_site = ProtectedArea.objects.get(key="wdpa:6")
    assert point_site.geom is None and point_site.point.coords == (30.0, 30.0)
    assert point_site.reported_area_km2 == 12.5


def test_changed_boundary_makes_a_new_version(tmp_path):
    path = tmp_path / "site.geojson"
    _write_geojson(path, [_feature({"WDPAID": 7, "NAME": "Moving"}, SQUARE)])
    import_protected_areas(path)
    grown = {"type": "Polygon", "coordinates": [[[10, 10], [10.2, 10], [10.2, 10.1], [10, 10.1], [10, 10]]]}
    _write_geojson(path, [_feature({"WDPAID": 7, "NAME": "Moving"}, grown)])

    summary = import_protected_areas(path, source="release-2")

    assert (summary.created, summary.updated, summary.unchanged) == (0, 1, 0)
    area = ProtectedArea.objects.get(key="wdpa:7")
    v2, v1 = area.boundary_versions.all()
    assert (v1.version, v2.version) == (1, 2)
    assert v2.area_change_km2 == pytest.approx(v1.area_km2, rel=0.01)  # it doubled
    # The far edge moved 0.1° east at 10° N: about 10.96 km.
    assert v2.shift_km == pytest.approx(10.96, rel=0.02)
    assert v2.source == "release-2" and area.area_km2 == pytest.approx(v2.area_km2)
    assert v1.geom.equals(import_geom(SQUARE))


def test_current_boundary_is_stored_once_and_every_older_one_is_kept(tmp_path):
    path = tmp_path / "site.geojson"
    _write_geojson(path, [_feature({"WDPAID": 9, "NAME": "Once"}, SQUARE)])
    import_protected_areas(path)
    area = ProtectedArea.objects.get(key="wdpa:9")
    first = area.boundary_versions.get()
    # No second copy of the boundary: the current version reads the area's own.
    assert first.geom is None and first.point is None
    assert first.boundary.equals(area.geom)
    assert BoundaryVersion.objects.with_boundary().get(pk=first.pk).boundary_geom.equals(area.geom)
    from monitoring.services import boundary_history

    assert [b.geom.equals(area.geom) for b in boundary_history(area)] == [True]

    # An edit of attributes alone copies nothing.
    ProtectedArea.objects.filter(pk=area.pk).update(name="Renamed")
    first.refresh_from_db()
    assert first.geom is None

    # A boundary changed outside the importer (QuerySet.update here: no signal, no save()) still
    # leaves the version its own boundary, copied by the database's trigger.
    grown = import_geom(
        {"type": "MultiPolygon", "coordinates": [[[[10, 10], [10.3, 10], [10.3, 10.1], [10, 10.1], [10, 10]]]]}
    )
    ProtectedArea.objects.filter(pk=area.pk).update(geom=grown)
    first.refresh_from_db()
    assert first.geom.equals(import_geom(SQUARE)) and first.boundary.equals(import_geom(SQUARE))
    assert BoundaryVersion.objects.with_boundary().get(pk=first.pk).boundary_geom.equals(import_geom(SQUARE))


def import_geom(geojson):
    from django.contrib.gis.geos import GEOSGeometry

    return GEOSGeometry(json.dumps(geojson), srid=4326)


def test_renamed_site_is_updated_without_new_version(tmp_path):
    path = tmp_path / "site.geojson"
    _write_geojson(path, [_feature({"WDPAID": 8, "NAME": "Old name"}, SQUARE)])
    import_protected_areas(path)
    _write_geojson(path, [_feature({"WDPAID": 8, "NAME": "New name"}, SQUARE)])

    summary = import_protected_areas(path)

    assert summary.updated == 1
    assert ProtectedArea.objects.get(key="wdpa:8").name == "New name"
    assert BoundaryVersion.objects.filter(protected_area__key="wdpa:8").count() == 1


def test_projected_crs_is_reprojected(testdata, tmp_path):
    out = tmp_path / "laos_utm.gpkg"
    import subprocess

    subprocess.run(["ogr2ogr", "-t_srs", "EPSG:32648", str(out), str(testdata / LAOS)], check=True)

    import_protected_areas(out)

    phong_dien = ProtectedArea.objects.get(wdpa_id=303039)
    assert phong_dien.geom.srid == 4326
    assert phong_dien.area_km2 == pytest.approx(415.08, rel=0.04)
    assert 106.8 < phong_dien.geom.centroid.x < 107.4


# --- files that cannot be read ----------------------------------------------------------------------


def test_directory_is_not_a_file(testdata):
    with pytest.raises(DomainError, match="is not a file"):
        import_protected_areas(testdata / "pad-uae")


def test_missing_file(tmp_path):
    with pytest.raises(DomainError, match="does not exist"):
        import_protected_areas(tmp_path / "nope.gpkg")


def test_geojson_that_is_not_json(tmp_path):
    path = tmp_path / "broken.geojson"
    path.write_text("this is not { json", encoding="utf-8")
    with pytest.raises(DomainError, match="Could not read broken.geojson"):
        import_protected_areas(path)


def test_shapefile_without_shx(testdata, tmp_path):
    for part in (testdata / "pad-uae").iterdir():
        if part.suffix != ".shx":
            shutil.copy(part, tmp_path / part.name)
    with pytest.raises(DomainError, match="no .shx file"):
        import_protected_areas(tmp_path / "pad-united-arab-emirates.shp")


def test_zip_with_nothing_usable(tmp_path):
    archive = tmp_path / "junk.zip"
    with zipfile.ZipFile(archive, "w") as zf:
        zf.writestr("readme.txt", "no data here")
    with pytest.raises(DomainError, match="contains no Shapefile"):
        import_protected_areas(archive)


def test_not_a_zip(tmp_path):
    archive = tmp_path / "fake.zip"
    archive.write_text("plain text")
    with pytest.raises(DomainError, match="not a valid .zip"):
        import_protected_areas(archive)


def test_mapping_to_missing_column(testdata):
    with pytest.raises(DomainError, match="no column 'nope'"):
        import_protected_areas(testdata / US_PARKS, field_map={"name": "nope", "key": "unit_code"})


# --- the command ---------------------------------------------------------------------------------------


def test_command_json_summary_on_last_line(testdata, capsys):
    call_command("import_protected_areas", str(testdata / US_PARKS), "--map", "name=unit_name,key=unit_code", "--json")
    last = capsys.readouterr().out.strip().splitlines()[-1]
    assert json.loads(last) == {"created": 61, "updated": 0, "unchanged": 0, "repaired": 0, "rejected": 0, "errors": []}


def test_command_fails_on_unreadable_file(tmp_path):
    path = tmp_path / "broken.geojson"
    path.write_text("nope", encoding="utf-8")
    with pytest.raises(CommandError, match="Could not read"):
        call_command("import_protected_areas", str(path), "--json")


def test_kml(testdata, tmp_path):
    import subprocess

    out = tmp_path / "laos.kml"
    subprocess.run(["ogr2ogr", "-f", "KML", str(out), str(testdata / LAOS)], check=True)

    summary = import_protected_areas(out, field_map={"key": "WDPAID", "name": "ORIG_NAME"}, source="kml")

    assert summary.created == 2 and summary.rejected == 0
    assert ProtectedArea.objects.get(key="kml:303039").name == "Phong Điền"
    assert ProtectedArea.objects.get(key="kml:303039").area_km2 == pytest.approx(415.08, rel=0.04)


def test_shapefile_without_prj_rejects_features_for_unknown_crs(testdata, tmp_path):
    for part in (testdata / "pad-uae").iterdir():
        if part.suffix != ".prj":
            shutil.copy(part, tmp_path / part.name)

    summary = import_protected_areas(tmp_path / "pad-united-arab-emirates.shp")

    assert summary.created == 0 and summary.rejected == 50
    assert summary.errors[0]["reason"].startswith("unknown CRS")


def _many_squares(path, count):
    with path.open("w", encoding="utf-8") as out:
        out.write('{"type": "FeatureCollection", "features": [')
        for i in range(count):
            lon, lat = -170 + (i % 300) * 1.1, -60 + (i // 300) * 0.9
            ring = [[lon, lat], [lon + 0.5, lat], [lon + 0.5, lat + 0.5], [lon, lat + 0.5], [lon, lat]]
            feature = _feature({"WDPAID": i + 1, "NAME": f"Site {i}"}, {"type": "Polygon", "coordinates": [ring]})
            out.write(("," if i else "") + json.dumps(feature))
        out.write("]}")


def test_memory_stays_flat_as_files_grow(tmp_path, monkeypatch):
    import tracemalloc

    from protected_areas.importer import reader

    peaks = {}
    # The smaller file must already fill the reading pipeline (a few batches in flight on each of the
    # writers' streams), hence small batches: at 1,000, 2,000 features were one batch per stream, and
    # whether 8,000 filled it depended on how far reading ran ahead of the writers.
    monkeypatch.setattr(reader, "BATCH_SIZE", 250)
    for count in (2000, 8000):
        path = tmp_path / f"{count}.geojson"
        _many_squares(path, count)
        tracemalloc.start()
        summary = import_protected_areas(path, source=str(count))
        peaks[count] = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
        assert summary.created + summary.unchanged == count
    # Four times the features, about the same Python memory: nothing is held per feature.
    assert peaks[8000] < peaks[2000] * 1.5, peaks


@pytest.mark.parametrize("driver", ["GeoJSON", "GPKG"])  # read feature by feature, and in columns (Arrow)
def test_rings_postgis_refuses_reject_their_feature_not_the_import(tmp_path, driver):
    # A ring of fewer than 4 points, an empty outer ring, or a ring that does not close: PostGIS refuses
    # such WKB outright ("Polygon must have at least four points in each ring"), which stopped the import.
    path = tmp_path / "rings.geojson"
    outer = [[10, 10], [11, 10], [11, 11], [10, 11], [10, 10]]
    _write_geojson(
        path,
        [
            _feature({"WDPAID": 1, "NAME": "Fine"}, {"type": "Polygon", "coordinates": [outer]}),
            _feature(
                {"WDPAID": 2, "NAME": "Empty outer ring"},
                {"type": "Polygon", "coordinates": [[], [[10.2, 10.2], [10.4, 10.2], [10.4, 10.4], [10.2, 10.2]]]},
            ),
            _feature(
                {"WDPAID": 3, "NAME": "Three points"},
                {"type": "Polygon", "coordinates": [[[12, 12], [13, 12], [12, 12]]]},
            ),
            _feature(
                {"WDPAID": 4, "NAME": "Open ring"},
                {"type": "Polygon", "coordinates": [[[20, 20], [21, 20], [21, 21], [20, 21]]]},
            ),
            _feature(
                {"WDPAID": 5, "NAME": "Short hole in a part"},
                {"type": "MultiPolygon", "coordinates": [[outer, [[10.2, 10.2], [10.4, 10.2], [10.2, 10.2]]]]},
            ),
            _feature({"WDPAID": 6, "NAME": "Fine too"}, {"type": "MultiPolygon", "coordinates": [[outer]]}),
        ],
    )
    if driver == "GPKG":
        converted = tmp_path / "rings.gpkg"
        subprocess.run(["ogr2ogr", "-f", "GPKG", str(converted), str(path)], check=True, capture_output=True)
        path = converted

    summary = import_protected_areas(path)

    assert (summary.created, summary.rejected) == (2, 4)
    reasons = {e["feature"]: e["reason"] for e in summary.errors}
    assert set(reasons) == {2, 3, 4, 5}
    assert all(r == "unusable geometry: a ring has fewer than 4 points or is not closed" for r in reasons.values())
    assert set(ProtectedArea.objects.values_list("name", flat=True)) == {"Fine", "Fine too"}
