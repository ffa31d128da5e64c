"""GeoTIFF rasters: zonal statistics inside the site boundary, computed from the pixels.

Stored statistics in the file's metadata are ignored: they are often stale or wrong (NASADEM
tiles claim a mean of -9999). The boundary mask is built row by row: GEOS intersects each pixel
row's centre line with the boundary, and the pixels whose centres fall on the pieces are inside.
"""

from __future__ import annotations

import math

import numpy as np
from django.conf import settings
from django.contrib.gis.gdal import CoordTransform, SpatialReference
from django.contrib.gis.gdal.error import GDALException
from django.contrib.gis.geos import GeometryCollection, GEOSGeometry, LineString, Polygon
from django.utils.translation import gettext as _

from core import gdal_safety
from core.errors import without_paths

from .. import error_codes
from ..choices import Kind
from . import Draft, Unprocessable, number

# An integer raster with at most this many distinct values is read as classes (land cover,
# loss year); beyond that it is a measurement (elevation, % cover).
MAX_CLASSES = 40


def is_georeferenced(path: str) -> bool:
    # Only as a GeoTIFF (see core.gdal_safety): a TIFF is what the content check let through.
    try:
        raster = gdal_safety.open_raster(path, suffix=".tif")
    except (GDALException, gdal_safety.FormatNotAllowed):
        return False
    return raster.srs is not None and raster.geotransform != [0.0, 1.0, 0.0, 0.0, 0.0, 1.0]


def read_raster(path: str, draft: Draft, boundary) -> None:
    draft.kind = Kind.RASTER
    try:
        raster = gdal_safety.open_raster(path, suffix=".tif")
        band = raster.bands[0]
    except gdal_safety.FormatNotAllowed:
        raise Unprocessable(error_codes.RASTER_UNREADABLE, _("The file is not a readable GeoTIFF; it was not opened."))
    except (GDALException, IndexError) as exc:
        raise Unprocessable(
            error_codes.RASTER_UNREADABLE, _("GDAL cannot read the raster (%(error)s).") % {"error": without_paths(exc)}
        )
    gt = raster.geotransform
    if gt[2] or gt[4]:
        raise Unprocessable(error_codes.RASTER_UNREADABLE, _("Rotated rasters are not supported; warp it north-up."))
    srs = raster.srs
    if srs is None:  # the pipeline reads only georeferenced rasters (is_georeferenced)
        raise Unprocessable(error_codes.RASTER_UNREADABLE, _("The raster has no coordinate reference system."))
    draft.width, draft.height = raster.width, raster.height
    minx, maxy = gt[0], gt[3]
    maxx, miny = gt[0] + gt[1] * raster.width, gt[3] + gt[5] * raster.height
    footprint: GEOSGeometry = Polygon.from_bbox((minx, miny, maxx, maxy))
    footprint.srid = srs.srid or 4326
    to_wgs84 = None
    if srs.srid != 4326:
        to_wgs84 = CoordTransform(srs, SpatialReference(4326))
        shape = footprint.ogr
        shape.transform(to_wgs84)
        footprint = shape.geos
    draft.geometry = GeometryCollection(footprint, srid=4326)
    draft.details["raster"] = {
        "size": [raster.width, raster.height],
        "bands": len(raster.bands),
        "datatype": band.datatype(as_string=True),
        "nodata": band.nodata_value,
        "pixel_size": [gt[1], -gt[5]],
        "srid": srs.srid,
    }
    zone = None
    if boundary is not None:
        zone = boundary.clone()
        if srs.srid != 4326:
            zone = zone.ogr
            zone.transform(CoordTransform(SpatialReference(4326), srs))
            zone = zone.geos
    draft.raster_stats = zonal_stats(raster, band, zone)


