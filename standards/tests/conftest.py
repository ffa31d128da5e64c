import pytest


@pytest.fixture
def standard(db):
    from standards.tests.factories import load_gls

    return load_gls()
