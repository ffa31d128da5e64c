"""The WDPA's shapefile download as people have it: one .zip holding `…_shp_0.zip` to `…_shp_2.zip`, each
with its share of the boundaries (`…_shp-polygons`) and of the sites known only as points (`…_shp-points`),
beside the sources table and a README. Imported as it came, it is one file in parts: a layer is read from
every part in turn. Made here with GDAL's own writer from the real WDPA samples."""

import io
import os
import subprocess
import tempfile
import zipfile
from pathlib import Path

import pytest
from django.core.management import call_command
from django.utils import translation

from core.errors import DomainError
from core.models import Job
from protected_areas.import_wizard import preview_job_run
from protected_areas.importer import files
from protected_areas.models import ProtectedArea
from protected_areas.services import import_job_run, import_protected_areas
from protected_areas.tests.wizard import previewed

pytestmark = pytest.mark.django_db

LAOS = "wdpa-mapme-samples/wdpa_laos.gpkg"  # Phong Dien (303039) and Dakrong (10384), Viet Nam
SHELL_BEACH = "wdpa-mapme-samples/shell_beach_protected_area_41057_B.gpkg"
RELEASE = "WDPA_WDOECM_Dec2026_Public_VNM_shp"
POLYGONS = f"{RELEASE}-polygons"
POINTS = f"{RELEASE}-points"
SHP_FILES = (".shp", ".shx", ".dbf", ".prj", ".cpg")


def ogr2ogr(*args: str) -> None:
    subprocess.run(["ogr2ogr", "-f", "ESRI Shapefile", *args], check=True, capture_output=True)


def shapefile(folder: Path, name: str, source: Path, where: str, *, points: bool = False, append: bool = False) -> None:
    layer = source.stem
    geometry = "ST_PointOnSurface(geom)" if points else "geom"
    sql = f"SELECT WDPAID, NAME, DESIG_ENG, ISO3, {geometry} AS geom FROM {layer} WHERE {where}"  # noqa: S608 (GDAL's, on a test file)
    args = [str(folder / f"{name}.shp"), str(source), "-dialect", "sqlite", "-sql", sql, "-nln", name]
    args += ["-nlt", "POINT" if points else "MULTIPOLYGON", "-lco", "ENCODING=UTF-8"]
    ogr2ogr(*(["-append", "-update"] if append else []), *args)


def no_points(folder: Path, like: Path) -> None:
    """An empty points shapefile with the columns of the one in `like` (a part without point-only sites)."""
    ogr2ogr(str(folder / f"{POINTS}.shp"), str(like / f"{POINTS}.shp"), "-where", "WDPAID < 0", "-nln", POINTS)


def part_zip(folder: Path, archive: Path) -> None:
    """A part as the WDPA packs it: the points' files before the polygons'."""
    with zipfile.ZipFile(archive, "w", zipfile.ZIP_DEFLATED) as zf:
        for name in (POINTS, POLYGONS):
            for suffix in SHP_FILES:
                if (folder / f"{name}{suffix}").exists():
                    zf.write(folder / f"{name}{suffix}", f"{name}{suffix}")


@pytest.fixture
def download(testdata, tmp_path) -> Path:
    """Part 0: Phong Dien's boundary and Shell Beach as a point; part 1: Dakrong; part 2: Phong Dien's
    boundary again (a repeat across parts, feature 3 of the layer; the WDPA has none, but a file may)."""
    laos, shell = testdata / LAOS, testdata / SHELL_BEACH
    parts = []
    for number in range(3):
        folder = tmp_path / f"part{number}"
        folder.mkdir()
        if number == 0:
            shapefile(folder, POLYGONS, laos, "WDPAID = 303039")
            shapefile(folder, POINTS, shell, "1", points=True)
        elif number == 1:
            shapefile(folder, POLYGONS, laos, "WDPAID = 10384")
            no_points(folder, tmp_path / "part0")
        else:
            shapefile(folder, POLYGONS, laos, "WDPAID = 303039")
            no_points(folder, tmp_path / "part0")
        part = tmp_path / f"{RELEASE}_{number}.zip"
        part_zip(folder, part)
        parts.append(part)
    archive = tmp_path / "download" / f"{RELEASE}.zip"
    archive.parent.mkdir()
    with zipfile.ZipFile(archive, "w", zipfile.ZIP_STORED) as zf:
        zf.writestr("WDPA_sources_Dec2026.csv", "METADATAID,DATA_TITLE\n1,Protected areas of Viet Nam\n")
        for part in parts:
            zf.write(part, part.name)
        zf.writestr("Shapefile_splitting_README.txt", "The shapefile is split into three parts.\n")
    return archive


