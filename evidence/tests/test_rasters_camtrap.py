"""Rasters over Sierra de Neiba and the camtrapR study, checked against independent computations."""

import csv
import io
import zipfile
from collections import Counter

import numpy as np
import pytest
from django.contrib.gis.gdal import CoordTransform, GDALRaster, SpatialReference
from django.contrib.gis.geos import Point

from accounts.tests.factories import Role, make_user

pytestmark = pytest.mark.django_db
UTM_50N = 32650  # Sabah, Borneo


@pytest.fixture
def neiba_assessment(neiba, make_assessment):
    manager = make_user(Role.SITE_MANAGER, email="neiba@example.org", protected_area=neiba)
    return make_assessment(neiba, manager), manager


def brute_force_stats(path, boundary, nodata):
    """Pixel-centre-in-polygon for every pixel of the raster: slow, simple, independent."""
    raster = GDALRaster(str(path))
    gt = raster.geotransform
    data = np.asarray(raster.bands[0].data()).reshape(raster.height, raster.width)
    prepared = boundary.prepared
    values = []
    inside = 0
    for r in range(raster.height):
        y = gt[3] + (r + 0.5) * gt[5]
        for c in range(raster.width):
            if prepared.contains(Point(gt[0] + (c + 0.5) * gt[1], y)):
                inside += 1
                if data[r, c] != nodata:
                    values.append(int(data[r, c]))
    return inside, np.array(values)


def test_nasadem_zonal_stats_recomputed(neiba_assessment, neiba, upload, processed, testdata):
    assessment, manager = neiba_assessment
    path = testdata / "neiba-zonal/NASADEM_HGT_n18w072.tif"
    item = processed(upload(assessment, manager, path))
    assert item.processing_status == "ready", item.status_reason
    stats = item.facts.raster_stats
    assert item.facts.kind == "raster"
    inside, values = brute_force_stats(path, neiba.geom, 65535)
    assert stats["pixels_in_zone"] == inside
    assert stats["valid_pixels"] == values.size
    assert stats["mean"] == pytest.approx(values.mean(), abs=0.01)
    assert stats["min"] == values.min() and stats["max"] == values.max()
    assert stats["mean"] > 0  # not the stored, wrong -9999
    assert stats["categorical"] is False
    assert item.facts.location_check == "outside"  # the tile reaches beyond the site
    assert item.facts.distance_km == 0


def test_land_cover_class_shares(neiba_assessment, neiba, upload, processed, testdata):
    assessment, manager = neiba_assessment
    path = testdata / "neiba-zonal/W080N20_LC100_v3.0.1_2019.tif"
    stats = processed(upload(assessment, manager, path)).facts.raster_stats
    inside, values = brute_force_stats(path, neiba.geom, 255)
    assert stats["categorical"] is True
    expected = {str(k): v / values.size for k, v in Counter(values.tolist()).items()}
    assert stats["class_shares"].keys() == expected.keys()
    for code, share in expected.items():
        assert stats["class_shares"][code] == pytest.approx(share, abs=1e-5)
    assert sum(stats["class_shares"].values()) == pytest.approx(1.0, abs=1e-4)
    assert 0 < stats["valid_share"] <= 1


def test_tree_cover_valid_share(neiba_assessment, neiba, upload, processed, testdata):
    assessment, manager = neiba_assessment
    path = testdata / "neiba-zonal/Hansen_GFC-2023-v1.11_treecover2000_20N_080W.tif"
    stats = processed(upload(assessment, manager, path)).facts.raster_stats
    inside, values = brute_force_stats(path, neiba.geom, 255)
    assert stats["valid_share"] == pytest.approx(values.size / inside, abs=1e-6)
    assert 0 <= stats["min"] <= stats["mean"] <= stats["max"] <= 100


# --- camera traps -------------------------------------------------------------------------------


def station_positions(testdata) -> dict[str, tuple[float, float]]:
    transform = CoordTransform(SpatialReference(UTM_50N), SpatialReference(4326))
    out = {}
    with open(testdata / "img-camtrapR/camtraps_stations.csv") as handle:
        for row in csv.DictReader(handle):
            p = Point(float(row["utm_x"]), float(row["utm_y"]), srid=UTM_50N)
            p.transform(transform)
            out[row["Station"]] = (p.x, p.y)
    return out


