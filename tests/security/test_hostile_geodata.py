"""Geodata that tells GDAL to go elsewhere: OGR/GDAL VRT documents under the name of a format we
read (`.kml`, `.gpx`, `.geojson`, a member of a zip, `.tif`), pointing at a URL (`/vsicurl/`)
or at our own database (`PG:` plus SQL), and a GeoJSON whose `crs` is a link.

They run through the real Celery worker and the staff importer, against a TCP listener on
127.0.0.1 that records every connection and against the test database, where the SQL would
advance a probe sequence and hand back a point as the item's coordinates. Any connection, any
step of the sequence, any coordinates: the test fails.
"""

from __future__ import annotations

import contextlib
import io
import json
import socket
import threading
import time
import zipfile

import pytest
from django.contrib.gis.gdal import DataSource, Driver, GDALException
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.urls import reverse

from core.errors import DomainError
from core.models import Job
from evidence.extract import Draft, Unprocessable, geodata, rasters
from evidence.models import EvidenceItem
from evidence.tests.conftest import wait_for
from protected_areas.models import ProtectedArea
from protected_areas.services import import_protected_areas

PROBE = "security_vrt_probe"
# Inside the Arezzo test site: if the SQL ran, the item would even look well placed.
SQL = f"select st_setsrid(st_makepoint(11.88, 43.46), 4326) as geom, nextval('{PROBE}') as n"


class Listener:
    """A TCP server on 127.0.0.1 that accepts and records every connection (and answers nothing)."""

    def __init__(self):
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(16)
        self.sock.settimeout(0.2)
        self.port = self.sock.getsockname()[1]
        self.connections: list[bytes] = []
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._serve, daemon=True)
        self._thread.start()

    def _serve(self):
        while not self._stop.is_set():
            try:
                conn, _ = self.sock.accept()
            except OSError:
                continue
            with conn:
                conn.settimeout(0.5)
                try:
                    self.connections.append(conn.recv(1024) or b"(connected)")
                except OSError:
                    self.connections.append(b"(connected)")

    def url(self, name: str) -> str:
        return f"http://127.0.0.1:{self.port}/{name}"

    def close(self):
        self._stop.set()
        self._thread.join(timeout=2)
        self.sock.close()


@pytest.fixture
def listener():
    server = Listener()
    yield server
    server.close()


@pytest.fixture
def probe(transactional_db):
    """A sequence in the test database that the payloads' SQL would advance (nextval is not
    undone by a rollback, so even a query whose result GDAL threw away shows)."""
    with connection.cursor() as cursor:
        cursor.execute(f"DROP SEQUENCE IF EXISTS {PROBE}; CREATE SEQUENCE {PROBE}")

    def called() -> bool:
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT is_called FROM {PROBE}")  # noqa: S608 - a constant name
            return cursor.fetchone()[0]

    yield called
    with connection.cursor() as cursor:
        cursor.execute(f"DROP SEQUENCE IF EXISTS {PROBE}")


def pg_conninfo() -> str:
    s = connection.settings_dict
    return (
        f"PG:host={s['HOST'] or '127.0.0.1'} port={s['PORT'] or 5432} dbname={s['NAME']} "
        f"user={s['USER']} password={s['PASSWORD']}"
    )


def vrt_curl(url: str) -> bytes:
    return f"""<?xml version="1.0"?>
<OGRVRTDataSource>
  <OGRVRTLayer name="x">
    <SrcDataSource>/vsicurl/{url}</SrcDataSource>
    <GeometryType>wkbPoint</GeometryType>
    <GeometryField encoding="PointFromColumns" x="lon" y="lat"/>
  </OGRVRTLayer>
</OGRVRTDataSource>
""".encode()


def vrt_pg() -> bytes:
    return f"""<?xml version="1.0"?>
<OGRVRTDataSource>
  <OGRVRTLayer name="x">
    <SrcDataSource>{pg_conninfo()}</SrcDataSource>
    <SrcSQL>{SQL}</SrcSQL>
  </OGRVRTLayer>
</OGRVRTDataSource>
""".encode()


