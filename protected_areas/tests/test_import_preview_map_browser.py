"""The import preview's map, in Chromium: areas half a world apart are each shown (a dot where the map is
zoomed out too far to see a boundary), and point-only sites (a WDPA download's other layer) are drawn at
all. Both were an empty-looking map before. The preview job runs here, as the worker would."""

import subprocess

import pytest

from conftest import browser_login
from core.models import Job
from protected_areas.import_wizard import preview_job_run

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

LAOS = "wdpa-mapme-samples/wdpa_laos.gpkg"  # Phong Dien and Dakrong, Viet Nam
SHELL_BEACH = "wdpa-mapme-samples/shell_beach_protected_area_41057_B.gpkg"  # Guyana


def ogr2ogr(*args: str) -> None:
    subprocess.run(["ogr2ogr", "-f", "GPKG", *args], check=True, capture_output=True)


def preview_on_the_page(page, path) -> None:
    page.goto("/areas/import/")
    page.locator("input[type=file]").set_input_files(str(path))
    page.locator("main form button[type=submit]").last.click()
    page.wait_for_url("**/areas/import/*/")
    preview_job_run(Job.objects.filter(kind="protected_area_import_preview").latest("id").pk)
    page.reload()
    page.wait_for_selector("#preview-map[data-loaded=true]")
    page.wait_for_function("() => window.greenlistMap && window.greenlistMap.loaded()")


def drawn(page, layer: str) -> int:
    return page.evaluate(f"() => greenlistMap.queryRenderedFeatures({{layers: ['{layer}']}}).length")


def test_far_apart_areas_and_point_only_sites_are_seen_on_the_preview_map(page, live_server, staff, testdata, tmp_path):
    browser_login(page, staff.email)

    # given a file of the two Vietnamese reserves and Shell Beach, in Guyana
    apart = tmp_path / "apart.gpkg"
    ogr2ogr(str(apart), str(testdata / LAOS), "-nln", "reserves")
    ogr2ogr("-update", "-append", str(apart), str(testdata / SHELL_BEACH), "-nln", "reserves", "-nlt", "MULTIPOLYGON")

    # when staff preview it
    preview_on_the_page(page, apart)

    # then the map spans the two (zoomed out), and each area is a dot there: none is lost to a sub-pixel
    assert page.evaluate("() => greenlistMap.getZoom()") < 6
    assert drawn(page, "preview-markers") == 3

    # and a file of sites known only as points shows its points
    points = tmp_path / "points.gpkg"
    sql = "SELECT WDPAID, NAME, ISO3, ST_PointOnSurface(geom) AS geom FROM shell_beach_protected_area_41057_B"
    ogr2ogr(str(points), str(testdata / SHELL_BEACH), "-dialect", "sqlite", "-sql", sql, "-nln", "sites")
    preview_on_the_page(page, points)
    assert drawn(page, "preview-points") == 1