def unpacked_folders() -> set[str]:
    return {p.name for p in Path(tempfile.gettempdir()).glob("greenlist-import-parts-*")}


def test_the_download_as_it_came_imports_the_boundaries_of_every_part(download):
    folders_before = unpacked_folders()

    summary = import_protected_areas(download, source="WDPA Dec2026")

    # then the boundaries (not the points, which come first in each part), from all three parts
    assert summary.layer == POLYGONS and summary.total == 3
    assert (summary.created, summary.rejected) == (2, 1)
    areas = ProtectedArea.objects.filter(geom__isnull=False)
    assert sorted(areas.values_list("wdpa_id", flat=True)) == [10384, 303039]
    phong_dien = ProtectedArea.objects.get(wdpa_id=303039)
    assert phong_dien.name == "Phong Dien" and phong_dien.iso3 == ["VNM"] and phong_dien.key == "wdpa:303039"
    # and features are numbered on across the parts: Phong Dien's repeat in the last part is the 3rd
    assert summary.errors[0]["feature"] == 3 and "feature 1" in summary.errors[0]["reason"]
    # and the parts were unpacked into a folder that is gone again
    assert unpacked_folders() == folders_before


def test_a_second_import_changes_nothing_and_the_points_are_the_other_layer(download):
    import_protected_areas(download, source="WDPA Dec2026")

    again = import_protected_areas(download, source="WDPA Dec2026")
    assert (again.created, again.updated, again.unchanged) == (0, 0, 2)

    points = import_protected_areas(download, layer=POINTS, source="WDPA Dec2026")
    assert points.layer == POINTS and points.total == 1 and points.created == 1
    shell_beach = ProtectedArea.objects.get(wdpa_id=41057)
    assert shell_beach.geom is None and shell_beach.point is not None


def test_the_command_line_lists_the_layers_and_imports_the_one_named(download, capsys):
    call_command("import_protected_areas", str(download), "--layers")
    assert capsys.readouterr().out.splitlines() == [
        f"{POINTS}: points, 1 records in 3 parts",
        f"{POLYGONS}: boundaries, 3 records in 3 parts  (read without --layer)",
    ]
    assert not ProtectedArea.objects.exists()

    call_command("import_protected_areas", str(download), "--layer", POINTS)
    assert "1 created" in capsys.readouterr().out
    assert ProtectedArea.objects.get().wdpa_id == 41057


def test_the_wizard_lists_each_layer_with_its_records_in_all_parts(client, staff, download):
    client.force_login(staff)
    job = previewed(client, download)

    assert job.status == "done" and job.result["summary"]["created"] == 2
    assert [(lyr["name"], lyr["holds"], lyr["records"], lyr["parts"], lyr["read"]) for lyr in job.result["layers"]] == [
        (POINTS, "points", 1, 3, False),
        (POLYGONS, "boundaries", 3, 3, True),
    ]
    assert not ProtectedArea.objects.exists()
    with translation.override("fr"):
        page = client.get(f"/areas/import/{job.pk}/", HTTP_ACCEPT_LANGUAGE="fr").content.decode()
    assert "3 enregistrements en 3 parties" in page and "lue par cet import" in page
    # and the dry run's counts agree with their numbers, and each rejected record says why, by number
    assert (
        '"created">2</strong> <span data-result-word="created" data-word-one="créée" data-word-other="créées">créées<'
        in page
    )
    assert 'data-word-other="rejetées">rejetée<' in page and 'data-word-other="mises à jour">mise à jour<' in page
    # (the reason in the language the preview ran in: the test's worker ran it in English)
    assert "<li>Entité 3 : duplicate of feature 1 (same identity wdpa:303039)</li>" in spaced(page)

    # and once imported, the import's page says the same
    client.post(f"/areas/import/{job.pk}/confirm/", {})
    real = Job.objects.filter(kind="protected_area_import").latest("id")
    import_job_run(real.pk)  # what the worker does
    with translation.override("fr"):
        page = client.get(f"/areas/import/{real.pk}/", HTTP_ACCEPT_LANGUAGE="fr").content.decode()
    assert ProtectedArea.objects.count() == 2
    assert 'data-result-word="rejected" data-word-one="rejetée" data-word-other="rejetées">rejetée<' in page
    assert 'data-result-word="created" data-word-one="créée" data-word-other="créées">créées<' in page
    assert "<li>Entité 3 : duplicate of feature 1 (same identity wdpa:303039)</li>" in spaced(page)


