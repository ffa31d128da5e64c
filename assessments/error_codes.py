ASSESSMENT_FROZEN = "assessment_frozen"
ASSESSMENT_INCOMPLETE = "assessment_incomplete"
ASSESSMENT_EXISTS = "assessment_cycle_exists"
TRANSITION_NOT_ALLOWED = "transition_not_allowed"
TRANSITION_ROLE = "transition_role_not_allowed"
NOT_SITE_TEAM = "not_site_team"
NO_STANDARD = "no_standard_loaded"
PREVIOUS_OTHER_SITE = "previous_cycle_other_site"
ANSWER_CHANGED = "answer_changed"
RATING_INVALID = "rating_invalid"
JUSTIFICATION_TOO_LONG = "justification_too_long"
FIELD_TOO_LONG = "field_too_long"
# Also for another site's item: one answer for "not found or not yours" (issue 12).
EVIDENCE_NOT_FOUND = "evidence_not_found"
YEAR_INVALID = "year_invalid"
PAGE_INVALID = "page_invalid"  # raised by core.pagination.page_number
ANSWER_INVALID = "answer_invalid"
# Recommended / not recommended without the independent reviewer's confirmation of a matching
# recommendation of the Expert Assessment Group (reviews.guards.guard_review_confirmed).
REVIEW_NOT_CONFIRMED = "review_not_confirmed"
REVIEW_OUTCOME_MISMATCH = "review_outcome_mismatch"
