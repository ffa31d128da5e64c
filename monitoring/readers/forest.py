"""Forest loss from Hansen Global Forest Change rasters (lossyear + treecover2000), per year, inside
the boundary valid that year and in a buffer ring outside it.

`read_forest(lossyear_path, treecover_path, boundary_history, *, canopy_threshold=30, buffer_km=10)`
is pure: files in, values + map points + problems out (no database). The rules it applies:

- **Rasters**: two single-band integer GeoTIFFs on the same grid, in any CRS, north-up. They are
  opened through `core.gdal_safety` (GTiff driver only, no network) and read in row blocks over the
  window that covers the zones, so memory stays flat whatever the raster's size. A window larger than
  `MAX_PIXELS` is refused. `lossyear` is 0 (no loss) or 1–N (loss in 2000 + N); `treecover2000` is
  percent canopy 0–100. Stored band statistics are ignored (Hansen's say mean −9999).
- **Rasterisation**: a pixel belongs to a zone when its centre is inside the zone (the rule of
  GDAL's default rasterisation), evaluated by a scanline over the zone's rings (even-odd rule, a
  centre exactly on a left edge is inside, on a right edge outside).
- **Pixel area**: in a geographic CRS each row's area on the authalic sphere of the CRS's ellipsoid
  (the sphere of the same surface, R = 6,371,007 m for WGS 84): about 0.0732 ha per 0.00025° pixel
  at 18.6° N; in a projected CRS the nominal cell area in square metres.
- **Forest loss** of a year = area of pixels lost that year whose 2000 canopy is *above*
  `canopy_threshold` percent; its percentage is of the zone's 2000 tree cover above the threshold
  (that area is the value's effort, unit "ha-of-2000-cover"). Per-year pixel counts for all loss
  pixels and for those above the threshold are kept in the summary.
- **Boundary history**: each year is computed inside the boundary valid that year: the newest
  version recorded by the end of that year; years before the first recorded version use the first
  version (the platform knows no earlier boundary). The summary lists which version served which years.
- **Buffer ring**: the boundary buffered by `buffer_km` in a Lambert azimuthal equal-area
  projection centred on the boundary (metres, areas true), minus the boundary itself. A zone the
  raster covers for less than `MIN_COVERAGE` of its area is computed but marked not comparable.
- **Map points**: loss pixels (inside and buffer), at most `MAX_LOSS_POINTS`, evenly sampled.
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from pathlib import Path, PurePath
from typing import Any

import numpy as np
from django.contrib.gis.gdal import CoordTransform, OGRGeometry, SpatialReference
from django.contrib.gis.gdal.error import GDALException
from django.contrib.gis.geos import GEOSGeometry, MultiPoint, MultiPolygon, Point, Polygon

from core import gdal_safety
from core.errors import without_paths

from . import Boundary, MapPoint, Problem, ReadResult, Value

# The largest window (zones' bounding box × raster) read: 10,000 km² at 30 m with a 10 km ring is
# ~25 million pixels; a continent-sized upload is refused, not read.
MAX_PIXELS = 400_000_000
# Loss-year values above this are not Hansen loss years (the series started in 2001).
MAX_LOSS_YEAR_VALUE = 60
MAX_LOSS_POINTS = 2000
# A zone the raster covers for less than this share of its area is not compared with others.
MIN_COVERAGE = 0.95
# Rows read at once (× window width); smaller when a boundary has very many edges.
BLOCK_ROWS = 512
MAX_BLOCK_CELLS = 20_000_000
METHOD = "hansen-gfc"
INTEGER_TYPES = {1: "Byte", 2: "UInt16", 3: "Int16", 4: "UInt32", 5: "Int32", 12: "UInt64", 13: "Int64", 14: "Int8"}


class ForestInputError(Exception):
    def __init__(self, file: str | None, message: str):
        super().__init__(message)
        self.file = file
        self.message = message


def read_forest(
    lossyear_path: str | Path,
    treecover_path: str | Path,
    boundary_history: Sequence[Boundary],
    *,
    canopy_threshold: float = 30,
    buffer_km: float = 10,
) -> ReadResult:
    """Read a Hansen lossyear/treecover2000 pair against the area's boundary history.

    `boundary_history`: `monitoring.readers.Boundary` items (id, geom in EPSG:4326, first_year,
    last_year); a year no version covers takes the nearest version (the first one before it
    existed). Returns a ReadResult of `forest_loss_ha` and `forest_loss_pct` values per year and
    zone ("inside", "buffer"), loss-pixel map points and the summary; bad input gives one fatal
    problem and no values."""
    result = ReadResult()
    try:
        history = _history(boundary_history)
        _read(result, str(lossyear_path), str(treecover_path), history, float(canopy_threshold), float(buffer_km))
    except ForestInputError as exc:
        result.values, result.points, result.summary = [], [], {}
        result.problems.append(Problem(exc.file or "", exc.message, fatal=True))
    return result


def read_forest_paths(paths: Sequence[Path], params: dict, boundaries: Sequence[Boundary]) -> ReadResult:
    """The dataset's files (two GeoTIFFs, in any order) and params (canopy_threshold, buffer_km) →
    `read_forest`. The layers are told apart by Hansen's file names ("lossyear", "treecover2000")."""
    loss = [p for p in paths if "lossyear" in Path(p).name.lower()]
    cover = [p for p in paths if "treecover" in Path(p).name.lower()]
    if len(paths) != 2 or len(loss) != 1 or len(cover) != 1:
        result = ReadResult()
        names = ", ".join(Path(p).name for p in paths) or "none"
        result.problem(
            "",
            "A forest-loss dataset is two Hansen GeoTIFFs, one named …lossyear… and one named "
            f"…treecover2000… (files given: {names}).",
            fatal=True,
        )
        return result
    return read_forest(
        loss[0],
        cover[0],
        boundaries,
        canopy_threshold=params.get("canopy_threshold", 30),
        buffer_km=params.get("buffer_km", 10),
    )


