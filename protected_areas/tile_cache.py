"""The vector-tile cache: one Redis key per tile, shared by every web process, and invalidation of
exactly the tiles an import touched (issue 19).

A cached tile is `(generation, etag, gzipped bytes)` under `pa:tile:<z>:<x>:<y>`, read in one round
trip with the current generation (MGET): a tile of an older generation is stale. It is compressed
once, when made: browsers all take gzip, and compressing a continent's tile on every request cost
more than the rest of a cached answer. An import does not
empty the cache: it names the bounding boxes of the areas it added or changed (before and after
the change) and `forget_boxes` deletes the tiles covering them at every zoom, widened by the
64-unit buffer the tile query draws beyond a tile's edge. Where the boxes cover more tiles at a
zoom than are worth naming (close zooms), the tiles cached at that zoom are read from a per-zoom
index (a Redis set) and those inside a box are deleted instead. Only an
import changing more than FORGET_ALL_OVER areas moves to a new generation (everything stale at
once: a new world release touches nearly every tile anyway).

A tile drawn while areas change must not be kept after the change forgot its tile: drawing starts
before the writer commits and forgets, ends after, and would store the old drawing for a day. So a
miss first claims the tile's key (an integer token, in the index too) before it reads the database,
and keeps what it drew only if its claim is still there (`_STORE_IF_CLAIMED`, one Lua script:
compare and set at once). Forgetting deletes the key, claim included, so a drawing begun before the
forget is served to its one request and never stored.
"""

from __future__ import annotations

import gzip
import hashlib
import math
import secrets
import time
from collections.abc import Callable, Iterable
from typing import Any

from django.core.cache import cache

TILE_CACHE_SECONDS = 24 * 3600
MAX_ZOOM = 22
GENERATION_KEY = "protected_areas:tiles:version"
# Above this many tiles at one zoom for the boxes, look the cached ones up instead of naming them all.
NAME_AT_MOST = 20_000
FORGET_ALL_OVER = 1_000
# The tile query draws 64 of 4096 units beyond each edge (ST_AsMVTGeom's buffer).
BUFFER = 64 / 4096
MERCATOR_MAX_LAT = 85.0511287798066

Box = tuple[float, float, float, float]  # west, south, east, north in degrees


def generation() -> int:
    """The cache's generation; moved only when everything must go (see the module's doc)."""
    value = cache.get(GENERATION_KEY)
    if value is None:
        # Lost (Redis flushed): start a new namespace rather than risk serving old tiles.
        cache.add(GENERATION_KEY, time.time_ns(), timeout=None)
        value = cache.get(GENERATION_KEY, time.time_ns())
    return int(value)


def forget_all() -> None:
    cache.set(GENERATION_KEY, time.time_ns(), timeout=None)


def _key(z: int, x: int, y: int) -> str:
    # No generation in the key: it is in the value, so that one MGET reads both (a cached tile is
    # then one Redis round trip, which is most of its time on a busy machine).
    return f"pa:tile:{z}:{x}:{y}"


def _index_key(gen: int, z: int) -> str:
    return f"pa:tiles:{gen}:{z}"


def _redis() -> Any:
    """redis-py's client behind Django's cache, for the per-zoom index sets."""
    return cache._cache.get_client(write=True)  # type: ignore[attr-defined]


def get_or_make(z: int, x: int, y: int, make: Callable[[], bytes]) -> tuple[str, bytes]:
    """The tile's ETag and gzipped bytes from Redis, made (and kept, and indexed) when missing or stale."""
    key = _key(z, x, y)
    found = cache.get_many([GENERATION_KEY, key])
    gen = found.get(GENERATION_KEY)
    if gen is None:
        gen = generation()
    cached = found.get(key)
    # A tuple is a tile; an int is another request's claim (it is drawing the tile): draw it too.
    if isinstance(cached, tuple) and cached[0] == int(gen):
        return cached[1], cached[2]
    # Claimed before `make` reads the database: a writer that forgets after the claim deletes it (the
    # drawing is not kept); one that forgot before had committed before the read, which sees its data
    # (read committed: a query sees what was committed when it began).
    claim = _claim(key, int(gen), z, x, y)
    data = make()
    etag = hashlib.blake2b(data, digest_size=8).hexdigest()
    data = gzip.compress(data, compresslevel=6, mtime=0)
    _store_if_claimed(key, claim, (int(gen), etag, data))
    return etag, data


# How long a claim waits for its drawing: one slower than this is not kept (a later request draws it).
CLAIM_SECONDS = 10 * 60
# KEYS[1] the tile's key, ARGV[1] the claim, ARGV[2] the tile as the cache stores it, ARGV[3] seconds.
_STORE_IF_CLAIMED = """
if redis.call('GET', KEYS[1]) == ARGV[1] then
    redis.call('SET', KEYS[1], ARGV[2], 'EX', ARGV[3])
    return 1
end
return 0
"""


