"""Fixtures for the evidence pipeline: a real Standard, assessments on real boundaries, uploads
through `evidence.services.evidence_upload` (so the same rules apply as in the browser)."""

from __future__ import annotations

import io
import time
from pathlib import Path

import pytest
from django.contrib.gis.gdal import DataSource
from django.contrib.gis.geos import MultiPolygon
from django.core.files.base import ContentFile, File

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def standard(db):
    from standards.services import standard_load

    return standard_load(ROOT / "standards" / "data" / "gls-v1.1.yaml").standard


@pytest.fixture
def make_assessment(standard):
    from assessments.services import assessment_create

    def make(area, manager, year=2010):
        return assessment_create(protected_area=area, user=manager, year=year)

    return make


def boundary_from(path) -> MultiPolygon:
    layer = DataSource(str(path))[0]
    geom = next(iter(layer)).geom
    geom.transform(4326)
    geos = geom.geos
    return geos if isinstance(geos, MultiPolygon) else MultiPolygon(geos, srid=4326)


@pytest.fixture
def arezzo(db):
    """A site around the GPS photos near Arezzo (43.464–43.468 N, 11.879–11.885 E)."""
    from protected_areas.tests.factories import ProtectedAreaFactory, square

    return ProtectedAreaFactory(
        name="Arezzo Hills", iso3=["ITA"], parent_iso3=["ITA"], geom=square(11.87, 43.455, 0.03)
    )


@pytest.fixture
def arezzo_team(arezzo):
    from accounts.tests.factories import Role, make_user

    return make_user(Role.SITE_MANAGER, email="arezzo@example.org", protected_area=arezzo)


@pytest.fixture
def arezzo_assessment(make_assessment, arezzo, arezzo_team):
    return make_assessment(arezzo, arezzo_team)


@pytest.fixture
def neiba(db, testdata):
    from protected_areas.tests.factories import ProtectedAreaFactory

    return ProtectedAreaFactory(
        name="Sierra de Neiba",
        iso3=["DOM"],
        parent_iso3=["DOM"],
        geom=boundary_from(testdata / "neiba-zonal" / "sierra_de_neiba_478140.gpkg"),
    )


@pytest.fixture
def upload():
    from evidence.services import evidence_upload

    def do(assessment, user, source, *, name=None, **kwargs):
        if isinstance(source, bytes):
            f = ContentFile(source, name=name or "file.bin")
        else:
            source = Path(source)
            f = File(io.BytesIO(source.read_bytes()), name=name or source.name)
            f.size = source.stat().st_size
        return evidence_upload(assessment=assessment, user=user, file=f, **kwargs)

    return do


@pytest.fixture
def processed():
    """Run the pipeline in this process (unit tests) and return the fresh item with its facts."""
    from evidence.models import EvidenceItem
    from evidence.pipeline import evidence_process

    def run(item):
        evidence_process(item.pk)
        return EvidenceItem.objects.select_related("facts").get(pk=item.pk)

    return run


def wait_for(predicate, timeout=60, interval=0.2):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(interval)
    raise AssertionError("timed out waiting")
