"""Issue 19's import speed: the browser's imports leave the maps to a follow-up task on the heavy
queue, and write their batches on two connections side by side. Committed transactions, as in a
worker: the follow-up finds what changed by the database's clock, and the second connection only
writes outside the caller's transaction."""

import json
import threading

import pytest

from protected_areas import low_zoom_tiles, map_cells, tile_cache
from protected_areas.importer import reader, writer
from protected_areas.models import BoundaryVersion, LowZoomTile, MapCell, ProtectedArea
from protected_areas.services import import_protected_areas
from protected_areas.tasks import refresh_protected_area_maps

pytestmark = pytest.mark.django_db(transaction=True)


def _square(lon, lat, size=0.05):
    ring = [[lon, lat], [lon + size, lat], [lon + size, lat + size], [lon, lat + size], [lon, lat]]
    return {"type": "Polygon", "coordinates": [ring]}


BOWTIE = {"type": "Polygon", "coordinates": [[[20, 20], [20.1, 20.1], [20.1, 20], [20, 20.1], [20, 20]]]}


def _write(path, features):
    collection = [
        {"type": "Feature", "properties": {"WDPAID": wdpa_id, "NAME": name}, "geometry": geometry}
        for wdpa_id, name, geometry in features
    ]
    path.write_text(json.dumps({"type": "FeatureCollection", "features": collection}))
    return path


def test_the_maps_follow_the_import_once_its_follow_up_runs(tmp_path):
    # given a tile over Laos served (and cached) and the low-zoom tiles made before anything is there
    box = (102.5, 18.0, 102.55, 18.05)
    z, (x, y) = 8, tile_cache.tile_range(box, 8)[:2]
    tile_cache.get_or_make(z, x, y, lambda: b"before")
    low_zoom_tiles.rebuild()
    z2 = (2, *tile_cache.tile_range(box, 2)[:2])
    made_before = LowZoomTile.objects.get(z=z2[0], x=z2[1], y=z2[2]).made_at

    # when a browser import (refresh_maps=False) adds an area there
    summary = import_protected_areas(
        _write(tmp_path / "laos.geojson", [(71, "Nam Et", _square(102.5, 18.0))]), refresh_maps=False
    )

    # then the import is done and says the maps are being refreshed: the cached tile is forgotten
    # (drawn live from the areas at the next request), the cells and low zooms are not remade yet
    assert summary.created == 1 and summary.as_dict()["maps_refreshing"] is True
    assert summary.maps_changed_since is not None
    assert not tile_cache.is_cached(z, x, y)
    assert not MapCell.objects.exists()
    assert LowZoomTile.objects.get(z=z2[0], x=z2[1], y=z2[2]).made_at == made_before
    tile_cache.get_or_make(z, x, y, lambda: b"drawn in between")

    # and once the heavy worker's follow-up has run (here, in this process), they show it
    assert refresh_protected_area_maps(summary.maps_changed_since.isoformat()) > 0
    assert not tile_cache.is_cached(z, x, y)
    cells = sorted(MapCell.objects.values_list("level", "x", "y", "areas"))
    assert cells and sum(areas for level, _x, _y, areas in cells if level == 0) == 1
    map_cells.rebuild()
    assert sorted(MapCell.objects.values_list("level", "x", "y", "areas")) == cells
    assert LowZoomTile.objects.get(z=z2[0], x=z2[1], y=z2[2]).made_at > made_before
    assert b"area_cells" in low_zoom_tiles.stored(*z2)


def test_an_import_that_changes_nothing_queues_no_follow_up(tmp_path):
    path = _write(tmp_path / "one.geojson", [(71, "Nam Et", _square(102.5, 18.0))])
    import_protected_areas(path)

    again = import_protected_areas(path, refresh_maps=False)

    assert again.unchanged == 1 and again.maps_changed_since is None and "maps_refreshing" not in again.as_dict()


