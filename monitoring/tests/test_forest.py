"""The Hansen forest-loss reader on the real Sierra de Neiba clip (figures: testdata/SOURCES.md,
"Monitoring data"), the boundary history, any CRS, and the bad input it must refuse clearly.

Rasterisation rule under test: a pixel belongs to the park when its centre is inside (GDAL's
default rule), which gives SOURCES.md's 250,573 pixels and 10,421 loss pixels exactly."""

from pathlib import Path

import numpy as np
import pytest
from django.contrib.gis.gdal import DataSource, GDALRaster
from django.contrib.gis.geos import MultiPolygon, Polygon

from core import gdal_safety
from monitoring.readers import Boundary, forest
from monitoring.readers.forest import read_forest, read_forest_paths

LOSS_ALL = [225, 352, 1065, 743, 708, 365, 793, 305, 337, 470, 217, 1142, 62, 221, 249, 1046, 1136, 275, 245, 465]
LOSS_CANOPY_30 = [225, 349, 1061, 738, 704, 363, 784, 298, 331, 468, 212, 1130, 54, 213, 218, 965, 980, 153, 179, 417]
LOSS = "Hansen_GFC-2020-v1.8_lossyear_20N_080W.tif"
COVER = "Hansen_GFC-2020-v1.8_treecover2000_20N_080W.tif"


@pytest.fixture(scope="module")
def neiba() -> Path:
    from conftest import TESTDATA

    return TESTDATA / "monitoring" / "hansen-gfc-v1.8-sierra-de-neiba"


@pytest.fixture(scope="module")
def park(neiba) -> MultiPolygon:
    layer = DataSource(str(neiba / "sierra_de_neiba_478140.gpkg"))[0]
    geom = next(iter(layer)).geom.geos
    geom.srid = 4326
    return geom


@pytest.fixture(scope="module")
def reading(neiba, park):
    return read_forest(neiba / LOSS, neiba / COVER, [Boundary(11, park)])


def test_neiba_loss_per_year_matches_the_published_counts(reading):
    # given the real v1.8 clip and the park polygon; when read with the default 30 % canopy
    assert reading.problems == []
    inside = reading.summary["boundaries"][0]["zones"]["inside"]
    # then every year's loss pixels, all and above 30 % canopy, are SOURCES.md's
    assert list(inside["loss_px_all"].values()) == LOSS_ALL
    assert list(inside["loss_px_canopy"].values()) == LOSS_CANOPY_30
    assert inside["pixels"] == 250_573
    # areas on the authalic sphere: 10,421 px ≈ 763.1 ha, 9,842 px ≈ 720.7 ha, park 18,347 ha
    assert sum(inside["loss_ha_all"].values()) == pytest.approx(763.1, abs=0.1)
    assert sum(inside["loss_ha_canopy"].values()) == pytest.approx(720.7, abs=0.1)
    assert inside["area_ha"] == pytest.approx(18_347, abs=1)
    assert inside["cover2000_ha"] == pytest.approx(12_644, abs=1)
    # the values: one per year 2001–2020 and zone, in the boundary they were computed in
    ha = {v.period: v for v in reading.values if v.metric == "forest_loss_ha" and v.zone == "inside"}
    assert sorted(ha) == [str(y) for y in range(2001, 2021)]
    assert ha["2012"].value == pytest.approx(1130 * 0.0732, rel=0.01)
    assert ha["2012"].boundary_id == 11 and ha["2012"].comparable
    assert ha["2012"].effort == pytest.approx(12_644, abs=1) and ha["2012"].effort_unit == "ha-of-2000-cover"
    pct = {v.period: v.value for v in reading.values if v.metric == "forest_loss_pct" and v.zone == "inside"}
    assert pct["2012"] == pytest.approx(100 * ha["2012"].value / ha["2012"].effort)


def test_buffer_ring_is_outside_the_park_and_not_compared_where_the_raster_stops(reading):
    buffer = reading.summary["boundaries"][0]["zones"]["buffer"]
    # the clip is the park's bounding box: the 10 km ring is only a third covered
    assert 0.2 < buffer["coverage"] < 0.5
    ring = [v for v in reading.values if v.zone == "buffer"]
    assert ring and not any(v.comparable for v in ring)
    # the whole raster holds 55,156 loss pixels: inside + ring (within the clip) never exceed it
    assert sum(buffer["loss_px_all"].values()) + 10_421 <= 55_156
    assert sum(buffer["loss_px_all"].values()) > 10_000


def test_loss_points_are_sampled_and_carry_their_year(reading):
    assert 0 < len(reading.points) <= forest.MAX_LOSS_POINTS
    years = {p.year for p in reading.points}
    assert min(years) >= 2001 and max(years) <= 2020
    assert all(-71.81 < p.lon < -71.33 and 18.57 < p.lat < 18.70 for p in reading.points)
    assert {p.label for p in reading.points} == {"inside", "buffer"}


