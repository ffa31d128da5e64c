"""Countries by name in the reader's language, from their ISO 3166 alpha-3 codes (the WDPA's ISO3
and PARENT_ISO3 columns): the Unicode CLDR's names, through Babel. Pages show names, not codes: a
visitor of the Green List reads "Viet Nam" or "Viêt Nam", not "VNM". A code the CLDR does not know
(the WDPA's ABNJ, areas beyond national jurisdiction) is shown as it is."""

from __future__ import annotations

from functools import cache as memoize

from babel import Locale, UnknownLocaleError
from babel.core import get_global
from django.utils.translation import get_language, to_locale


def country_names(codes: list[str] | None, language: str | None = None) -> list[str]:
    """The names of these countries in `language` (the active one when None), in the codes' order."""
    territories = territory_names(language or get_language() or "en")
    return [territories.get(alpha2(code), code) for code in codes or []]


@memoize
def territory_names(language: str) -> dict[str, str]:
    """CLDR's territory names in `language` by ISO alpha-2 code; empty for a language it lacks."""
    try:
        return dict(Locale.parse(to_locale(language)).territories)
    except (UnknownLocaleError, ValueError):
        return {}


def alpha2(iso3: str) -> str:
    """The alpha-2 code of an ISO 3166 alpha-3 code, "" if there is none."""
    # CLDR's territory aliases map every ISO 3166 alpha-3 code to its alpha-2 code ("DEU" -> ["DE"]).
    codes = get_global("territory_aliases").get(iso3) if iso3 else None
    return codes[0] if codes else ""
