import pytest

from certification.tests.conftest import certificate, recommended, review_staff, standard  # noqa: F401


@pytest.fixture(autouse=True)
def _forget_concern_rates():
    """The rate limits live in Redis: each test starts with a clean record."""
    import redis
    from django.conf import settings

    client = redis.Redis.from_url(settings.REDIS_URL)
    for key in client.scan_iter(match="*concern-rate:*", count=500):
        client.delete(key)
    yield
    for key in client.scan_iter(match="*concern-rate:*", count=500):
        client.delete(key)