def test_a_preview_unpacks_the_download_once(client, staff, download, monkeypatch):
    # Its columns, its layers and the dry run are all read from one opening: the whole WDPA's download
    # is gigabytes, and it was unpacked once for the overview and again for the dry run.
    unpacked = []
    unpack = files._unpack_parts

    def counted(*args, **kwargs):
        unpacked.append(args[0])
        return unpack(*args, **kwargs)

    monkeypatch.setattr(files, "_unpack_parts", counted)
    client.force_login(staff)
    job = previewed(client, download)

    assert job.status == "done" and job.result["summary"]["created"] == 2 and len(job.result["layers"]) == 2
    assert len(unpacked) == 1


def test_the_other_layer_is_previewed_from_the_file_already_uploaded(client, staff, download):
    client.force_login(staff)
    boundaries = previewed(client, download)
    page = client.get(f"/areas/import/{boundaries.pk}/").content.decode()
    assert page.count('name="layer" value="') == 1 and f'name="layer" value="{POINTS}"' in page

    # when staff ask for the points from the boundaries' preview: no upload
    response = client.post(f"/areas/import/{boundaries.pk}/layer/", {"layer": POINTS})
    points = Job.objects.filter(kind="protected_area_import_preview").latest("id")
    assert response.status_code == 302 and response["Location"] == f"/areas/import/{points.pk}/"
    assert points.pk != boundaries.pk and points.params["layer"] == POINTS
    assert points.params["source"] == boundaries.params["source"]
    preview_job_run(points.pk)  # what the worker does
    points.refresh_from_db()

    # then the preview is of the point-only sites, from the same file, and nothing is saved yet
    assert points.status == "done" and points.result["summary"]["created"] == 1
    assert [lyr["read"] for lyr in points.result["layers"]] == [True, False]
    assert points.input_file.read() == download.read_bytes()
    assert not ProtectedArea.objects.exists()


def test_only_a_layer_the_file_has_is_previewed_and_only_by_staff(client, staff, outsider, site_manager, download):
    client.force_login(staff)
    boundaries = previewed(client, download)
    jobs = Job.objects.count()

    # a layer the file does not have: said on the page, no job
    response = client.post(f"/areas/import/{boundaries.pk}/layer/", {"layer": "WDPA_source"})
    assert response.status_code == 400 and "has no layer &#x27;WDPA_source&#x27; to import" in response.content.decode()
    assert client.get(f"/areas/import/{boundaries.pk}/layer/").status_code == 405

    # people who do not import (a site manager, anyone else): refused, no job
    for person in (outsider, site_manager):
        client.force_login(person)
        response = client.post(f"/areas/import/{boundaries.pk}/layer/", {"layer": POINTS})
        assert response.status_code in (403, 404), person
    assert Job.objects.count() == jobs


def spaced(page: str) -> str:
    """French puts a (narrow) no-break space before a colon."""
    return page.replace("\u202f", " ").replace("\xa0", " ")


