"""Pure scoring: indicator ratings → criterion → component → whole assessment.

No database here. The caller passes the Standard's tree, its rating scale and its rules (all stored
with the Standard version) and one rating code per indicator; the result is plain JSON, so it can
be stored in a snapshot as it is and compared across instances.

Two things are computed at every level:
- a **met flag**, following the Standard's rules (a criterion is met when all its indicators count as
  met; a component when all its criteria are; the site meets the Standard when every criterion is);
- a **percent score**, the mean of the scale's `score` over the indicators below (a `null` score, as
  for "not applicable", leaves the indicator out; an unrated indicator counts as 0).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.utils.translation import gettext as _

ENGINE_VERSION = 1

# The rule names a Standard file may use. They are data in the Standard; what each one means is here,
# in one place, so that a file naming a rule we do not know is refused rather than guessed at.
CRITERION_RULES = {
    # N/A counts as met because the scale says so (`counts_as_met: true`), not because of its code.
    "all_indicators_met_or_not_applicable": "counts_as_met",
    "all_indicators_met": "met_with_score",
}
STANDARD_RULES = {"all_criteria_met", "all_components_met"}


class ScoringRuleError(ValueError):
    """The Standard's rules or scale cannot be scored (an unknown rule name, a malformed scale)."""


@dataclass(frozen=True)
class IndicatorRef:
    code: str
    number: str
    title: str = ""


@dataclass(frozen=True)
class CriterionRef:
    number: str
    title: str
    indicators: tuple[IndicatorRef, ...]


@dataclass(frozen=True)
class ComponentRef:
    number: str
    title: str
    criteria: tuple[CriterionRef, ...]


@dataclass
class _Tally:
    score_sum: float = 0.0
    scored: int = 0
    excluded: int = 0
    indicators: int = 0
    met: int = 0
    rated: int = 0
    unrated: list[str] = field(default_factory=list)

    def add(self, other: _Tally) -> None:
        self.score_sum += other.score_sum
        self.scored += other.scored
        self.excluded += other.excluded
        self.indicators += other.indicators
        self.met += other.met
        self.rated += other.rated

    def as_dict(self) -> dict[str, Any]:
        percent = round(100.0 * self.score_sum / self.scored, 2) if self.scored else None
        return {
            "percent": percent,
            "score_sum": round(self.score_sum, 6),
            "scored": self.scored,
            "excluded": self.excluded,
            "indicators": self.indicators,
            "indicators_met": self.met,
            "indicators_rated": self.rated,
        }


def check_rules(rules: Mapping[str, Any], scale: Sequence[Mapping[str, Any]]) -> tuple[str, str]:
    criterion_rule = rules.get("criterion_met_when", "all_indicators_met_or_not_applicable")
    standard_rule = rules.get("standard_met_when", "all_criteria_met")
    if criterion_rule not in CRITERION_RULES:
        raise ScoringRuleError(_("Unknown rule criterion_met_when: %(rule)s.") % {"rule": repr(criterion_rule)})
    if standard_rule not in STANDARD_RULES:
        raise ScoringRuleError(_("Unknown rule standard_met_when: %(rule)s.") % {"rule": repr(standard_rule)})
    for entry in scale:
        if "code" not in entry or "counts_as_met" not in entry or "score" not in entry:
            raise ScoringRuleError(_("Every rating on the scale needs code, counts_as_met and score."))
        if entry["score"] is not None and not isinstance(entry["score"], int | float):
            raise ScoringRuleError(_("The score of rating %(code)s is not a number.") % {"code": repr(entry["code"])})
    return criterion_rule, standard_rule


def _indicator_met(entry: Mapping[str, Any] | None, criterion_rule: str) -> bool:
    if entry is None:
        return False
    if CRITERION_RULES[criterion_rule] == "met_with_score":
        # Stricter reading: only a rating that counts as met *and* is scored (so not N/A).
        return bool(entry["counts_as_met"]) and entry["score"] is not None
    return bool(entry["counts_as_met"])


