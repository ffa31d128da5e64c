"""The pure scoring engine: hand-worked examples, then invariants tested with hypothesis."""

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from scoring import engine
from scoring.engine import ComponentRef, CriterionRef, IndicatorRef

# The default scale of the repo's Standard file (standards/data/gls-v1.1.yaml), as stored.
SCALE = [
    {"code": "meets", "label": "Meets", "counts_as_met": True, "score": 1.0, "allowed_on_submit": True},
    {"code": "partially_meets", "label": "Partially", "counts_as_met": False, "score": 0.5, "allowed_on_submit": True},
    {"code": "does_not_meet", "label": "Does not", "counts_as_met": False, "score": 0.0, "allowed_on_submit": True},
    {"code": "not_applicable", "label": "N/A", "counts_as_met": True, "score": None, "allowed_on_submit": True},
    {"code": "not_assessed", "label": "Not yet", "counts_as_met": False, "score": 0.0, "allowed_on_submit": False},
]
RULES = {"criterion_met_when": "all_indicators_met_or_not_applicable", "standard_met_when": "all_criteria_met"}


def ind(code):
    return IndicatorRef(code=code, number=code)


TREE = (
    ComponentRef(
        "1",
        "Good governance",
        (CriterionRef("1.1", "A", (ind("a"), ind("b"))), CriterionRef("1.2", "B", (ind("c"), ind("d")))),
    ),
    ComponentRef("2", "Design", (CriterionRef("2.1", "C", (ind("e"), ind("f"))),)),
)


def by_number(results, number):
    for component in results["components"]:
        if component["number"] == number:
            return component
        for criterion in component["criteria"]:
            if criterion["number"] == number:
                return criterion
    raise KeyError(number)


def test_hand_worked_mixed_ratings():
    # given: worked on paper —
    #   1.1: meets (1) + N/A (left out)          → met,      1/1   = 100 %
    #   1.2: partially (0.5) + meets (1)         → not met,  1.5/2 = 75 %
    #   component 1                              → not met,  2.5/3 = 83.33 %
    #   2.1: does not meet (0) + unrated (0)     → not met,  0/2   = 0 %
    #   whole: 2.5/5 = 50 %, 1 of 3 criteria met, Standard not met
    ratings = {"a": "meets", "b": "not_applicable", "c": "partially_meets", "d": "meets", "e": "does_not_meet", "f": ""}
    # when
    results = engine.score(TREE, SCALE, RULES, ratings)
    # then
    c11, c12, c21 = by_number(results, "1.1"), by_number(results, "1.2"), by_number(results, "2.1")
    assert (c11["met"], c11["percent"], c11["scored"], c11["excluded"]) == (True, 100.0, 1, 1)
    assert (c12["met"], c12["percent"]) == (False, 75.0)
    assert (c21["met"], c21["percent"], c21["indicators_rated"]) == (False, 0.0, 1)
    comp1 = by_number(results, "1")
    assert (comp1["met"], comp1["percent"], comp1["criteria_met"], comp1["criteria_total"]) == (False, 83.33, 1, 2)
    overall = results["overall"]
    assert overall["percent"] == 50.0
    assert (overall["criteria_met"], overall["criteria_total"], overall["met"]) == (1, 3, False)
    assert overall["indicators_met"] == 3  # a, b (N/A counts as met), d
    assert overall["excluded"] == 1


def test_hand_worked_all_met_with_one_not_applicable_meets_the_standard():
    ratings = {code: "meets" for code in "abcdef"} | {"e": "not_applicable"}
    results = engine.score(TREE, SCALE, RULES, ratings)
    assert results["overall"]["met"] is True
    assert results["overall"]["percent"] == 100.0
    assert by_number(results, "2.1")["percent"] == 100.0  # 1/1, e left out
    assert all(c["met"] for c in results["components"])


def test_one_partially_met_indicator_keeps_the_site_off_the_list():
    ratings = {code: "meets" for code in "abcdef"} | {"d": "partially_meets"}
    results = engine.score(TREE, SCALE, RULES, ratings)
    assert results["overall"]["met"] is False
    assert results["overall"]["percent"] == round(100 * 5.5 / 6, 2)
    assert [c["met"] for c in results["components"]] == [False, True]


def test_criterion_of_only_not_applicable_is_met_and_has_no_percent():
    ratings = {"a": "not_applicable", "b": "not_applicable"}
    c11 = by_number(engine.score(TREE, SCALE, RULES, ratings), "1.1")
    assert c11["met"] is True
    assert c11["percent"] is None


def test_the_stricter_rule_does_not_count_not_applicable_as_met():
    rules = {**RULES, "criterion_met_when": "all_indicators_met"}
    ratings = {code: "meets" for code in "abcdef"} | {"b": "not_applicable"}
    results = engine.score(TREE, SCALE, rules, ratings)
    assert by_number(results, "1.1")["met"] is False
    assert results["overall"]["met"] is False


def test_a_rating_not_on_the_scale_counts_as_unrated():
    results = engine.score(TREE, SCALE, RULES, {"a": "excellent", "b": "meets"})
    c11 = by_number(results, "1.1")
    assert c11["met"] is False
    assert c11["percent"] == 50.0
    assert c11["indicators"][0]["rating"] == ""


