import pytest
from hypothesis import given
from hypothesis import strategies as st

from certification import numbers


def test_generated_numbers_read_back_and_differ():
    made = {numbers.generate(2026) for _ in range(500)}
    assert len(made) == 500
    for n in list(made)[:50]:
        assert numbers.normalise(n) == n
        assert n.startswith("GL-2026-") and len(n) == 17


def test_the_way_people_copy_numbers_is_understood():
    n = numbers.generate(2026)
    body = n[8:].replace("-", "")
    assert numbers.normalise(f" gl 2026 {body.lower()} ") == n
    assert numbers.normalise(f"GL2026{body}") == n


def test_every_single_character_typo_is_caught():
    n = numbers.generate(2031)
    for i, char in enumerate(n):
        if char == "-" or i < 3:
            continue
        for other in "0123456789ABCDEFGHJKMNPQRSTVWXYZ":
            if other == char:
                continue
            typo = n[:i] + other + n[i + 1 :]
            with pytest.raises(numbers.NumberProblem):
                numbers.normalise(typo)


@pytest.mark.parametrize(
    "raw",
    [
        "",
        "GL",
        "GL-2026",
        "XX-2026-ABCD-EFGH",
        "GL-2026-ABCD-EFG",
        "GL-2026-ABCD-EFGH-J",
        "x" * 5000,
        "GL-2026-ABCD-EF*H",
    ],
)
def test_malformed(raw):
    with pytest.raises(numbers.NumberProblem) as err:
        numbers.normalise(raw)
    assert err.value.kind == "malformed"


@given(st.text(max_size=80))
def test_any_text_is_read_or_refused_never_crashes(raw):
    try:
        assert numbers.normalise(raw).startswith("GL-")
    except numbers.NumberProblem:
        pass