def _history(items: Sequence[Boundary]) -> list[Boundary]:
    history = [b for b in items if b.geom is not None and not b.geom.empty]
    if not history:
        raise ForestInputError(None, "The area has no boundary polygon: forest loss is measured inside a boundary.")
    history.sort(key=lambda b: -1 if b.first_year is None else b.first_year)
    return history


def _open(path: str):
    name = PurePath(path).name
    try:
        raster = gdal_safety.open_raster(path)
        band = raster.bands[0]
    except gdal_safety.FormatNotAllowed as exc:
        raise ForestInputError(name, str(exc)) from None
    except (GDALException, IndexError) as exc:
        raise ForestInputError(name, f"GDAL cannot read the raster ({without_paths(exc)}).") from None
    if len(raster.bands) != 1:
        raise ForestInputError(name, f"The raster has {len(raster.bands)} bands; a Hansen layer has one.")
    if band.datatype() not in INTEGER_TYPES:
        raise ForestInputError(
            name, f"The band is {band.datatype(as_string=True)}; a Hansen layer holds integers (Byte)."
        )
    if raster.srs is None:
        raise ForestInputError(name, "The raster has no coordinate reference system.")
    gt = raster.geotransform
    if gt[2] or gt[4] or gt[1] <= 0 or gt[5] >= 0:
        raise ForestInputError(name, "The raster is rotated or flipped; warp it north-up first.")
    return name, raster, band