@pytest.fixture
def sabah(db, testdata):
    """A site holding stations A and B; station C lies outside."""
    from django.contrib.gis.geos import MultiPolygon

    from protected_areas.tests.factories import ProtectedAreaFactory

    pos = station_positions(testdata)
    pts = [Point(*pos["StationA"]), Point(*pos["StationB"])]
    zone = MultiPolygon(pts[0].union(pts[1]).envelope.buffer(0.005), srid=4326)
    area = ProtectedAreaFactory(name="Sabah study", iso3=["MYS"], parent_iso3=["MYS"], geom=zone)
    assert not zone.contains(Point(*pos["StationC"]))
    return area


def test_species_folder_study(sabah, make_assessment, upload, processed, testdata):
    manager = make_user(Role.SITE_MANAGER, protected_area=sabah)
    assessment = make_assessment(sabah, manager)
    study = testdata / "img-camtrapR/sample_images_species_dir"
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        for f in sorted(study.rglob("*.JPG")):
            z.write(f, f"study/{f.relative_to(study)}")
        stations = (testdata / "img-camtrapR/camtraps_stations.csv").read_text().splitlines()
        z.writestr("study/stations.csv", "\n".join([stations[0] + ",epsg"] + [s + f",{UTM_50N}" for s in stations[1:]]))
    item = processed(upload(assessment, manager, buf.getvalue(), name="sabah-2009.zip"))
    assert item.processing_status == "ready", item.status_reason
    summary = item.facts.camera_trap
    expected = Counter((f.parent.name, f.parent.parent.name) for f in study.rglob("*.JPG"))
    got = {(s["name"], dep): n for s in summary["species"] for dep, n in s["by_deployment"].items()}
    assert got == dict(expected)
    assert summary["images"] == sum(expected.values()) == 68
    deployments = {d["id"]: d for d in summary["deployments"]}
    assert deployments["StationA"]["location_check"] == "inside"
    assert deployments["StationC"]["location_check"] == "outside" and deployments["StationC"]["distance_km"] > 0
    assert summary["first"].startswith("2009-04") and summary["last"].startswith("2009-05")
    assert item.facts.location_check == "outside"  # not every station is inside
    assert item.facts.in_period is True


def test_camtrap_dp_package(sabah, make_assessment, upload, processed, testdata):
    manager = make_user(Role.SITE_MANAGER, protected_area=sabah)
    assessment = make_assessment(sabah, manager)
    pos = station_positions(testdata)
    with open(testdata / "img-camtrapR/recordTableSample.csv") as handle:
        records = list(csv.DictReader(handle))
    deployments = "deploymentID,locationName,latitude,longitude\n" + "".join(
        f"dep-{s},{s},{lat},{lon}\n" for s, (lon, lat) in pos.items()
    )
    observations = (
        "observationID,deploymentID,eventStart,observationType,scientificName,count\n"
        + "".join(
            f"o{i},dep-{r['Station']},{r['DateTimeOriginal'].replace(' ', 'T')}Z,animal,{r['Species']},1\n"
            for i, r in enumerate(records)
        )
        + "oblank,dep-StationA,2009-04-02T00:00:00Z,blank,,\n"
    )
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        z.writestr("datapackage.json", '{"profile": "camtrap-dp"}')
        z.writestr("deployments.csv", deployments)
        z.writestr("observations.csv", observations)
    item = processed(upload(assessment, manager, buf.getvalue(), name="camtrap-dp.zip"))
    assert item.processing_status == "ready", item.status_reason
    summary = item.facts.camera_trap
    expected = Counter((r["Species"], f"dep-{r['Station']}") for r in records)
    got = {(s["name"], dep): n for s in summary["species"] for dep, n in s["by_deployment"].items()}
    assert got == dict(expected)
    assert summary["detections"] == len(records) == 39
    by_id = {d["id"]: d["location_check"] for d in summary["deployments"]}
    assert by_id == {"dep-StationA": "inside", "dep-StationB": "inside", "dep-StationC": "outside"}


def test_a_station_whose_epsg_is_a_superscript_digit_has_no_position(tmp_path):
    """'²'.isdigit() is true but int('²') fails: the station is left without a position, like any
    other unreadable EPSG code, instead of failing the file."""
    from evidence.extract.camtrap import _station_positions

    stations = tmp_path / "stations.csv"
    stations.write_text("Station,utm_x,utm_y,epsg\nStationA,526000,604000,²\n", encoding="utf-8")
    deployments = {"StationA": {"name": "StationA"}}
    _station_positions(str(stations), deployments)
    assert deployments == {"StationA": {"name": "StationA"}}
