"""GDAL for files that come from people: only the driver a format needs, and no network or database.

GDAL picks a driver by content, not by name, and some of its drivers follow what a file says:
an OGR VRT document (any name: `.kml`, `.geojson`, a member of a zip) can name
`/vsicurl/http://…` or `PG:host=… user=…` plus SQL as its source, so opening it made the worker
request a URL or run a query on our database. Three layers, each enough on its own for that attack:

1. `open_vector` / `open_raster` open a file only with the drivers of its extension, enforced by
   GDAL itself at open time (GDALOpenEx's allowed-drivers list): a `.kml` that is really a VRT is
   "not readable as KML" before any driver parses its XML.
2. `harden()` (run at start-up by `core.apps`, in the web and worker processes, and again before
   each open) deregisters the drivers that read from networks or databases or redirect to other
   sources (VRT, PostgreSQL, WFS, HTTP, …), so nothing can open them, whatever the path.
3. `harden()` also sets GDAL's configuration so that `/vsicurl/` (and the cloud file systems built
   on it) refuses every URL without connecting, and GDAL's own HTTP client (WMS, spatial-reference
   URLs) goes through a proxy on a closed loopback port.

Spatial references: GDAL 3.6 has no process-wide switch to keep spatial-reference parsing off the
network (OSRSetFromUserInputEx's ALLOW_NETWORK_ACCESS=NO came with 3.9, hence Django's gis.W001).
Its drivers already call SetFromUserInput with "no network, no file" limitations for what a file
declares (GeoJSON `crs`, GeoPackage definitions); KML and GPX are WGS 84 by definition; a
Shapefile's `.prj` is parsed as ESRI WKT. The proxy setting above closes what is left
(importFromUrl goes through CPLHTTPFetch); tests/security/test_hostile_geodata.py checks a GeoJSON
whose `crs` names our listener.
"""

from __future__ import annotations

import os
import threading
from ctypes import c_char_p, c_void_p
from pathlib import PurePath

from django.contrib.gis.gdal import DataSource, GDALRaster
from django.contrib.gis.gdal.driver import Driver
from django.contrib.gis.gdal.error import GDALException
from django.contrib.gis.gdal.libgdal import lgdal
from django.contrib.gis.gdal.prototypes import ds as ds_capi
from django.utils.encoding import force_bytes
from django.utils.text import get_text_list
from django.utils.translation import gettext as _

# The drivers each extension may be read with. LIBKML and KML both read KML (LIBKML when
# installed, which also reads KMZ); GTiff also reads Cloud-Optimised GeoTIFFs.
VECTOR_DRIVERS: dict[str, tuple[str, ...]] = {
    ".kml": ("LIBKML", "KML"),
    ".gpx": ("GPX",),
    ".geojson": ("GeoJSON",),
    ".json": ("GeoJSON",),
    ".gpkg": ("GPKG",),
    ".shp": ("ESRI Shapefile",),
    # GDAL's own reader of Esri File Geodatabases (a folder named .gdb), not Esri's SDK (FileGDB).
    ".gdb": ("OpenFileGDB",),
}
RASTER_DRIVERS: dict[str, tuple[str, ...]] = {".tif": ("GTiff",), ".tiff": ("GTiff",)}

# Drivers that read from a network service or a database, run a program, or redirect to other
# sources named inside a file: nothing the platform reads needs them. (From `ogrinfo --formats`
# and `gdalinfo --formats` of Debian 12's GDAL 3.6; names a build lacks are skipped.)
BLOCKED_DRIVERS = (
    # virtual formats: a document that names other data sets, URLs or connection strings
    "VRT",
    "OGR_VRT",
    "DERIVED",
    "STACTA",
    "STACIT",
    "KMLSUPEROVERLAY",
    "GTI",
    # databases
    "PostgreSQL",
    "PostGISRaster",
    "PGDUMP",
    "MySQL",
    "ODBC",
    "PGeo",
    "MSSQLSpatial",
    "OCI",
    "GeoRaster",
    "MongoDBv3",
    "SQLite",  # its VirtualOGR tables can open any data source; GeoPackage has its own driver
    "Rasterlite",
    "OGR_OGDI",
    # network services
    "HTTP",
    "WFS",
    "OAPIF",
    "OGCAPI",
    "CSW",
    "WMS",
    "WMTS",
    "WCS",
    "Elasticsearch",
    "Carto",
    "AmigoCloud",
    "NGW",
    "PLSCENES",
    "PLMOSAIC",
    "EEDA",
    "EEDAI",
    "DAAS",
    "GMLAS",  # downloads the XML schemas a document names
    # runs an external program
    "GPSBabel",
)