def test_each_year_is_counted_inside_the_boundary_valid_then(neiba, park):
    # given a history: the whole park until 2009, then only its western half from 2010
    west = park.intersection(Polygon.from_bbox((-71.9, 18.5, -71.57, 18.8)))
    smaller = west if isinstance(west, MultiPolygon) else MultiPolygon(west, srid=4326)
    history = [Boundary(1, park, None, 2009), Boundary(2, smaller, 2010, None)]
    # when
    result = read_forest(neiba / LOSS, neiba / COVER, history)
    # then years before 2010 are the full park's, later ones the smaller boundary's, and each says so
    inside = {v.period: v for v in result.values if v.metric == "forest_loss_ha" and v.zone == "inside"}
    assert {inside[str(y)].boundary_id for y in range(2001, 2010)} == {1}
    assert {inside[str(y)].boundary_id for y in range(2010, 2021)} == {2}
    used = result.summary["boundaries"]
    assert [(b["boundary_id"], b["first_year"], b["last_year"]) for b in used] == [(1, 2001, 2009), (2, 2010, 2020)]
    assert list(used[0]["zones"]["inside"]["loss_px_all"].values()) == LOSS_ALL[:9]
    assert sum(used[1]["zones"]["inside"]["loss_px_all"].values()) < sum(LOSS_ALL[9:])


def test_a_raster_in_a_projected_crs_gives_the_same_loss(neiba, park, tmp_path):
    # given both layers warped to UTM 19N (nearest neighbour, 27 m pixels)
    utm = Polygon.from_bbox((-71.80925, 18.57675, -71.332, 18.69925))
    utm.srid = 4326
    utm.transform(32619)
    minx, miny, maxx, maxy = utm.extent
    for name in (LOSS, COVER):
        source = gdal_safety.open_raster(neiba / name)
        source.warp(
            {
                "srid": 32619,
                "driver": "GTiff",
                "name": str(tmp_path / name),
                "resampling": "NearestNeighbour",
                "origin": (minx, maxy),
                "scale": (27.0, -27.0),
                "width": int((maxx - minx) / 27) + 1,
                "height": int((maxy - miny) / 27) + 1,
            }
        )
    # when
    result = read_forest(tmp_path / LOSS, tmp_path / COVER, [Boundary(1, park)])
    # then the loss in hectares agrees with the geographic reading within resampling noise
    assert result.problems == []
    inside = result.summary["boundaries"][0]["zones"]["inside"]
    assert sum(inside["loss_ha_canopy"].values()) == pytest.approx(720.7, rel=0.03)
    assert inside["area_ha"] == pytest.approx(18_347, rel=0.01)
    assert result.points[0].lon < -71 and 18 < result.points[0].lat < 19


def _write(path: Path, array: np.ndarray, *, origin=(-71.8, 18.7), size=0.00025, datatype=1) -> Path:
    rows, cols = array.shape
    GDALRaster(
        {
            "driver": "GTiff",
            "name": str(path),
            "srid": 4326,
            "width": cols,
            "height": rows,
            "datatype": datatype,
            "origin": origin,
            "scale": (size, -size),
            "bands": [{"data": array.ravel().tolist()}],
        }
    )
    return path


def _fatal(result) -> str:
    assert result.values == [] and result.points == []
    assert len(result.problems) == 1 and result.problems[0].fatal
    return result.problems[0].message


def test_bad_input_is_refused_with_a_clear_problem(neiba, park, tmp_path, monkeypatch):
    # a raster far from the park
    far = np.zeros((20, 20), dtype=np.uint8)
    loss = _write(tmp_path / "far_lossyear.tif", far, origin=(10.0, 50.0))
    cover = _write(tmp_path / "far_treecover2000.tif", far, origin=(10.0, 50.0))
    assert "does not overlap" in _fatal(read_forest(loss, cover, [Boundary(1, park)]))
    # layers on different grids (the v1.11 clip of a sub-area with the v1.8 loss year)
    from conftest import TESTDATA

    other = TESTDATA / "neiba-zonal" / "Hansen_GFC-2023-v1.11_treecover2000_20N_080W.tif"
    assert "not on the same grid" in _fatal(read_forest(neiba / LOSS, other, [Boundary(1, park)]))
    # a floating-point band
    floats = _write(tmp_path / "float_lossyear.tif", np.zeros((20, 20)), datatype=6)
    assert "Float32" in _fatal(read_forest(floats, neiba / COVER, [Boundary(1, park)]))
    # values no loss year has (the layers swapped: tree cover read as loss year)
    assert "Is this the lossyear layer?" in _fatal(read_forest(neiba / COVER, neiba / COVER, [Boundary(1, park)]))
    # a window beyond the limit
    monkeypatch.setattr(forest, "MAX_PIXELS", 10_000)
    assert "the limit is 10,000" in _fatal(read_forest(neiba / LOSS, neiba / COVER, [Boundary(1, park)]))
    monkeypatch.undo()
    # not a GeoTIFF by name, no boundary, files not named as Hansen's layers
    text = tmp_path / "lossyear.txt"
    text.write_text("0 1 2")
    assert "are not read" in _fatal(read_forest(text, neiba / COVER, [Boundary(1, park)]))
    assert "no boundary polygon" in _fatal(read_forest(neiba / LOSS, neiba / COVER, []))
    assert "two Hansen GeoTIFFs" in _fatal(read_forest_paths([neiba / LOSS], {}, [Boundary(1, park)]))
