import pytest


@pytest.fixture(autouse=True)
def fresh_tile_cache():
    """Redis outlives the test database: start every test on a new map data version."""
    from protected_areas.services import tiles_data_changed

    tiles_data_changed()
