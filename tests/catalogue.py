"""French or Spanish words a test gives a message the lead has not translated yet.

A new message is checked to go through the catalogues (a hard-coded English string would not change)
before its translation comes; that every message is translated is tests/test_translations.py's check.
"""

from collections.abc import Iterator, Mapping
from contextlib import contextmanager

from django.utils.translation import trans_real


@contextmanager
def translated(language: str, messages: Mapping[object, str]) -> Iterator[None]:
    """The server catalogue of `language` with `messages` in it for the block: msgid → words; a
    plural form as (msgid, index) → words; a message with a context as "context\\x04msgid"."""
    catalog = trans_real.translation(language)._catalog
    kept = {key: catalog.get(key) for key in messages}
    for key, words in messages.items():
        catalog[key] = words
    try:
        yield
    finally:
        for key, words in kept.items():
            if words is None:
                catalog._catalogs[0].pop(key, None)
            else:
                catalog[key] = words
