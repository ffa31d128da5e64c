"""The global map in a real browser: local MapLibre, our vector tiles, no base map, strict CSP."""

import pytest

from protected_areas.services import import_protected_areas


@pytest.mark.browser
def test_global_map_draws_imported_boundaries(page, testdata, transactional_db):
    import_protected_areas(testdata / "pad-uae/pad-united-arab-emirates.shp")
    problems = []
    page.on("console", lambda m: problems.append(m.text) if "Content Security Policy" in m.text else None)
    tiles = []
    page.on("response", lambda r: tiles.append(r.status) if "/areas/tiles/" in r.url else None)

    page.goto("/areas/map/")
    page.wait_for_selector("#global-map[data-loaded=true]", timeout=30000)
    page.evaluate("window.greenlistMap.jumpTo({center: [54.5, 24.2], zoom: 6.5})")
    page.wait_for_function(
        "window.greenlistMap.areTilesLoaded() && "
        "window.greenlistMap.queryRenderedFeatures({layers: ['areas-fill']}).length > 10",
        timeout=30000,
    )

    assert tiles and set(tiles) == {200}
    assert problems == []


def test_the_map_draws_the_platforms_own_base_map(page, transactional_db):
    from django.core.management import call_command

    call_command("load_basemap", verbosity=0)
    tiles = []
    page.on("response", lambda r: tiles.append(r.status) if "/areas/basemap/" in r.url else None)
    page.goto("/areas/map/")
    page.wait_for_selector("#global-map[data-loaded=true]", timeout=30000)
    assert page.evaluate("!!window.greenlistMap.getLayer('land') && !!window.greenlistMap.getLayer('borders')")
    page.wait_for_timeout(500)
    assert tiles and set(tiles) == {200}  # served by the platform itself, no server outside


def test_the_map_writes_place_names_in_the_readers_language(page, live_server, transactional_db):
    from django.core.management import call_command

    # given the base map loaded and a reader in French
    call_command("load_basemap", verbosity=0)
    page.context.add_cookies([{"name": "django_language", "value": "fr", "url": live_server.url}])
    page.goto("/areas/map/")
    page.wait_for_selector("#global-map[data-loaded=true]", timeout=30000)
    # when the map shows western Europe at a zoom with room for cities
    page.evaluate("window.greenlistMap.jumpTo({center: [6, 48], zoom: 4})")
    # then it writes the countries' names in French and the cities' names, as HTML over the map
    page.locator(".map-label-country", has_text="Allemagne").wait_for(timeout=15000)
    page.locator(".map-label-city", has_text="Paris").wait_for(timeout=15000)
    labels = page.locator(".map-label")
    assert labels.count() <= 60  # only those in view with room for them
    assert page.evaluate(
        "Array.from(document.querySelectorAll('.map-label')).every((el) => el.getAttribute('aria-hidden') === 'true'"
        " && getComputedStyle(el).pointerEvents === 'none' && !el.hasAttribute('role'))"
    )
    # and at the whole world's zoom no city crowds the continents
    page.evaluate("window.greenlistMap.jumpTo({center: [10, 20], zoom: 1.3})")
    page.wait_for_function("!document.querySelector('.map-label-city')", timeout=15000)
    assert page.locator(".map-label-country", has_text="Russie").count() == 1
