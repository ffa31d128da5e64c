"""Geodata (GeoJSON, KML, GPX, Shapefile, GeoPackage) read with GDAL into one geometry in EPSG:4326.

Files are opened through `core.gdal_safety`: only with the GDAL driver their extension names, so
a VRT document (which can point GDAL at URLs or databases) named `.kml` is refused unopened.
"""

from __future__ import annotations

import datetime
import json
import os

from django.conf import settings
from django.contrib.gis.gdal import CoordTransform, SpatialReference
from django.contrib.gis.gdal.error import GDALException
from django.contrib.gis.geos import GeometryCollection, GEOSException, GEOSGeometry
from django.utils.translation import gettext as _

from core import gdal_safety
from core.errors import without_paths

from .. import error_codes
from ..choices import Kind
from . import Draft, Unprocessable

GEODATA_EXTENSIONS = {".geojson", ".json", ".kml", ".gpx", ".gpkg", ".shp"}
# GPX also exposes every point of a track or route as its own layer: the lines already hold them.
GPX_SKIP_LAYERS = {"route_points", "track_points"}
WGS84 = SpatialReference(4326)


def read_geojson(path: str, draft: Draft) -> None:
    read_vector(path, draft)


def _check_geojson_file(path: str) -> None:
    # GDAL's error for broken JSON is vague; the json module says where the problem is.
    try:
        with open(path, "rb") as handle:
            data = json.load(handle)
    except (json.JSONDecodeError, UnicodeDecodeError, RecursionError) as exc:
        raise Unprocessable(
            error_codes.GEODATA_NOT_JSON, _("The GeoJSON file is not valid JSON (%(error)s).") % {"error": exc}
        )
    check_geojson_crs(data)


def check_geojson_crs(data) -> None:
    """Refuse a GeoJSON `crs` given as a link: GDAL 3.6 fetches such a URL while opening the file
    (only the no-network proxy of `core.gdal_safety` stops it). RFC 7946 has no `crs` at all; the
    named and code forms of the 2008 specification ("EPSG:…", "urn:ogc:def:crs:…") are still read,
    without network access."""
    crs = data.get("crs") if isinstance(data, dict) else None
    if isinstance(crs, dict) and str(crs.get("type", "")).lower() not in ("name", "epsg", "ogc"):
        raise Unprocessable(
            error_codes.GEODATA_NOT_ALLOWED,
            _(
                "The GeoJSON file names its coordinate system by a link, which is not followed; "
                'use longitude/latitude (WGS 84) or a named system such as "EPSG:32633".'
            ),
        )


def check_shapefile_parts(shp_path: str) -> None:
    base = os.path.splitext(shp_path)[0]
    siblings = {p.lower() for p in os.listdir(os.path.dirname(shp_path) or ".")}
    name = os.path.basename(base).lower()
    missing = [ext for ext in (".shx", ".dbf") if f"{name}{ext}" not in siblings]
    if len(missing) == 1:
        raise Unprocessable(
            error_codes.SHAPEFILE_INCOMPLETE,
            _(
                "The shapefile '%(name)s' comes without its %(part)s file; zip all parts (.shp, .shx, .dbf, .prj) "
                "together."
            )
            % {"name": os.path.basename(shp_path), "part": missing[0]},
        )
    if missing:
        raise Unprocessable(
            error_codes.SHAPEFILE_INCOMPLETE,
            _(
                "The shapefile '%(name)s' comes without its %(part)s and %(other)s files; zip all parts (.shp, .shx, "
                ".dbf, .prj) together."
            )
            % {"name": os.path.basename(shp_path), "part": missing[0], "other": missing[1]},
        )


def read_vector(path: str, draft: Draft) -> None:
    draft.kind = Kind.GEODATA
    if path.lower().endswith(".shp"):
        check_shapefile_parts(path)
    name = os.path.basename(path)
    if path.lower().endswith((".geojson", ".json")):
        _check_geojson_file(path)
    try:
        source = gdal_safety.open_vector(path)
    except gdal_safety.FormatNotAllowed:
        ext = os.path.splitext(name)[1].lower().lstrip(".").upper()
        if not ext:
            raise Unprocessable(
                error_codes.GEODATA_NOT_ALLOWED,
                _(
                    "'%(name)s' is not a valid geodata file (its content may be another format under this name); it "
                    "was not opened."
                )
                % {"name": name},
            )
        raise Unprocessable(
            error_codes.GEODATA_NOT_ALLOWED,
            _(
                "'%(name)s' is not a valid %(format)s file (its content may be another format under this name); it "
                "was not opened."
            )
            % {"name": name, "format": ext},
        )
    except GDALException as exc:
        raise Unprocessable(
            error_codes.GEODATA_UNREADABLE,
            _("GDAL cannot read the geodata (%(error)s).") % {"error": without_paths(exc)},
        )
    geoms: list[GEOSGeometry] = []
    layers = []
    limit = settings.EVIDENCE_MAX_FEATURES
    is_gpx = source.driver.name == "GPX"
    try:
        # DataSource is iterated by index (__getitem__ and __len__), which the stubs do not declare.
        for layer in source:  # type: ignore[attr-defined]
            if is_gpx and layer.name in GPX_SKIP_LAYERS:
                if layer.name == "track_points" and "time" in layer.fields:
                    _gpx_dates(layer, draft)
                continue
            count = len(layer)
            layers.append({"name": layer.name, "features": count, "type": str(layer.geom_type)})
            if count == 0:
                continue
            transform = _transform_for(layer, path)
            for feature in layer:
                geom = feature.geom
                if geom is None:
                    continue
                if len(geoms) >= limit:
                    draft.details["truncated_at"] = limit
                    break
                if transform is not None:
                    geom.transform(transform)
                geom.set_3d(False)
                geoms.append(geom.geos)
    except (GDALException, GEOSException) as exc:
        raise Unprocessable(
            error_codes.GEODATA_UNREADABLE,
            _("GDAL cannot read the features (%(error)s).") % {"error": without_paths(exc)},
        )
    draft.details["layers"] = layers
    draft.details["driver"] = source.driver.name
    draft.feature_count = len(geoms)
    if not geoms:
        raise Unprocessable(error_codes.GEODATA_UNREADABLE, _("The file holds no features with a geometry."))
    collection = GeometryCollection(*geoms, srid=4326)
    draft.geometry = collection


def _transform_for(layer, path: str):
    srs = layer.srs
    if srs is None:
        minx, miny, maxx, maxy = layer.extent.tuple
        if -180 <= minx <= maxx <= 180 and -90 <= miny <= maxy <= 90:
            return None  # degrees; taken as WGS 84
        raise Unprocessable(
            error_codes.GEODATA_NO_CRS,
            _(
                "'%(name)s' does not say its coordinate system (no .prj file) and its coordinates are not "
                "longitude/latitude."
            )
            % {"name": os.path.basename(path)},
        )
    if srs.srid == 4326:
        return None
    return CoordTransform(srs, WGS84)


def _gpx_dates(layer, draft: Draft) -> None:
    # The first and last points are enough to say when the track was walked.
    n = len(layer)
    for index in {0, n - 1} if n else set():
        value = layer[index].get("time")
        if isinstance(value, datetime.datetime):
            draft.dates.append(value.date())
        elif isinstance(value, datetime.date):
            draft.dates.append(value)
