"""core.text.clean_text: the one way free text from forms and API bodies is cleaned and checked."""

import pytest
from django.utils import translation

from core.errors import DomainError
from core.text import clean_text

CODES = {"required_code": "x_required", "too_long_code": "x_too_long"}


def test_text_is_stripped_and_windows_line_ends_become_newlines():
    assert clean_text("  a\r\nb  ", field="f", limit=10, **CODES) == "a\nb"
    assert clean_text(None, field="f", limit=10, **CODES) == ""
    assert clean_text(42, field="f", limit=10, **CODES) == "42"


def test_a_required_text_missing_or_blank_is_refused_with_the_callers_code_and_field():
    for value in (None, "", "   \r\n "):
        with pytest.raises(DomainError) as refused:
            clean_text(value, field="reasons", limit=10, required=True, **CODES)
        assert (refused.value.code, refused.value.field) == ("x_required", "reasons")


def test_a_text_over_the_limit_is_refused_in_the_readers_language():
    with translation.override("fr"), pytest.raises(DomainError) as refused:
        clean_text("x" * 11, field="note", limit=10, **CODES)
    assert (refused.value.code, refused.value.field) == ("x_too_long", "note")
    assert "11" in str(refused.value.message) and "10" in str(refused.value.message)
    assert "caractères" in str(refused.value.message)
    assert clean_text("x" * 10, field="note", limit=10, **CODES) == "x" * 10


def test_with_an_invalid_code_anything_but_text_is_refused():
    for value in (3, ["a"], {"a": 1}):
        with pytest.raises(DomainError) as refused:
            clean_text(value, field="name", limit=10, invalid_code="x_invalid", **CODES)
        assert refused.value.code == "x_invalid"


def test_the_lengths_of_a_long_text_are_grouped_as_the_reader_groups_thousands():
    # given a comment of 5,000 characters where 4,000 are allowed
    for language, expected in {"en": ("5,000", "4,000"), "fr": ("5\xa0000", "4\xa0000")}.items():
        # when it is refused for a reader of the language
        with translation.override(language), pytest.raises(DomainError) as refused:
            clean_text("x" * 5000, field="text", limit=4000, **CODES)
        # then both numbers have the language's thousands separator, not a bare 5000
        message = str(refused.value.message)
        assert all(number in message for number in expected), message
        assert "5000" not in message