def zonal_stats(raster, band, zone) -> dict:
    gt = raster.geotransform
    if zone is None:
        col0, row0, cols, rows = 0, 0, raster.width, raster.height
    else:
        zminx, zminy, zmaxx, zmaxy = zone.extent
        col0 = max(0, math.floor((zminx - gt[0]) / gt[1]))
        col1 = min(raster.width, math.ceil((zmaxx - gt[0]) / gt[1]))
        row0 = max(0, math.floor((zmaxy - gt[3]) / gt[5]))
        row1 = min(raster.height, math.ceil((zminy - gt[3]) / gt[5]))
        cols, rows = col1 - col0, row1 - row0
        if cols <= 0 or rows <= 0:
            return {"zone": "boundary", "overlap": False, "pixels_in_zone": 0}
    if cols * rows > settings.EVIDENCE_RASTER_MAX_PIXELS:
        raise Unprocessable(
            error_codes.RASTER_TOO_LARGE,
            _(
                "The part of the raster over the site is %(width)s × %(height)s pixels; the limit is %(limit)s. Clip "
                "it to the site first."
            )
            % {"width": number(cols), "height": number(rows), "limit": number(settings.EVIDENCE_RASTER_MAX_PIXELS)},
        )
    data = np.asarray(band.data(offset=(col0, row0), size=(cols, rows))).reshape(rows, cols)
    if zone is None:
        mask = np.ones((rows, cols), dtype=bool)
    else:
        mask = _mask(zone, gt, col0, row0, cols, rows)
    in_zone = int(mask.sum())
    nodata = band.nodata_value
    valid = mask.copy()
    if nodata is not None:
        valid &= data != nodata
    if np.issubdtype(data.dtype, np.floating):
        valid &= np.isfinite(data)
    values = data[valid]
    stats: dict = {
        "zone": "boundary" if zone is not None else "whole raster",
        "overlap": in_zone > 0,
        "pixels_in_zone": in_zone,
        "valid_pixels": int(values.size),
        "valid_share": round(values.size / in_zone, 6) if in_zone else 0.0,
    }
    if values.size == 0:
        return stats
    stats.update(
        min=_num(values.min()),
        max=_num(values.max()),
        mean=round(float(values.mean(dtype=np.float64)), 4),
        std=round(float(values.std(dtype=np.float64)), 4),
    )
    if np.issubdtype(data.dtype, np.integer):
        classes, counts = np.unique(values, return_counts=True)
        if len(classes) <= MAX_CLASSES:
            stats["categorical"] = True
            stats["class_shares"] = {
                str(int(c)): round(int(n) / values.size, 6) for c, n in zip(classes, counts, strict=True)
            }
        else:
            stats["categorical"] = False
    return stats


def _num(value):
    return int(value) if np.issubdtype(type(value), np.integer) else round(float(value), 4)


def _mask(zone, gt, col0, row0, cols, rows) -> np.ndarray:
    mask = np.zeros((rows, cols), dtype=bool)
    x_left = gt[0] + col0 * gt[1]
    x_right = gt[0] + (col0 + cols) * gt[1]
    prepared = zone.prepared
    for r in range(rows):
        y = gt[3] + (row0 + r + 0.5) * gt[5]
        line = LineString((x_left, y), (x_right, y), srid=zone.srid)
        if not prepared.intersects(line):
            continue
        pieces = zone.intersection(line)
        for piece in _lines(pieces):
            xs = [c[0] for c in piece.coords]
            a, b = min(xs), max(xs)
            start = max(0, math.ceil((a - gt[0]) / gt[1] - 0.5) - col0)
            end = min(cols - 1, math.floor((b - gt[0]) / gt[1] - 0.5) - col0)
            if end >= start:
                mask[r, start : end + 1] = True
    return mask


def _lines(geom):
    if geom.empty:
        return []
    if geom.geom_type == "LineString":
        return [geom]
    if geom.geom_type in ("MultiLineString", "GeometryCollection"):
        return [g for g in geom if g.geom_type == "LineString"]
    return []
