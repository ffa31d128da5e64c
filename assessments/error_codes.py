# Declared once for every app (core) or by the app that owns the rule (standards).
from core.error_codes import DATE_IN_FUTURE, DATE_INVALID, FIELD_TOO_LONG, UNKNOWN_FIELD  # noqa: F401
from standards.error_codes import NO_STANDARD_LOADED as NO_STANDARD  # noqa: F401

ASSESSMENT_FROZEN = "assessment_frozen"
ASSESSMENT_INCOMPLETE = "assessment_incomplete"
ASSESSMENT_EXISTS = "assessment_cycle_exists"
# A new cycle of a site whose current cycle is not decided yet (issue 15).
CYCLE_STILL_OPEN = "cycle_still_open"
TRANSITION_NOT_ALLOWED = "transition_not_allowed"
TRANSITION_ROLE = "transition_role_not_allowed"
NOT_SITE_TEAM = "not_site_team"
PREVIOUS_OTHER_SITE = "previous_cycle_other_site"
ANSWER_CHANGED = "answer_changed"
RATING_INVALID = "rating_invalid"
JUSTIFICATION_TOO_LONG = "justification_too_long"
# Also for another site's item: one answer for "not found or not yours" (issue 12).
EVIDENCE_NOT_FOUND = "evidence_not_found"
YEAR_INVALID = "year_invalid"
ANSWER_INVALID = "answer_invalid"
# `?changed_since=` of the answers list that is no ISO 8601 date and time with its offset (issue 17).
CHANGED_SINCE_INVALID = "changed_since_invalid"
# Recommended / not recommended without the independent reviewer's confirmation of a matching
# recommendation of the Expert Assessment Group (reviews.guards.guard_review_confirmed).
REVIEW_NOT_CONFIRMED = "review_not_confirmed"
REVIEW_OUTCOME_MISMATCH = "review_outcome_mismatch"
# Moving a running assessment to another version of the Standard (assessments.version_move, issue 14).
ASSESSMENT_SUBMITTED_KEEPS_VERSION = "assessment_submitted_keeps_version"
VERSION_MOVE_NOT_ALLOWED = "version_move_not_allowed"
VERSION_MOVES_NOT_VISIBLE = "version_moves_not_visible"
VERSION_TARGET_INVALID = "version_target_invalid"
VERSION_MOVE_ANSWER_REVIEWED = "version_move_answer_reviewed"
VERSION_MOVE_NOT_CONFIRMED = "version_move_not_confirmed"
# Multi-site applications (assessments.sites, issue 16).
SITES_NOT_ALLOWED = "application_sites_not_allowed"
SITES_PHASE_CLOSED = "application_sites_phase_closed"
SITE_AREA_NOT_FOUND = "application_site_area_not_found"
SITE_IS_MAIN = "application_site_is_main"
SITE_ALREADY_ADDED = "application_site_already_added"
# The area is in another open application (as its main site or an added one).
SITE_IN_OPEN_APPLICATION = "application_site_in_open_application"
SITE_STATEMENT_MISSING = "application_site_statement_missing"
# A site team adds only areas it also manages; staff add any (assessments.rules.can_add_area_as_site).
SITE_NOT_MANAGED = "application_site_not_managed"
# The group has evaluated the application as it is: its sites are fixed from then on.
SITES_EVALUATED = "application_sites_evaluated"
