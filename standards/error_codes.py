# Staff only, as in every app; onboarding records' dates and texts.
from core.error_codes import DATE_IN_FUTURE, FIELD_TOO_LONG, NOT_STAFF  # noqa: F401

STANDARD_FILE_UNREADABLE = "standard_file_unreadable"
STANDARD_FILE_INVALID = "standard_file_invalid"
ADAPTED_SET_NOT_DRAFT = "adapted_set_not_draft"
ADAPTED_SET_EMPTY = "adapted_set_empty"
NO_STANDARD_LOADED = "no_standard_loaded"
# Jurisdictions (the staff API, issue 13).
JURISDICTION_CODE_TAKEN = "jurisdiction_code_taken"
JURISDICTION_COUNTRIES_INVALID = "jurisdiction_countries_invalid"
# Authoring the Standard in the browser and the API (issue 14, standards/authoring.py).
STANDARD_KEEPERS_ONLY = "standard_keepers_only"
# Someone changed the draft since the editor's page was loaded (its revision moved on).
STANDARD_DRAFT_CHANGED = "standard_draft_changed"
# A published version never changes; a draft is made from it instead.
STANDARD_PUBLISHED_FROZEN = "standard_published_frozen"
STANDARD_VERSION_TAKEN = "standard_version_taken"
# A text, list or choice of a draft's edit is not acceptable (`problems` lists each).
STANDARD_DRAFT_INVALID = "standard_draft_invalid"
# The draft's content is not a valid version yet (`problems` lists each, with where).
STANDARD_DRAFT_NOT_PUBLISHABLE = "standard_draft_not_publishable"
STANDARD_MOVE_INVALID = "standard_move_invalid"
# Something (an assessment, an adapted set, another draft) points to the draft.
STANDARD_DRAFT_IN_USE = "standard_draft_in_use"
# Adapted sets, their consultation and approval (issue 14, standards/adaptation.py).
ADAPTED_SET_AUTHORS_ONLY = "adapted_set_authors_only"
ADAPTED_SET_COMMITTEE_ONLY = "adapted_set_committee_only"
# Someone changed the set since the editor's page was loaded (its revision moved on).
ADAPTED_SET_CHANGED = "adapted_set_changed"
# Only a draft set is edited; an approved set never changes.
ADAPTED_SET_FROZEN = "adapted_set_frozen"
ADAPTED_SET_MOVE_IMPOSSIBLE = "adapted_set_move_impossible"
ADAPTED_SET_NOTE_TOO_LONG = "adapted_set_note_too_long"
ADAPTED_SET_NOTE_REQUIRED = "adapted_set_note_required"
ADAPTED_SET_STANDARD_NOT_PUBLISHED = "adapted_set_standard_not_published"
ADAPTED_SET_TITLE_INVALID = "adapted_set_title_invalid"
ADAPTED_INDICATOR_UNKNOWN = "adapted_indicator_unknown"
ADAPTED_TEXT_INVALID = "adapted_text_invalid"
# Approval needs a closed consultation whose every comment was answered (`missing` lists what is not).
CONSULTATION_INCOMPLETE = "consultation_incomplete"
CONSULTATION_INVALID = "consultation_invalid"
CONSULTATION_COMMENT_UNKNOWN = "consultation_comment_unknown"
ATTACHMENT_MISSING = "attachment_missing"
ATTACHMENT_TOO_LARGE = "attachment_too_large"
ATTACHMENT_TYPE_REFUSED = "attachment_type_refused"
# The diff between versions and adapted sets (issue 14, standards/diff.py): a `from`/`to` that is
# neither a version's id nor "set:<id>", or is missing.
DIFF_SIDE_INVALID = "diff_side_invalid"
# The diff's API: a `status` or `language` filter it does not know.
DIFF_FILTER_INVALID = "diff_filter_invalid"
# Jurisdictions' onboarding record (issue 16, standards/onboarding.py).
ONBOARDING_READERS_ONLY = "onboarding_readers_only"
# A condition found met (a date) without its wording.
ONBOARDING_CONDITION_UNNAMED = "onboarding_condition_unnamed"
# The independent reviewer is a person on the platform or a name, not both.
ONBOARDING_REVIEWER_AMBIGUOUS = "onboarding_reviewer_ambiguous"
# The person named as the jurisdiction's independent reviewer does not hold that role.
ONBOARDING_REVIEWER_NOT_ACCREDITED = "onboarding_reviewer_not_accredited"