def _claim(key: str, gen: int, z: int, x: int, y: int) -> int:
    """Put a token unique to this drawing in the tile's key, and the tile in its zoom's index (so that
    forgetting by the index finds a tile being drawn as well as one drawn), before drawing it."""
    # Random across processes and hosts; an int, so never mistaken for a tile (a tuple).
    claim = -(secrets.randbits(62) + 1)
    index = cache.make_and_validate_key(_index_key(gen, z))
    pipe = _redis().pipeline(transaction=True)
    pipe.set(cache.make_and_validate_key(key), claim, ex=CLAIM_SECONDS)
    pipe.sadd(index, f"{x}:{y}")
    pipe.expire(index, TILE_CACHE_SECONDS)
    pipe.execute()
    return claim


def _store_if_claimed(key: str, claim: int, tile: tuple[int, str, bytes]) -> bool:
    """Keep the drawn tile unless its claim was forgotten (or taken by a later drawing) meanwhile."""
    client = _redis()
    serialized = cache._cache._serializer.dumps(tile)  # type: ignore[attr-defined]
    stored = client.eval(
        _STORE_IF_CLAIMED, 1, cache.make_and_validate_key(key), str(claim), serialized, TILE_CACHE_SECONDS
    )
    return bool(stored)


def forget(z: int, x: int, y: int) -> None:
    cache.delete(_key(z, x, y))


def is_cached(z: int, x: int, y: int) -> bool:
    """Whether tile z/x/y would be served from the cache now (tests)."""
    cached = cache.get(_key(z, x, y))
    return isinstance(cached, tuple) and cached[0] == generation()


def tile_range(box: Box, z: int) -> tuple[int, int, int, int]:
    """x0, y0, x1, y1 (inclusive) of the tiles at zoom z whose drawing (with its buffer) meets `box`."""
    n = 2**z
    west, south, east, north = box

    def fx(lon: float) -> float:
        return (lon + 180) / 360 * n

    def fy(lat: float) -> float:
        lat = max(min(lat, MERCATOR_MAX_LAT), -MERCATOR_MAX_LAT)
        return (1 - math.asinh(math.tan(math.radians(lat))) / math.pi) / 2 * n

    def clamp(v: float) -> int:
        return max(0, min(n - 1, math.floor(v)))

    return (
        clamp(fx(west) - BUFFER),
        clamp(fy(north) - BUFFER),
        clamp(fx(east) + BUFFER),
        clamp(fy(south) + BUFFER),
    )


def forget_boxes(boxes: Iterable[Box], max_zoom: int = MAX_ZOOM) -> int:
    """Delete the cached tiles covering `boxes` at every zoom; returns how many keys were named.

    Each zoom's index lists every tile cached or being drawn at that zoom (`_claim` adds it before
    drawing), so a zoom with none cached is passed over, and where the boxes cover more tiles than
    are cached the cached ones are read and tested. Naming every covered tile cost a one-area import
    a fifth of a second (20,000 keys at the close zooms, nearly none of them cached)."""
    boxes = list(boxes)
    if not boxes:
        return 0
    if len(boxes) > FORGET_ALL_OVER:
        forget_all()
        return 0
    gen = generation()
    client = _redis()
    indexes = [cache.make_and_validate_key(_index_key(gen, z)) for z in range(max_zoom + 1)]
    counting = client.pipeline(transaction=False)
    for index in indexes:
        counting.scard(index)
    cached_counts = counting.execute()
    named = 0
    for z, (index, cached) in enumerate(zip(indexes, cached_counts, strict=True)):
        if not cached:
            continue
        ranges = [tile_range(box, z) for box in boxes]
        total = sum((x1 - x0 + 1) * (y1 - y0 + 1) for x0, y0, x1, y1 in ranges)
        tiles: set[tuple[int, int]] = set()
        if total <= min(cached, NAME_AT_MOST):
            for x0, y0, x1, y1 in ranges:
                tiles.update((x, y) for x in range(x0, x1 + 1) for y in range(y0, y1 + 1))
        else:
            for member in client.smembers(index):
                x, y = map(int, member.decode().split(":"))
                if any(x0 <= x <= x1 and y0 <= y <= y1 for x0, y0, x1, y1 in ranges):
                    tiles.add((x, y))
        if tiles:
            cache.delete_many([_key(z, x, y) for x, y in tiles])
            client.srem(index, *[f"{x}:{y}" for x, y in tiles])
            named += len(tiles)
    return named
