from core.error_codes import NOT_STAFF  # noqa: F401  (staff only, as in every app)

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