def test_two_connections_write_and_still_find_repeats_in_file_order(tmp_path, monkeypatch):
    # Batches of 3, so that 20 features make several batches for each of the two writers.
    monkeypatch.setattr(reader, "BATCH_SIZE", 3)
    written_by: set[str] = set()
    write_batch = writer.write_batch

    def noting_the_thread(rows, summary, source):
        written_by.add(threading.current_thread().name)
        return write_batch(rows, summary, source)

    monkeypatch.setattr(writer, "write_batch", noting_the_thread)
    features = [(i, f"Site {i}", _square(i, 0)) for i in range(1, 19)]
    features.insert(12, (2, "Site 2 again", _square(50, 50)))  # feature 13 repeats feature 2
    features.append((30, "Crossed", BOWTIE))  # feature 20, repaired
    path = _write(tmp_path / "many.geojson", features)

    summary = import_protected_areas(path)

    assert len(written_by) == writer.WRITERS == 2
    assert (summary.created, summary.repaired, summary.rejected) == (19, 1, 1)
    assert summary.errors == [{"feature": 13, "reason": "duplicate of feature 2 (same identity wdpa:2)"}]
    assert ProtectedArea.objects.get(key="wdpa:2").name == "Site 2"
    assert BoundaryVersion.objects.count() == 19

    # and a re-import with one boundary changed updates exactly that one, whichever connection has it
    features[4] = (5, "Site 5", _square(5, 0.5))
    again = import_protected_areas(_write(tmp_path / "many.geojson", features))

    assert (again.created, again.updated, again.unchanged, again.rejected) == (0, 1, 18, 1)
    assert ProtectedArea.objects.get(key="wdpa:5").boundary_versions.count() == 2


def test_a_failing_writer_stops_the_import_with_its_error(tmp_path, monkeypatch):
    monkeypatch.setattr(reader, "BATCH_SIZE", 2)
    write_batch = writer.write_batch

    def failing_on_the_second_connection(rows, summary, source):
        if threading.current_thread().name.startswith("protected-area-writer"):
            raise RuntimeError("the second connection broke")
        return write_batch(rows, summary, source)

    monkeypatch.setattr(writer, "write_batch", failing_on_the_second_connection)
    path = _write(tmp_path / "many.geojson", [(i, f"Site {i}", _square(i, 0)) for i in range(1, 30)])

    with pytest.raises(RuntimeError, match="second connection broke"):
        import_protected_areas(path)
    # and no thread of the import is left behind
    assert not [t.name for t in threading.enumerate() if t.name.startswith("protected-area")]


def test_a_boundary_changed_by_another_import_after_it_was_read_is_not_kept_on_a_stale_hash(tmp_path):
    # The reader leaves out the WKB of a boundary whose stored hash was the file's, a batch or two
    # before the batch is written; if another import changed that boundary in between, the batch's
    # own comparison finds a different hash, and the feature is rejected rather than its hash kept.
    from protected_areas.importer.columns import WKB_INDEX, resolve_mapping
    from protected_areas.importer.files import open_layer
    from protected_areas.importer.summary import ImportSummary

    path = _write(tmp_path / "one.geojson", [(71, "Nam Et", _square(102.5, 18.0))])
    import_protected_areas(path)
    ds, layer = open_layer(path, None)
    mapping = resolve_mapping(list(layer.fields), None, "one")
    [(row, _geom)] = list(reader._feature_rows(layer, mapping, lambda n, reason: None))
    ProtectedArea.objects.filter(key="wdpa:71").update(geom_hash=b"another import's")
    read_as_unchanged = (*row[:WKB_INDEX], None, row[-1])

    summary = ImportSummary()
    writer.create_staging()
    try:
        writer.write_batch([read_as_unchanged], summary, "one")
    finally:
        writer.drop_staging()

    assert (summary.updated, summary.unchanged, summary.rejected) == (0, 0, 1)
    assert summary.errors[0]["reason"].startswith("its stored boundary changed while this file was read")
    assert bytes(ProtectedArea.objects.get(key="wdpa:71").geom_hash) == b"another import's"
