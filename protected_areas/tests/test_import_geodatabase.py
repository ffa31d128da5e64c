"""Esri File Geodatabases, the format the WDPA itself is published in (besides shapefiles): a folder of
files, uploaded as a .zip, holding the boundaries and the point-only sites in two layers beside tables
without geometries. Made here with GDAL's own writer from the real WDPA samples."""

import subprocess
import zipfile
from pathlib import Path

import pytest
from django.core.management import call_command
from django.utils import translation

from core.errors import DomainError
from protected_areas.import_wizard import file_overview
from protected_areas.importer import files
from protected_areas.models import ProtectedArea
from protected_areas.services import import_protected_areas
from protected_areas.tests.wizard import previewed

pytestmark = pytest.mark.django_db

LAOS = "wdpa-mapme-samples/wdpa_laos.gpkg"
SHELL_BEACH = "wdpa-mapme-samples/shell_beach_protected_area_41057_B.gpkg"


def ogr2ogr(*args: str) -> None:
    subprocess.run(["ogr2ogr", "-f", "OpenFileGDB", *args], check=True, capture_output=True)


@pytest.fixture
def wdpa_gdb(testdata, tmp_path) -> Path:
    """A geodatabase laid out like a WDPA download: a table of sources first (no geometry), then
    the boundaries, then the sites known only as points."""
    gdb = tmp_path / "WDPA_Dec2026_Public" / "WDPA_Dec2026_Public.gdb"
    gdb.parent.mkdir()
    sources = tmp_path / "sources.csv"
    sources.write_text("METADATAID,DATA_TITLE\n1,National protected areas of Viet Nam\n", encoding="utf-8")
    ogr2ogr(str(gdb), str(sources), "-nln", "WDPA_source")
    ogr2ogr("-update", str(gdb), str(testdata / LAOS), "-nln", "WDPA_poly_Dec2026", "-nlt", "MULTIPOLYGON")
    ogr2ogr(
        "-update",
        str(gdb),
        str(testdata / SHELL_BEACH),
        "-nln",
        "WDPA_point_Dec2026",
        "-nlt",
        "POINT",
        "-dialect",
        "sqlite",
        "-sql",
        "SELECT WDPAID, NAME, DESIG_ENG, ISO3, ST_PointOnSurface(geom) AS geom FROM shell_beach_protected_area_41057_B",
    )
    return gdb


def zip_folder(folder: Path, archive: Path) -> Path:
    with zipfile.ZipFile(archive, "w", zipfile.ZIP_DEFLATED) as zf:
        for member in sorted(folder.parent.rglob("*")):
            zf.write(member, member.relative_to(folder.parent.parent))
    return archive


def test_a_zipped_wdpa_geodatabase_gives_its_boundaries_then_its_points(wdpa_gdb, tmp_path):
    archive = zip_folder(wdpa_gdb, tmp_path / "WDPA_Dec2026_Public.gdb.zip")

    # when imported as it was downloaded: the boundaries' layer, though the table of sources comes first
    summary = import_protected_areas(archive, source="WDPA Dec2026")

    # then the two reserves in Viet Nam, with their WDPA attributes
    assert summary.layer == "WDPA_poly_Dec2026" and summary.created == 2 and summary.rejected == 0
    phong_dien = ProtectedArea.objects.get(wdpa_id=303039)
    assert phong_dien.key == "wdpa:303039" and phong_dien.orig_name == "Phong Điền"
    assert phong_dien.iucn_category == "IV" and phong_dien.status_year == 2014 and phong_dien.iso3 == ["VNM"]
    assert phong_dien.area_km2 == pytest.approx(415.08, rel=0.04)
    assert phong_dien.attributes["VERIF"] == "State Verified"
    # and the point-only sites are the other layer, named
    points = import_protected_areas(archive, layer="WDPA_point_Dec2026", source="WDPA Dec2026")
    assert points.created == 1
    shell_beach = ProtectedArea.objects.get(wdpa_id=41057)
    assert shell_beach.geom is None and shell_beach.point is not None
    # and a second import of the same download changes nothing
    again = import_protected_areas(archive, source="WDPA Dec2026")
    assert (again.created, again.updated, again.unchanged) == (0, 0, 2)


def test_the_geodatabase_folder_itself_from_the_command_line(wdpa_gdb, capsys):
    call_command("import_protected_areas", str(wdpa_gdb), "--json")
    assert '"created": 2' in capsys.readouterr().out
    assert ProtectedArea.objects.filter(wdpa_id__in=[303039, 10384]).count() == 2


def test_the_wizard_shows_the_boundaries_columns_of_a_geodatabase(wdpa_gdb, tmp_path):
    archive = zip_folder(wdpa_gdb, tmp_path / "wdpa.zip")
    with files.open_file(archive) as opened:
        names = [column["name"] for column in file_overview(opened, None)["columns"]]
    assert "WDPAID" in names and "DESIG_ENG" in names and "DATA_TITLE" not in names


def test_a_layer_the_geodatabase_does_not_have_is_refused_with_the_ones_it_has(wdpa_gdb, tmp_path):
    archive = zip_folder(wdpa_gdb, tmp_path / "wdpa.zip")
    with pytest.raises(DomainError, match="has no layer 'WDPA_polygons'; its layers are: WDPA_source, WDPA_poly"):
        import_protected_areas(archive, layer="WDPA_polygons")
    assert not ProtectedArea.objects.exists()


def test_a_zip_that_would_unpack_to_far_more_than_data_takes_is_not_read(tmp_path):
    # a member of zeros compresses about a thousand times: no boundaries do
    archive = tmp_path / "parks.zip"
    with zipfile.ZipFile(archive, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("parks.geojson", b'{"type": "FeatureCollection", "features": []}' + b" " * (80 * 1024 * 1024))
    assert archive.stat().st_size * files.ZIP_MAX_RATIO < files.ZIP_EXPANSION_FLOOR
    with pytest.raises(DomainError, match="parks.zip would unpack to 84 MB") as refused:
        import_protected_areas(archive)
    assert refused.value.code == "import_zip_too_large"


def test_the_wizard_previews_a_zipped_geodatabase_and_names_its_layers(client, staff, wdpa_gdb, tmp_path):
    archive = zip_folder(wdpa_gdb, tmp_path / "WDPA_Dec2026_Public.zip")
    client.force_login(staff)

    # when staff upload the download as it came, for a preview
    job = previewed(client, archive)

    # then the dry run is of the boundaries, and the page says which layers the file has
    assert job.status == "done" and job.result["summary"]["created"] == 2
    assert [(layer["name"], layer["holds"], layer["records"], layer["read"]) for layer in job.result["layers"]] == [
        ("WDPA_source", "table", 1, False),
        ("WDPA_poly_Dec2026", "boundaries", 2, True),
        ("WDPA_point_Dec2026", "points", 1, False),
    ]
    assert not ProtectedArea.objects.exists()
    with translation.override("fr"):
        page = client.get(f"/areas/import/{job.pk}/", HTTP_ACCEPT_LANGUAGE="fr").content.decode()
    assert "3 couches dans ce fichier" in page
    assert "sites connus seulement par un point" in page and "lue par cet import" in page
