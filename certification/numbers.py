"""Certificate numbers: GL-<year>-XXXX-XXXX, random, with a check character.

The body is 7 random characters from Crockford's base32 alphabet (35 bits from `secrets`: not
guessable in practice) and one Luhn mod 32 check character over year and body, so a mistyped
character or two swapped neighbours are told apart from an unknown number. Reading is lenient in
the way people copy numbers: lower case, spaces, missing dashes, O for 0, I or L for 1.
"""

from __future__ import annotations

import re
import secrets

ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
_INDEX = {c: i for i, c in enumerate(ALPHABET)}
_LOOKALIKES = str.maketrans({"O": "0", "I": "1", "L": "1", "U": "V"})
BODY_LENGTH = 7
# Longest input we try to read; anything longer is malformed without further work.
MAX_INPUT = 64
_COMPACT = re.compile(r"^GL(\d{4})([0-9A-Z]{8})$")


def check_character(payload: str) -> str:
    """Luhn mod N (N = 32) over the payload, from the right, doubling every other code point."""
    total = 0
    factor = 2
    for char in reversed(payload):
        addend = factor * _INDEX[char]
        factor = 1 if factor == 2 else 2
        total += addend // 32 + addend % 32
    return ALPHABET[(32 - total % 32) % 32]


def generate(year: int) -> str:
    body = "".join(secrets.choice(ALPHABET) for _ in range(BODY_LENGTH))
    return format_number(year, body + check_character(f"{year:04d}{body}"))


def format_number(year: int, body8: str) -> str:
    return f"GL-{year:04d}-{body8[:4]}-{body8[4:]}"


class NumberProblem(Exception):
    def __init__(self, kind: str):  # "malformed" or "typo"
        super().__init__(kind)
        self.kind = kind


def normalise(raw: str) -> str:
    """The canonical form of a typed number, or NumberProblem("malformed" / "typo")."""
    if not isinstance(raw, str) or len(raw) > MAX_INPUT:
        raise NumberProblem("malformed")
    compact = re.sub(r"[\s\-_.]", "", raw).upper()
    if not compact.startswith("GL"):
        raise NumberProblem("malformed")
    match = _COMPACT.match("GL" + compact[2:].translate(_LOOKALIKES))
    if not match:
        raise NumberProblem("malformed")
    year, body = match.groups()
    if any(c not in _INDEX for c in body):
        raise NumberProblem("malformed")
    if check_character(year + body[:-1]) != body[-1]:
        raise NumberProblem("typo")
    return format_number(int(year), body)