def vrt_raster(url: str) -> bytes:
    return f"""<VRTDataset rasterXSize="4" rasterYSize="4">
  <SRS>EPSG:4326</SRS>
  <GeoTransform>11.87, 0.01, 0, 43.47, 0, -0.01</GeoTransform>
  <VRTRasterBand dataType="Byte" band="1">
    <SimpleSource>
      <SourceFilename>/vsicurl/{url}</SourceFilename>
      <SourceBand>1</SourceBand>
    </SimpleSource>
  </VRTRasterBand>
</VRTDataset>
""".encode()


def geojson_crs_link(url: str) -> bytes:
    return json.dumps(
        {
            "type": "FeatureCollection",
            "crs": {"type": "link", "properties": {"href": url, "type": "proj4"}},
            "features": [
                {"type": "Feature", "properties": {}, "geometry": {"type": "Point", "coordinates": [11.88, 43.46]}}
            ],
        }
    ).encode()


def zipped(name: str, data: bytes) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr(name, data)
    return buf.getvalue()


def payloads(listener: Listener) -> dict[str, bytes]:
    return {
        "curl.kml": vrt_curl(listener.url("a.csv")),
        "sql.kml": vrt_pg(),
        "curl.gpx": vrt_curl(listener.url("b.csv")),
        "sql.geojson": vrt_pg(),
        "curl-in.zip": zipped("parks/sites.gpx", vrt_curl(listener.url("c.csv"))),
        "sql-in.zip": zipped("sites.kml", vrt_pg()),
        "curl.tif": vrt_raster(listener.url("d.tif")),
        "crs-link.geojson": geojson_crs_link(listener.url("crs")),
    }


def assert_untouched(listener: Listener, probe) -> None:
    time.sleep(0.5)  # a connection still on its way is recorded too
    assert listener.connections == [], "GDAL connected to the listener"
    assert not probe(), "GDAL ran the file's SQL on the database"


# --- through the real worker -------------------------------------------------------------------


@pytest.mark.worker
@pytest.mark.django_db(transaction=True)
def test_vrt_evidence_never_reaches_the_network_or_the_database(
    celery_worker_process,
    listener,
    probe,
    arezzo_assessment,
    arezzo_team,
    upload,
):
    # given a site manager's uploads of VRT documents (and a GeoJSON with a linked crs) under the
    # names of formats the pipeline reads
    items = {name: upload(arezzo_assessment, arezzo_team, data, name=name) for name, data in payloads(listener).items()}
    ids = [i.pk for i in items.values()]

    # when the real worker has processed them
    wait_for(
        lambda: EvidenceItem.objects.filter(pk__in=ids, processing_status__in=["ready", "failed"]).count() == len(ids),
        timeout=120,
    )

    # then nothing was fetched and no SQL ran
    assert_untouched(listener, probe)
    for name, item in items.items():
        item = EvidenceItem.objects.select_related("facts").get(pk=item.pk)
        # and each item failed with a reason, without coordinates from anywhere
        assert item.processing_status == "failed", (name, item.status_reason)
        assert item.facts.geometry is None and item.facts.position is None, name
        assert item.facts.error_code in {"geodata_not_allowed", "geodata_not_json", "type_mismatch"}, (
            name,
            item.facts.error_code,
            item.status_reason,
        )
    kml = EvidenceItem.objects.get(pk=items["sql.kml"].pk)
    assert kml.status_reason == (
        "'sql.kml' is not a valid KML file (its content may be another format under this name); it was not opened."
    )
    assert "not followed" in EvidenceItem.objects.get(pk=items["crs-link.geojson"].pk).status_reason


@pytest.mark.worker
@pytest.mark.django_db(transaction=True)
def test_vrt_boundary_import_never_reaches_the_network_or_the_database(
    celery_worker_process, listener, probe, client, staff
):
    # given staff importing VRT documents named as boundary files, from the browser, and a
    # GeoJSON whose crs is a link (GDAL 3.6's GeoJSON driver itself fetches it)
    client.force_login(staff)
    files = {
        "curl.kml": vrt_curl(listener.url("a.csv")),
        "sql.geojson": vrt_pg(),
        "sql-in.zip": zipped("parks.kml", vrt_pg()),
        "crs-link.geojson": geojson_crs_link(listener.url("crs")),
    }
    for name, data in files.items():
        response = client.post(reverse("protected_areas:import"), {"file": SimpleUploadedFile(name, data)})
        assert response.status_code == 302, response.content.decode()[:500]

    # when the worker has run the imports
    wait_for(lambda: Job.objects.filter(status__in=["done", "failed"]).count() == len(files), timeout=120)

    # then nothing was fetched, no SQL ran, nothing was imported, and each VRT's job says why
    assert_untouched(listener, probe)
    assert not ProtectedArea.objects.exists()
    for job in Job.objects.exclude(params__file_name="crs-link.geojson"):
        assert job.status == "failed", job.result
        assert f"Could not read {job.params['file_name']}" in job.error
        assert "/" not in job.error, job.error  # no server path