# Values nothing matches: /vsicurl/ refuses a file unless it is the allowed name or has an
# allowed extension, before any connection.
NO_URL = "greenlist-no-network:"
CONFIG = {
    "CPL_VSIL_CURL_ALLOWED_FILENAME": NO_URL,
    "CPL_VSIL_CURL_ALLOWED_EXTENSIONS": ".greenlist-no-network",
    # GDAL's HTTP client (WMS, CSW, spatial references given as URLs): through a proxy on the
    # discard port, where nothing listens, failing at once and without retries.
    "GDAL_HTTP_PROXY": "127.0.0.1:9",
    "GDAL_HTTPS_PROXY": "127.0.0.1:9",
    "GDAL_HTTP_TIMEOUT": "1",
    "GDAL_HTTP_CONNECTTIMEOUT": "1",
    "GDAL_HTTP_MAX_RETRY": "0",
    # No .aux.xml side files: GDAL neither reads them next to an upload nor writes them there.
    "GDAL_PAM_ENABLED": "NO",
    # SQLite/GeoPackage: OGR's SQL functions are not callable from a file's triggers and views,
    # and no SQLite extension is loaded.
    "ALLOW_OGR_SQL_FUNCTIONS_FROM_TRIGGER_AND_VIEW": "NO",
    "OGR_SQLITE_LOAD_EXTENSIONS": "",
    # LIBKML: styles are not fetched from the URLs a document names.
    "LIBKML_RESOLVE_STYLE": "NO",
    "LIBKML_EXTERNAL_STYLE": "NO",
}
GDAL_OF_RASTER = 0x02

_set_config = lgdal.CPLSetConfigOption
_set_config.argtypes = [c_char_p, c_char_p]
_set_config.restype = None
_get_driver = lgdal.GDALGetDriverByName
_get_driver.argtypes = [c_char_p]
_get_driver.restype = c_void_p
_deregister = lgdal.GDALDeregisterDriver
_deregister.argtypes = [c_void_p]
_deregister.restype = None
_lock = threading.Lock()


class FormatNotAllowed(Exception):
    """The file cannot be opened as the format its name says (or that format is not read at all).

    The message names only the file's base name: callers may show it as it is."""


def harden() -> None:
    """Deregister the dangerous drivers and set the no-network configuration (idempotent, cheap:
    called again before each open, in case something registered all drivers again)."""
    with _lock:
        Driver.ensure_registered()
        for name in BLOCKED_DRIVERS:
            driver = _get_driver(name.encode())
            if driver:
                _deregister(driver)
        for key, value in CONFIG.items():
            _set_config(key.encode(), value.encode())


def open_vector(path: str | os.PathLike, *, suffix: str | None = None, encoding: str = "utf-8") -> DataSource:
    """Open vector geodata with only the drivers of its extension (`suffix`, else the path's)."""
    drivers = _drivers(VECTOR_DRIVERS, path, suffix)
    ptr = _open(path, ds_capi.GDAL_OF_VECTOR, drivers)
    return DataSource(ptr, ds_capi.get_dataset_driver(ptr), encoding=encoding)


def open_raster(path: str | os.PathLike, *, suffix: str | None = None) -> GDALRaster:
    """Open a raster (GeoTIFF) read-only with only the GTiff driver."""
    drivers = _drivers(RASTER_DRIVERS, path, suffix)
    return GDALRaster(_open(path, GDAL_OF_RASTER, drivers))


def _drivers(table: dict[str, tuple[str, ...]], path, suffix: str | None) -> tuple[str, ...]:
    ext = (suffix if suffix is not None else PurePath(str(path)).suffix).lower()
    drivers = table.get(ext)
    if not drivers:
        raise FormatNotAllowed(
            _("'%(name)s': files ending in '%(ext)s' are not read.")
            % {"name": PurePath(str(path)).name, "ext": ext or _("(none)")}
        )
    return drivers


def _open(path, flags: int, drivers: tuple[str, ...]) -> c_void_p:
    harden()
    allowed = (c_char_p * (len(drivers) + 1))(*(d.encode() for d in drivers), None)
    try:
        ptr = ds_capi.open_ds(force_bytes(str(path)), ds_capi.GDAL_OF_READONLY | flags, allowed, None, None)
    except GDALException:
        ptr = None
    if not ptr:
        # "LIBKML or KML": the list in the reader's language (Django's own "or").
        names = get_text_list(list(drivers))
        raise FormatNotAllowed(
            _("'%(name)s' is not readable as %(formats)s.") % {"name": PurePath(str(path)).name, "formats": names}
        )
    return ptr