@pytest.mark.parametrize(
    "rules",
    [
        {"criterion_met_when": "most_indicators_met", "standard_met_when": "all_criteria_met"},
        {"criterion_met_when": "all_indicators_met", "standard_met_when": "half_the_criteria"},
    ],
)
def test_unknown_rules_are_refused_not_guessed(rules):
    with pytest.raises(engine.ScoringRuleError, match="Unknown rule"):
        engine.score(TREE, SCALE, rules, {})


def test_inputs_hash_ignores_key_order():
    one = {"ratings": {"a": "meets", "b": "does_not_meet"}, "rules": RULES}
    two = {"rules": dict(reversed(list(RULES.items()))), "ratings": {"b": "does_not_meet", "a": "meets"}}
    assert engine.inputs_hash(one) == engine.inputs_hash(two)
    assert engine.inputs_hash(one) != engine.inputs_hash({**one, "ratings": {"a": "meets"}})


def test_criterion_agreement():
    site = {"a": "meets", "b": "meets", "c": "meets", "d": "does_not_meet"}
    panel = {"a": "meets", "b": "partially_meets", "c": "meets"}
    rows = {r["number"]: r for r in engine.criterion_agreement(TREE, site, panel)}
    assert (rows["1.1"]["compared"], rows["1.1"]["agree"], rows["1.1"]["percent"]) == (2, 1, 50.0)
    assert (rows["1.2"]["compared"], rows["1.2"]["agree"]) == (1, 1)  # d was not rated by the panel
    assert rows["2.1"]["percent"] is None


# --- invariants ------------------------------------------------------------------------------------

CODES = [r["code"] for r in SCALE] + [""]
MET_CODES = [r["code"] for r in SCALE if r["counts_as_met"]]


@st.composite
def trees_and_ratings(draw):
    n = 0
    components = []
    for c in range(draw(st.integers(1, 4))):
        criteria = []
        for k in range(draw(st.integers(1, 4))):
            indicators = []
            for _ in range(draw(st.integers(1, 5))):
                n += 1
                indicators.append(ind(f"i{n}"))
            criteria.append(CriterionRef(f"{c + 1}.{k + 1}", "", tuple(indicators)))
        components.append(ComponentRef(str(c + 1), "", tuple(criteria)))
    codes = [i.code for comp in components for crit in comp.criteria for i in crit.indicators]
    ratings = {code: draw(st.sampled_from(CODES)) for code in codes}
    return tuple(components), ratings


def all_levels(results):
    yield "overall", results["overall"]
    for component in results["components"]:
        yield component["number"], component
        for criterion in component["criteria"]:
            yield criterion["number"], criterion


@settings(max_examples=300, deadline=None)
@given(trees_and_ratings())
def test_met_means_every_criterion_and_component_met(data):
    tree, ratings = data
    results = engine.score(tree, SCALE, RULES, ratings)
    criteria = [crit for comp in results["components"] for crit in comp["criteria"]]
    assert results["overall"]["met"] == all(c["met"] for c in criteria)
    if results["overall"]["met"]:
        assert all(comp["met"] for comp in results["components"])
    for comp in results["components"]:
        assert comp["met"] == all(c["met"] for c in comp["criteria"])
    for _, level in all_levels(results):
        assert level["percent"] is None or 0.0 <= level["percent"] <= 100.0
        assert (level["percent"] is None) == (level["scored"] == 0)


@settings(max_examples=300, deadline=None)
@given(trees_and_ratings(), st.data())
def test_changing_one_unmet_indicator_to_met_never_lowers_a_score(data, draw):
    tree, ratings = data
    unmet = [code for code, rating in ratings.items() if rating not in MET_CODES]
    if not unmet:
        return
    code = draw.draw(st.sampled_from(unmet))
    before = dict(all_levels(engine.score(tree, SCALE, RULES, ratings)))
    after = dict(all_levels(engine.score(tree, SCALE, RULES, {**ratings, code: "meets"})))
    for key, old in before.items():
        new = after[key]
        if old["percent"] is None:  # only N/A below, and the change is elsewhere
            assert new["percent"] is None and code not in _codes_under(tree, key), key
        else:
            assert new["percent"] >= old["percent"], key
        assert new["met"] or not old["met"], key
        assert new["indicators_met"] == old["indicators_met"] + (
            1 if key == "overall" or code in _codes_under(tree, key) else 0
        )


@settings(max_examples=200, deadline=None)
@given(trees_and_ratings(), st.data())
def test_no_met_flag_is_lost_by_meeting_one_more_indicator_in_any_way(data, draw):
    tree, ratings = data
    unmet = [code for code, rating in ratings.items() if rating not in MET_CODES]
    if not unmet:
        return
    code = draw.draw(st.sampled_from(unmet))
    met_as = draw.draw(st.sampled_from(MET_CODES))  # including "not applicable"
    before = dict(all_levels(engine.score(tree, SCALE, RULES, ratings)))
    after = dict(all_levels(engine.score(tree, SCALE, RULES, {**ratings, code: met_as})))
    for key, old in before.items():
        assert after[key]["met"] or not old["met"], key


def _codes_under(tree, number):
    for comp in tree:
        if comp.number == number:
            return {i.code for crit in comp.criteria for i in crit.indicators}
        for crit in comp.criteria:
            if crit.number == number:
                return {i.code for i in crit.indicators}
    return set()
