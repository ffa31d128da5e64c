"""Stable codes of the scoring app's expected failures."""

SCORING_RULES_INVALID = "scoring_rules_invalid"