# --- the same files read in this process ---------------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_importer_refuses_vrt_before_opening(listener, probe, tmp_path):
    for name, data in {
        "curl.kml": vrt_curl(listener.url("a.csv")),
        "sql.gpkg.kml": vrt_pg(),
        "sql.zip": zipped("parks/boundaries.geojson", vrt_pg()),
        # a "geodatabase" whose table is a VRT: opened only with GDAL's own geodatabase reader
        "sql.gdb.zip": zipped("parks.gdb/a00000001.gdbtable", vrt_pg()),
        # a file in parts (as the WDPA's shapefile download) whose parts hold VRT documents
        "parts.zip": zipped("parks_0.zip", zipped("parks.kml", vrt_curl(listener.url("p.csv")))),
        "sql-parts.zip": zipped("parks_0.zip", zipped("parks/boundaries.geojson", vrt_pg())),
        "sql.kmz": zipped("doc.kml", vrt_pg()),
    }.items():
        path = tmp_path / name
        path.write_bytes(data)
        with pytest.raises(DomainError, match=f"Could not read {name} as ") as refused:
            import_protected_areas(path)
        assert str(tmp_path) not in str(refused.value)
    link = tmp_path / "crs-link.geojson"
    link.write_bytes(geojson_crs_link(listener.url("crs")))
    with contextlib.suppress(DomainError):  # the file has no name column: refused, after GDAL read its crs
        import_protected_areas(link)
    assert_untouched(listener, probe)
    assert not ProtectedArea.objects.exists()


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("name", ["curl.kml", "sql.kml", "curl.gpx", "sql.geojson", "crs-link.geojson"])
def test_reader_refuses_vrt_and_links(listener, probe, tmp_path, name):
    path = tmp_path / name
    path.write_bytes(payloads(listener)[name])
    with pytest.raises(Unprocessable) as refused:
        geodata.read_vector(str(path), Draft())
    assert refused.value.code in {"geodata_not_allowed", "geodata_not_json"}
    assert_untouched(listener, probe)


def test_raster_reader_opens_only_geotiff(listener, tmp_path):
    path = tmp_path / "elevation.tif"
    path.write_bytes(vrt_raster(listener.url("d.tif")))
    assert not rasters.is_georeferenced(str(path))
    with pytest.raises(Unprocessable) as refused:
        rasters.read_raster(str(path), Draft(), None)
    assert refused.value.code == "raster_unreadable" and str(tmp_path) not in refused.value.message
    time.sleep(0.3)
    assert listener.connections == []


# --- GDAL itself, as configured at start-up -------------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_gdal_has_no_vrt_database_or_network_drivers_and_no_network(listener, probe, tmp_path):
    """The second and third layers, without the allowed-drivers list: Django's own DataSource."""
    kml, sql, link = tmp_path / "a.kml", tmp_path / "b.kml", tmp_path / "c.geojson"
    kml.write_bytes(vrt_curl(listener.url("a.csv")))
    sql.write_bytes(vrt_pg())
    link.write_bytes(geojson_crs_link(listener.url("crs")))
    for path in (kml, sql):
        with pytest.raises(Exception):  # noqa: B017 - no driver can open it: any GDAL error
            DataSource(str(path))
    for url in (f"/vsicurl/{listener.url('x.geojson')}", f"/vsicurl_streaming/{listener.url('y.geojson')}"):
        with pytest.raises(Exception):  # noqa: B017
            DataSource(url)
    DataSource(str(link))[0].srs  # noqa: B018 - reading the layer's crs is what would fetch the link
    assert_untouched(listener, probe)
    for name in ("VRT", "OGR_VRT", "PostgreSQL", "PostGISRaster", "WFS", "HTTP", "GPSBabel"):
        with pytest.raises(GDALException):
            Driver(name)