def score(
    tree: Sequence[ComponentRef],
    scale: Sequence[Mapping[str, Any]],
    rules: Mapping[str, Any],
    ratings: Mapping[str, str],
) -> dict[str, Any]:
    """Score one set of ratings (indicator code → rating code) against the Standard's tree.

    A rating code that is empty or not on the scale counts as unrated: score 0, not met.
    """
    criterion_rule, standard_rule = check_rules(rules, scale)
    by_code = {entry["code"]: entry for entry in scale}
    total = _Tally()
    components_out = []
    criteria_met = criteria_total = 0
    for component in tree:
        comp_tally = _Tally()
        criteria_out = []
        comp_met = True
        for criterion in component.criteria:
            crit_tally = _Tally()
            indicators_out = []
            crit_met = True
            for indicator in criterion.indicators:
                code = ratings.get(indicator.code) or ""
                entry = by_code.get(code)
                met = _indicator_met(entry, criterion_rule)
                value = entry["score"] if entry is not None else 0.0
                crit_tally.indicators += 1
                if entry is not None and entry.get("allowed_on_submit", True):
                    crit_tally.rated += 1
                if met:
                    crit_tally.met += 1
                else:
                    crit_met = False
                if value is None:
                    crit_tally.excluded += 1
                else:
                    crit_tally.score_sum += float(value)
                    crit_tally.scored += 1
                indicators_out.append(
                    {
                        "code": indicator.code,
                        "number": indicator.number,
                        "rating": code if entry is not None else "",
                        "met": met,
                        "score": value,
                    }
                )
            criteria_total += 1
            criteria_met += int(crit_met)
            comp_met = comp_met and crit_met
            comp_tally.add(crit_tally)
            criteria_out.append(
                {
                    "number": criterion.number,
                    "title": criterion.title,
                    "met": crit_met,
                    **crit_tally.as_dict(),
                    "indicators": indicators_out,
                }
            )
        total.add(comp_tally)
        components_out.append(
            {
                "number": component.number,
                "title": component.title,
                "met": comp_met,
                "criteria_met": sum(1 for c in criteria_out if c["met"]),
                "criteria_total": len(criteria_out),
                **comp_tally.as_dict(),
                "criteria": criteria_out,
            }
        )
    all_criteria = criteria_total > 0 and criteria_met == criteria_total
    if standard_rule == "all_components_met":
        standard_met = bool(components_out) and all(c["met"] for c in components_out)
    else:
        standard_met = all_criteria
    return {
        "engine": ENGINE_VERSION,
        "overall": {
            "met": standard_met,
            "criteria_met": criteria_met,
            "criteria_total": criteria_total,
            "components_met": sum(1 for c in components_out if c["met"]),
            "components_total": len(components_out),
            **total.as_dict(),
        },
        "components": components_out,
    }


def inputs_hash(inputs: Mapping[str, Any]) -> str:
    """A stable digest of what a score was computed from (key order and whitespace do not matter)."""
    canonical = json.dumps(inputs, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(canonical.encode()).hexdigest()


def tree_from_rows(rows: Iterable[tuple[str, str, str, str, str, str, str]]) -> tuple[ComponentRef, ...]:
    """Build the tree from flat rows ordered by position:
    (component number, component title, criterion number, criterion title, indicator code, number, title)."""
    components: dict[str, tuple[str, dict[str, tuple[str, list[IndicatorRef]]]]] = {}
    for comp_no, comp_title, crit_no, crit_title, code, number, title in rows:
        _, criteria = components.setdefault(comp_no, (comp_title, {}))
        criteria.setdefault(crit_no, (crit_title, []))[1].append(IndicatorRef(code, number, title))
    return tuple(
        ComponentRef(
            number=comp_no,
            title=comp_title,
            criteria=tuple(
                CriterionRef(number=crit_no, title=crit_title, indicators=tuple(inds))
                for crit_no, (crit_title, inds) in criteria.items()
            ),
        )
        for comp_no, (comp_title, criteria) in components.items()
    )


def criterion_agreement(
    tree: Sequence[ComponentRef], first: Mapping[str, str], second: Mapping[str, str]
) -> list[dict[str, Any]]:
    """Per criterion, on how many indicators two sets of ratings agree (only indicators both rated)."""
    out = []
    for component in tree:
        for criterion in component.criteria:
            both = [i.code for i in criterion.indicators if first.get(i.code) and second.get(i.code)]
            same = sum(1 for code in both if first[code] == second[code])
            out.append(
                {
                    "number": criterion.number,
                    "title": criterion.title,
                    "compared": len(both),
                    "agree": same,
                    "percent": round(100.0 * same / len(both), 1) if both else None,
                }
            )
    return out
