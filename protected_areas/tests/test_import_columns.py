"""Reading a layer in columns (GDAL's Arrow stream, importer/arrow.py) gives the importer exactly the
rows, rejects and reasons that reading it feature by feature gives: same attributes, same WKB, same
boundary hashes (stored hashes decide what a re-import skips), whatever the file holds."""

import json
import os
from pathlib import Path

import pytest

from protected_areas.importer import arrow, reader
from protected_areas.importer.columns import resolve_mapping
from protected_areas.importer.files import open_layer
from protected_areas.services import import_protected_areas

TESTDATA = Path(os.environ.get("GREENLIST_TESTDATA", Path(__file__).resolve().parents[3] / "shared" / "testdata"))

SQUARE = [[[0, 0], [1, 0], [1, 1], [0, 1], [0, 0]]]
SQUARE_Z = [[[0, 0, 5], [1, 0, 5], [1, 1, 5], [0, 1, 5], [0, 0, 5]]]
# Everything a feature-by-feature read treats apart: nothing, empty, empty parts, points, lines,
# 3D, collections, a bow tie (invalid), an empty outer ring, and a missing name.
GEOMETRIES = [
    {"type": "Polygon", "coordinates": SQUARE},
    {"type": "Polygon", "coordinates": []},
    {"type": "MultiPolygon", "coordinates": []},
    {"type": "MultiPolygon", "coordinates": [[], SQUARE]},
    {"type": "MultiPolygon", "coordinates": [[]]},
    None,
    {"type": "Point", "coordinates": [1, 2]},
    {"type": "MultiPoint", "coordinates": [[1, 2], [3, 4]]},
    {"type": "LineString", "coordinates": [[1, 2], [3, 4]]},
    {"type": "Polygon", "coordinates": SQUARE_Z},
    {"type": "MultiPolygon", "coordinates": [SQUARE_Z]},
    {"type": "Polygon", "coordinates": [[[0, 0], [1, 1], [1, 0], [0, 1], [0, 0]]]},
    {"type": "GeometryCollection", "geometries": [{"type": "Polygon", "coordinates": SQUARE}]},
    {"type": "Polygon", "coordinates": [[], SQUARE[0]]},
]


def _mixed_file(path: Path, geometries=GEOMETRIES) -> Path:
    features = [
        {
            "type": "Feature",
            "properties": {
                "WDPAID": i + 1,
                "NAME": None if i == 3 else f"Area {i}",
                "NOTE": None if i % 2 else "kept in attributes",
                "REP_AREA": 1.5 * i if i % 3 else None,
                "ISO3": "VNM;ABNJ",
            },
            "geometry": geometry,
        }
        for i, geometry in enumerate(geometries)
    ]
    path.write_text(json.dumps({"type": "FeatureCollection", "features": features}))
    return path


def _both_ways(path: Path, field_map=None):
    _ds, layer = open_layer(path, None)
    mapping = resolve_mapping(list(layer.fields), field_map, path.stem)
    columns = arrow.column_reader(layer)
    assert columns is not None, "this layer should be read in columns"

    def read(rows):
        rejects: list[tuple[int, str]] = []
        kept = [
            (tuple(getattr(value, "obj", value) for value in row), to_check is None)
            for row, to_check in rows(lambda n, reason: rejects.append((n, reason)))
        ]
        return kept, rejects

    one_by_one = read(lambda reject: reader._one_by_one_rows(layer, mapping, reject))
    in_columns = read(lambda reject: reader._column_rows(layer, columns, mapping, reject))
    return one_by_one, in_columns


def test_a_file_of_every_kind_of_geometry_reads_the_same_in_columns(tmp_path):
    one_by_one, in_columns = _both_ways(_mixed_file(tmp_path / "mixed.geojson"))
    assert in_columns == one_by_one
    rows, rejects = in_columns
    assert len(rows) == 7
    assert (3, "no geometry (empty)") in rejects and (4, "no name") in rejects
    assert (14, reader.SHORT_RING) in rejects  # the empty outer ring, which PostGIS refuses
    assert (9, "unusable geometry: a LineString is not an area") in rejects


@pytest.mark.parametrize(
    ("sample", "field_map"),
    [
        ("wdpa-mapme-samples/wdpa_laos.gpkg", None),
        ("pad-uae/pad-united-arab-emirates.shp", None),
        ("ne-parks-us/ne_10m_parks_and_protected_lands_area.geojson", {"key": "unit_code", "name": "unit_name"}),
    ],
)
def test_the_real_samples_read_the_same_in_columns(sample, field_map):
    path = TESTDATA / sample
    if not path.exists():
        pytest.skip(f"{path} is not here (GREENLIST_TESTDATA)")
    one_by_one, in_columns = _both_ways(path, field_map)
    assert in_columns == one_by_one and in_columns[0]


def test_a_layer_to_reproject_is_read_feature_by_feature(tmp_path):
    path = tmp_path / "mercator.geojson"
    path.write_text(
        json.dumps(
            {
                "type": "FeatureCollection",
                "crs": {"type": "name", "properties": {"name": "urn:ogc:def:crs:EPSG::3857"}},
                "features": [
                    {
                        "type": "Feature",
                        "properties": {"WDPAID": 1, "NAME": "Far"},
                        "geometry": {"type": "Polygon", "coordinates": [[[0, 0], [1e5, 0], [1e5, 1e5], [0, 0]]]},
                    }
                ],
            }
        )
    )
    _ds, layer = open_layer(path, None)
    assert arrow.column_reader(layer) is None


@pytest.mark.django_db(transaction=True)
def test_a_file_imported_feature_by_feature_is_unchanged_when_read_again_in_columns(tmp_path, monkeypatch):
    # Hashes stored by one way of reading are the other's: nothing is rewritten. (The polygon whose
    # outer ring is empty is rejected either way: PostGIS would refuse its WKB.)
    path = _mixed_file(tmp_path / "mixed.geojson")
    monkeypatch.setattr(arrow, "column_reader", lambda layer: None)
    first = import_protected_areas(path)
    monkeypatch.undo()
    again = import_protected_areas(path)
    assert first.created == 7, first.errors
    assert (again.created, again.updated, again.unchanged, again.rejected) == (0, 0, 7, first.rejected), first.errors
