import pytest


@pytest.fixture(autouse=True)
def _forget_comment_rates():
    """The comment rate limits live in Redis: each test starts with a clean record."""
    import redis
    from django.conf import settings

    client = redis.Redis.from_url(settings.REDIS_URL)
    for key in client.scan_iter(match="*comment-rate:*", count=500):
        client.delete(key)
    yield
    for key in client.scan_iter(match="*comment-rate:*", count=500):
        client.delete(key)