def test_a_plain_zip_of_points_then_polygons_gives_the_boundaries(download, tmp_path):
    # one part on its own (unpacked from the download): the boundaries, whatever the members' order
    with zipfile.ZipFile(download) as zf:
        part = Path(zf.extract(f"{RELEASE}_0.zip", tmp_path / "one"))
    summary = import_protected_areas(part, source="WDPA Dec2026")
    assert summary.layer == POLYGONS and summary.created == 1
    assert ProtectedArea.objects.get().wdpa_id == 303039


def write_outer(archive: Path, members: dict[str, bytes]) -> Path:
    with zipfile.ZipFile(archive, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, data in members.items():
            zf.writestr(name, data)
    return archive


def inner_zip(members: dict[str, bytes]) -> bytes:
    path = Path(tempfile.mkstemp(suffix=".zip")[1])
    try:
        write_outer(path, members)
        return path.read_bytes()
    finally:
        path.unlink()


def refused(archive: Path) -> DomainError:
    with pytest.raises(DomainError) as caught:
        import_protected_areas(archive)
    assert not ProtectedArea.objects.exists()
    return caught.value


def test_a_part_that_would_unpack_to_far_more_than_data_takes_is_not_read(tmp_path):
    bomb = inner_zip({"parks.geojson": b'{"type": "FeatureCollection", "features": []}' + b" " * (80 * 1024 * 1024)})
    error = refused(write_outer(tmp_path / "download.zip", {"parks_shp_0.zip": bomb}))
    assert error.code == "import_zip_too_large" and "parks_shp_0.zip would unpack to 84 MB" in error.message


def test_parts_holding_zips_again_are_refused(tmp_path):
    deeper = inner_zip({"inner.zip": inner_zip({"parks.geojson": b"{}"})})
    error = refused(write_outer(tmp_path / "download.zip", {"parks_shp_0.zip": deeper}))
    assert error.code == "import_zip_empty" and "parks_shp_0.zip contains no Shapefile" in error.message


def test_a_part_that_is_not_a_zip_is_named(tmp_path):
    error = refused(write_outer(tmp_path / "download.zip", {"parks_shp_0.zip": b"not a zip at all"}))
    assert error.code == "import_file_unreadable" and "parks_shp_0.zip is not a valid .zip archive" in error.message


def test_a_part_damaged_in_the_download_is_named(tmp_path):
    part = inner_zip({"parks.geojson": os.urandom(300_000)})  # does not compress: the part fills the download
    archive = write_outer(tmp_path / "download.zip", {"parks_shp_0.zip": part})
    data = bytearray(archive.read_bytes())
    data[150_000:150_100] = bytes(100)  # bytes lost in the middle of the part
    archive.write_bytes(bytes(data))
    error = refused(archive)
    assert error.code == "import_file_unreadable"
    assert "its part parks_shp_0.zip could not be unpacked (the archive is damaged)" in error.message


def test_too_many_parts_are_refused_before_any_is_unpacked(tmp_path):
    part = inner_zip({"parks.geojson": b"{}"})
    members = {f"parks_shp_{n}.zip": part for n in range(files.MAX_PARTS + 1)}
    error = refused(write_outer(tmp_path / "download.zip", members))
    assert f"holds {files.MAX_PARTS + 1} .zip files" in error.message


def test_a_part_named_to_climb_out_is_unpacked_inside_our_folder(tmp_path, testdata):
    subprocess.run(
        ["ogr2ogr", "-f", "GeoJSON", str(tmp_path / "laos.geojson"), str(testdata / LAOS)],
        check=True,
        capture_output=True,
    )
    geojson = (tmp_path / "laos.geojson").read_bytes()
    archive = tmp_path / "deep" / "down" / "download.zip"
    archive.parent.mkdir(parents=True)
    write_outer(archive, {"../../escaped.zip": inner_zip({"laos.geojson": geojson})})

    summary = import_protected_areas(archive, source="WDPA")

    assert summary.created == 2
    assert not list(tmp_path.rglob("escaped.zip"))  # written nowhere near the upload
    assert not (Path(tempfile.gettempdir()).parent / "escaped.zip").exists()


def test_parts_whose_columns_differ_are_not_read_as_one(tmp_path, testdata):
    laos = testdata / LAOS
    folders = []
    for number, columns in enumerate(("WDPAID, NAME", "WDPAID, NAME, ISO3")):
        folder = tmp_path / f"p{number}"
        folder.mkdir()
        sql = f"SELECT {columns}, geom FROM wdpa_laos"  # noqa: S608 (GDAL's SQL on a test file)
        ogr2ogr(str(folder / "parks.shp"), str(laos), "-dialect", "sqlite", "-sql", sql, "-nln", "parks")
        folders.append(folder)
    members = {}
    for number, folder in enumerate(folders):
        members[f"parks_{number}.zip"] = inner_zip(
            {f"parks{suffix}": (folder / f"parks{suffix}").read_bytes() for suffix in SHP_FILES[:4]}
        )
    error = refused(write_outer(tmp_path / "parks.zip", members))
    assert "other columns in part 2 than in the first" in error.message


@pytest.fixture
def with_metadata(download, tmp_path) -> Path:
    """Dakrong's part of the download, with a metadata file named .json that is not GeoJSON."""
    with zipfile.ZipFile(download) as zf:
        part = zf.read(f"{RELEASE}_1.zip")
    members = {"metadata.json": b'{"title": "not GeoJSON"}'}
    with zipfile.ZipFile(io.BytesIO(part)) as zf:
        members.update({name: zf.read(name) for name in zf.namelist()})
    return write_outer(tmp_path / "dakrong.zip", members)


def test_a_zip_with_a_metadata_json_beside_the_shapefile_reads_the_shapefile(with_metadata):
    summary = import_protected_areas(with_metadata, source="WDPA Dec2026")
    assert summary.layer == POLYGONS and summary.created == 1


def test_the_wizard_names_what_it_left_out_of_a_zip(client, staff, with_metadata):
    client.force_login(staff)
    job = previewed(client, with_metadata)
    assert job.result["left_out"] == ["metadata.json"] and job.result["summary"]["created"] == 1
    with translation.override("fr"):
        page = client.get(f"/areas/import/{job.pk}/", HTTP_ACCEPT_LANGUAGE="fr").content.decode()
    assert "Non lu, son contenu n’étant pas ce que dit son nom : metadata.json." in page


# --- KMZ: KML zipped, as Google Earth and My Maps save it --------------------------------------------


@pytest.fixture
def kmz(testdata, tmp_path) -> Path:
    """doc.kml (written by GDAL from the real WDPA sample) and an image beside it, as Google Earth packs them."""
    kml = tmp_path / "doc.kml"
    subprocess.run(["ogr2ogr", "-f", "KML", str(kml), str(testdata / LAOS)], check=True, capture_output=True)
    archive = tmp_path / "reserves.kmz"
    with zipfile.ZipFile(archive, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.write(kml, "doc.kml")
        zf.writestr("files/logo.png", b"\x89PNG\r\n\x1a\n")
    return archive


def test_a_kmz_is_read_as_its_kml(kmz):
    summary = import_protected_areas(kmz, source="WDPA")
    assert (summary.created, summary.rejected) == (2, 0)
    phong_dien = ProtectedArea.objects.get(wdpa_id=303039)
    assert phong_dien.geom is not None and phong_dien.iso3 == ["VNM"]


def test_the_import_page_takes_a_kmz(client, staff, kmz):
    client.force_login(staff)
    job = previewed(client, kmz)
    assert job.status == "done" and job.result["summary"]["created"] == 2


def test_a_kmz_without_kml_or_too_big_is_refused(tmp_path):
    empty = write_outer(tmp_path / "photos.kmz", {"files/logo.png": b"\x89PNG\r\n\x1a\n"})
    error = refused(empty)
    assert error.code == "import_zip_empty" and "photos.kmz contains no" in error.message
    bomb = write_outer(tmp_path / "bomb.kmz", {"doc.kml": b"<kml>" + b" " * (80 * 1024 * 1024)})
    assert refused(bomb).code == "import_zip_too_large"