def _read(reading: ReadResult, loss_path, cover_path, history, threshold, buffer_km) -> None:
    loss_name, loss_raster, loss_band = _open(loss_path)
    cover_name, cover_raster, cover_band = _open(cover_path)
    if (
        (loss_raster.width, loss_raster.height) != (cover_raster.width, cover_raster.height)
        or not np.allclose(loss_raster.geotransform, cover_raster.geotransform, rtol=0, atol=1e-9)
        or not _same_srs(loss_raster.srs, cover_raster.srs)
    ):
        raise ForestInputError(
            cover_name,
            f"'{loss_name}' and '{cover_name}' are not on the same grid (size, origin, pixel size or CRS "
            "differ); use the two layers of the same Hansen tile.",
        )
    if not 0 <= threshold < 100:
        raise ForestInputError(None, f"The canopy threshold must be between 0 and 100 %, not {threshold:g}.")
    if not 0 < buffer_km <= 100:
        raise ForestInputError(None, f"The buffer must be between 0 and 100 km, not {buffer_km:g}.")

    srs = loss_raster.srs
    gt = loss_raster.geotransform
    zones = [_zones(b.geom, srs, buffer_km) for b in history]  # per boundary: (inside, ring, areas ha)
    window = _window(gt, loss_raster.width, loss_raster.height, [z[0] for z in zones] + [z[1] for z in zones])
    if window is None or not any(_overlaps(z[0], gt, loss_raster.width, loss_raster.height) for z in zones):
        raise ForestInputError(loss_name, "The raster does not overlap the area's boundary.")
    col0, row0, cols, rows = window
    if cols * rows > MAX_PIXELS:
        raise ForestInputError(
            loss_name,
            f"The part of the raster around the area is {cols:,} × {rows:,} pixels; the limit is "
            f"{MAX_PIXELS:,}. Clip it to the area and its buffer first.",
        )
    row_area = _row_areas(srs, gt, row0, rows)  # m² per pixel, per row of the window
    nodata = loss_band.nodata_value

    edges = [(_edges(inside), _edges(ring)) for inside, ring, _ in zones]
    nz = len(zones) * 2
    size = MAX_LOSS_YEAR_VALUE + 1
    loss_all_px = np.zeros((nz, size), dtype=np.int64)
    loss_canopy_px = np.zeros((nz, size), dtype=np.int64)
    loss_canopy_m2 = np.zeros((nz, size), dtype=np.float64)
    loss_all_m2 = np.zeros((nz, size), dtype=np.float64)
    cover_m2 = np.zeros(nz, dtype=np.float64)
    zone_m2 = np.zeros(nz, dtype=np.float64)
    zone_px = np.zeros(nz, dtype=np.int64)
    point_chunks: list[np.ndarray] = []
    max_value = 0
    n_edges = max(1, max(len(e[0][0]) + len(e[1][0]) for e in edges))
    block = max(8, min(BLOCK_ROWS, MAX_BLOCK_CELLS // max(cols, n_edges)))
    for r in range(0, rows, block):
        n = min(block, rows - r)
        loss = _block(loss_band, col0, row0 + r, cols, n)
        cover = _block(cover_band, col0, row0 + r, cols, n)
        valid = np.ones(loss.shape, dtype=bool) if nodata is None else loss != nodata
        bad = valid & (loss > MAX_LOSS_YEAR_VALUE)
        if bad.any():
            raise ForestInputError(
                loss_name,
                f"Loss-year values up to {int(loss[bad].max())} found; Hansen loss years are 0 (no loss) "
                f"to {MAX_LOSS_YEAR_VALUE}. Is this the lossyear layer?",
            )
        if (cover[valid] > 100).any():
            raise ForestInputError(cover_name, "Tree-cover values above 100 found; treecover2000 is a percentage.")
        if valid.any():
            max_value = max(max_value, int(loss[valid].max()))
        canopy = valid & (cover > threshold)
        ys = gt[3] + (row0 + r + np.arange(n) + 0.5) * gt[5]
        x_left = gt[0] + col0 * gt[1]
        area = np.broadcast_to(row_area[r : r + n, None], loss.shape)
        for k, (inside_edges, ring_edges) in enumerate(edges):
            for j, zone_edges in enumerate((inside_edges, ring_edges)):
                z = 2 * k + j
                mask = _mask(zone_edges, ys, x_left, gt[1], cols) & valid
                if not mask.any():
                    continue
                zone_px[z] += int(mask.sum())
                zone_m2[z] += float(area[mask].sum())
                cover_m2[z] += float(area[mask & canopy].sum())
                lost = mask & (loss > 0)
                loss_all_px[z] += np.bincount(loss[lost], minlength=size)
                loss_all_m2[z] += np.bincount(loss[lost], weights=area[lost], minlength=size)
                lost &= canopy
                loss_canopy_px[z] += np.bincount(loss[lost], minlength=size)
                loss_canopy_m2[z] += np.bincount(loss[lost], weights=area[lost], minlength=size)
                rr, cc = np.nonzero(lost)
                if rr.size:
                    point_chunks.append(
                        np.stack([rr + r, cc, loss[rr, cc].astype(np.int64), np.full(rr.size, z)], axis=1)
                    )

    version_year = _version_year(loss_name)
    last = max(max_value, version_year - 2000 if version_year else 0)
    years = list(range(2001, 2001 + last))
    boundary_of = {y: _boundary_for(history, y) for y in years}
    for y in years:
        k = boundary_of[y]
        for j, zone in enumerate(("inside", "buffer")):
            z = 2 * k + j
            geometry_ha = zones[k][2][j]
            coverage = (zone_m2[z] / 1e4) / geometry_ha if geometry_ha else 0.0
            cover_ha = cover_m2[z] / 1e4
            loss_ha = loss_canopy_m2[z][y - 2000] / 1e4
            comparable = coverage >= MIN_COVERAGE and cover_ha > 0
            if zone_px[z] == 0:
                continue  # a ring the raster does not reach at all: nothing to say
            common: dict[str, Any] = {
                "period": str(y),
                "zone": zone,
                "effort": round(float(cover_ha), 4),
                "effort_unit": "ha-of-2000-cover",
                "comparable": bool(comparable),
                "method": f"{METHOD}>{threshold:g}",
                "boundary_id": history[k].id,
            }
            reading.values.append(Value(metric="forest_loss_ha", value=round(float(loss_ha), 4), **common))
            if cover_ha > 0:
                pct = round(float(100 * loss_ha / cover_ha), 6)
                reading.values.append(Value(metric="forest_loss_pct", value=pct, **common))

    reading.points = _points(point_chunks, boundary_of, srs, gt, col0, row0)
    reading.summary = _summary(
        history, zones, years, boundary_of, zone_px, zone_m2, cover_m2, loss_all_px, loss_canopy_px,
        loss_all_m2, loss_canopy_m2, threshold, buffer_km, srs, window,
    )  # fmt: skip


def _same_srs(a: SpatialReference, b: SpatialReference) -> bool:
    if a.srid and b.srid:
        return a.srid == b.srid
    return a.wkt == b.wkt


def _version_year(name: str) -> int | None:
    # "Hansen_GFC-2020-v1.8_lossyear_…": the data run to 2020 even where a year saw no loss.
    match = re.search(r"GFC-(20\d\d)-v", name)
    return int(match.group(1)) if match else None


def _boundary_for(history: list[Boundary], year: int) -> int:
    covering = [i for i, b in enumerate(history) if b.covers(year)]
    if covering:
        return covering[-1]
    # No version covers the year: before the first one the first, after the last one the last.
    first = history[0].first_year
    return 0 if first is not None and year < first else len(history) - 1


def _zones(geometry: GEOSGeometry, srs: SpatialReference, buffer_km: float):
    """(inside, ring) in the raster's CRS, and their areas in ha (from the equal-area projection)."""
    geom = geometry.clone()
    if geom.srid is None:
        geom.srid = 4326
    if geom.srid != 4326:
        geom.transform(4326)
    centre = geom.centroid
    laea = SpatialReference(f"+proj=laea +lat_0={centre.y:.6f} +lon_0={centre.x:.6f} +datum=WGS84 +units=m +no_defs")
    metric = geom.ogr
    metric.transform(CoordTransform(SpatialReference(4326), laea))
    inside_m = metric.geos
    if not inside_m.valid:
        inside_m = inside_m.buffer(0)
    ring_m = inside_m.buffer(buffer_km * 1000, quadsegs=16).difference(inside_m)
    areas = (inside_m.area / 1e4, ring_m.area / 1e4)
    # Inside: the boundary itself, straight into the raster's CRS (no round trip through the
    # projection, so a pixel centre is judged against the recorded vertices).
    if srs.srid == 4326:
        inside = geom if geom.valid else geom.buffer(0)
    else:
        shape = geom.ogr
        shape.transform(CoordTransform(SpatialReference(4326), srs))
        inside = shape.geos
    ring = ring_m.ogr
    ring.srs = laea
    ring.transform(CoordTransform(laea, srs))
    return inside, ring.geos, areas


def _window(gt, width, height, geoms) -> tuple[int, int, int, int] | None:
    minx = min(g.extent[0] for g in geoms)
    miny = min(g.extent[1] for g in geoms)
    maxx = max(g.extent[2] for g in geoms)
    maxy = max(g.extent[3] for g in geoms)
    col0 = max(0, math.floor((minx - gt[0]) / gt[1]))
    col1 = min(width, math.ceil((maxx - gt[0]) / gt[1]))
    row0 = max(0, math.floor((maxy - gt[3]) / gt[5]))
    row1 = min(height, math.ceil((miny - gt[3]) / gt[5]))
    if col1 <= col0 or row1 <= row0:
        return None
    return col0, row0, col1 - col0, row1 - row0


def _overlaps(geom, gt, width, height) -> bool:
    footprint = Polygon.from_bbox((gt[0], gt[3] + gt[5] * height, gt[0] + gt[1] * width, gt[3]))
    return footprint.intersects(geom)


def _row_areas(srs: SpatialReference, gt, row0: int, rows: int) -> np.ndarray:
    if srs.geographic:
        a, b, _inv_f = srs.ellipsoid
        e2 = 1 - (b * b) / (a * a)
        edges = np.radians(gt[3] + (row0 + np.arange(rows + 1)) * gt[5])
        # The authalic sphere (same surface as the ellipsoid, R² = the band area up to the pole),
        # with the rows' own latitudes: GFW's convention and SOURCES.md's figures (0.0732 ha per
        # 0.00025° pixel at 18.6° N); the exact ellipsoid band is ~0.3 % smaller in the tropics.
        radius2 = float(_ellipsoid_band(np.array([math.pi / 2]), b, e2)[0])
        return np.abs(np.diff(np.sin(edges))) * radius2 * math.radians(gt[1])
    unit = srs.linear_units or 1.0
    return np.full(rows, abs(gt[1] * gt[5]) * unit * unit)


def _ellipsoid_band(phi: np.ndarray, b: float, e2: float) -> np.ndarray:
    """Area between the equator and latitude φ per radian of longitude on the ellipsoid:
    b²/2 · [sinφ/(1−e² sin²φ) + ln((1+e sinφ)/(1−e sinφ))/(2e)] (the authalic-latitude integral)."""
    s = np.sin(phi)
    if e2 == 0:
        return b * b * s
    e = math.sqrt(e2)
    return b * b / 2 * (s / (1 - e2 * s * s) + np.log((1 + e * s) / (1 - e * s)) / (2 * e))


def _edges(geom: GEOSGeometry) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    polygons: Any = geom if isinstance(geom, MultiPolygon) else [geom]
    x1s: list[np.ndarray] = []
    y1s: list[np.ndarray] = []
    x2s: list[np.ndarray] = []
    y2s: list[np.ndarray] = []
    for polygon in polygons:
        if not isinstance(polygon, Polygon):
            for part in polygon:  # a GeometryCollection from difference(): keep its polygons
                if isinstance(part, Polygon | MultiPolygon):
                    for store, part_edges in zip((x1s, y1s, x2s, y2s), _edges(part), strict=True):
                        store.append(part_edges)
            continue
        for ring in polygon:
            xy = np.asarray(ring.coords, dtype=np.float64)
            if len(xy) < 4:
                continue
            x1s.append(xy[:-1, 0])
            y1s.append(xy[:-1, 1])
            x2s.append(xy[1:, 0])
            y2s.append(xy[1:, 1])
    if not x1s:
        empty = np.zeros(0)
        return empty, empty, empty, empty
    x1, y1, x2, y2 = (np.concatenate(v) for v in (x1s, y1s, x2s, y2s))
    keep = y1 != y2  # horizontal edges never cross a scanline
    return x1[keep], y1[keep], x2[keep], y2[keep]


def _mask(edges, ys: np.ndarray, x_left: float, px: float, cols: int) -> np.ndarray:
    """Pixels whose centre is inside (even-odd), for the rows at centre heights `ys`."""
    x1, y1, x2, y2 = edges
    mask = np.zeros((len(ys), cols), dtype=bool)
    if not len(x1):
        return mask
    lo, hi = float(ys.min()), float(ys.max())
    near = (np.maximum(y1, y2) >= lo) & (np.minimum(y1, y2) <= hi)
    if not near.any():
        return mask
    x1, y1, x2, y2 = x1[near], y1[near], x2[near], y2[near]
    yy = ys[:, None]
    crosses = ((y1 <= yy) & (yy < y2)) | ((y2 <= yy) & (yy < y1))
    ri, ei = np.nonzero(crosses)
    if not ri.size:
        return mask
    xi = x1[ei] + (ys[ri] - y1[ei]) * (x2[ei] - x1[ei]) / (y2[ei] - y1[ei])
    order = np.lexsort((xi, ri))
    ri, xi = ri[order], xi[order]
    # Each row crosses a closed ring an even number of times: consecutive pairs are the spans inside.
    a, b, r = xi[0::2], xi[1::2], ri[0::2]
    start = np.clip(np.ceil((a - x_left) / px - 0.5), 0, cols).astype(np.int64)
    end = np.clip(np.ceil((b - x_left) / px - 0.5), 0, cols).astype(np.int64)
    diff = np.zeros((len(ys), cols + 1), dtype=np.int32)
    np.add.at(diff, (r, start), 1)
    np.add.at(diff, (r, end), -1)
    return np.cumsum(diff[:, :cols], axis=1) > 0


def _block(band, col: int, row: int, cols: int, rows: int) -> np.ndarray:
    data = band.data(offset=(col, row), size=(cols, rows))
    return np.asarray(data).reshape(rows, cols).astype(np.int64, copy=False)


def _points(chunks, boundary_of, srs, gt, col0, row0) -> list[MapPoint]:
    if not chunks:
        return []
    rows = np.concatenate(chunks)  # (row, col, loss value, zone index)
    years = rows[:, 2] + 2000
    # Only the zones of the boundary valid in the pixel's year (each boundary was scanned).
    keep = np.array([boundary_of.get(int(y), -1) == int(z) // 2 for y, z in zip(years, rows[:, 3], strict=True)])
    rows = rows[keep]
    if not len(rows):
        return []
    if len(rows) > MAX_LOSS_POINTS:
        rows = rows[np.linspace(0, len(rows) - 1, MAX_LOSS_POINTS).astype(np.int64)]
    xs = gt[0] + (col0 + rows[:, 1] + 0.5) * gt[1]
    ys = gt[3] + (row0 + rows[:, 0] + 0.5) * gt[5]
    if srs.srid != 4326:
        transform = CoordTransform(srs, SpatialReference(4326))
        many = OGRGeometry(MultiPoint([Point(x, y) for x, y in zip(xs.tolist(), ys.tolist(), strict=True)]).wkt, srs)
        many.transform(transform)
        pts = [tuple(p.coords[:2]) for p in many]  # type: ignore[attr-defined]
    else:
        pts = list(zip(xs.tolist(), ys.tolist(), strict=True))
    return [
        MapPoint(
            kind="loss",
            lon=round(lon, 6),
            lat=round(lat, 6),
            year=int(row[2]) + 2000,
            label="inside" if int(row[3]) % 2 == 0 else "buffer",
        )
        for (lon, lat), row in zip(pts, rows, strict=True)
    ]


def _summary(
    history, zones, years, boundary_of, zone_px, zone_m2, cover_m2, all_px, canopy_px, all_m2, canopy_m2,
    threshold, buffer_km, srs, window,
) -> dict:  # fmt: skip
    used = []
    for k, b in enumerate(history):
        ys = [y for y in years if boundary_of[y] == k]
        if not ys:
            continue
        used.append(
            {
                "boundary_id": b.id,
                "first_year": ys[0],
                "last_year": ys[-1],
                "zones": {
                    zone: {
                        "pixels": int(zone_px[2 * k + j]),
                        "area_ha": round(float(zone_m2[2 * k + j] / 1e4), 2),
                        "geometry_ha": round(zones[k][2][j], 2),
                        "coverage": round(float(zone_m2[2 * k + j] / 1e4 / zones[k][2][j]), 4) if zones[k][2][j] else 0,
                        "cover2000_ha": round(float(cover_m2[2 * k + j] / 1e4), 2),
                        "loss_px_all": {str(y): int(all_px[2 * k + j][y - 2000]) for y in ys},
                        "loss_px_canopy": {str(y): int(canopy_px[2 * k + j][y - 2000]) for y in ys},
                        "loss_ha_all": {str(y): round(float(all_m2[2 * k + j][y - 2000] / 1e4), 4) for y in ys},
                        "loss_ha_canopy": {str(y): round(float(canopy_m2[2 * k + j][y - 2000] / 1e4), 4) for y in ys},
                    }
                    for j, zone in enumerate(("inside", "buffer"))
                },
            }
        )
    return {
        "method": METHOD,
        "canopy_threshold": threshold,
        "buffer_km": buffer_km,
        "years": [years[0], years[-1]] if years else [],
        "rasterisation": "pixel centre inside",
        "pixel_area": "authalic sphere" if srs.geographic else "projected cell area",
        "crs": srs.srid or srs.name,
        "window": {"col": window[0], "row": window[1], "cols": window[2], "rows": window[3]},
        "boundaries": used,
    }
