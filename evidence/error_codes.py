"""Stable codes of the evidence app (every code evidence answers with is declared here).

Upload refusals (`EVIDENCE_*`) are returned by the upload page and the API. The pipeline's codes say
why a file was rejected or could not be processed: they are stored with the item's facts
(`EvidenceFacts.error_code`) and returned by the API and `import_evidence --json`, so clients can
act on them without parsing the message.
"""

from assessments.error_codes import ANSWER_INVALID
from core.error_codes import DATE_IN_FUTURE  # noqa: F401  (the same rule as an answer's dates)

# --- upload and links ---------------------------------------------------------------------------
EVIDENCE_TOO_LARGE = "evidence_too_large"
EVIDENCE_EMPTY = "evidence_empty"
EVIDENCE_NO_FILE = "evidence_no_file"
EVIDENCE_TITLE_TOO_LONG = "evidence_title_too_long"
EVIDENCE_INDICATOR_UNKNOWN = "evidence_indicator_unknown"
EVIDENCE_QUOTA_EXCEEDED = "evidence_quota_exceeded"
EVIDENCE_SENSITIVITY_INVALID = "evidence_sensitivity_invalid"
EVIDENCE_NOT_GROUP = "evidence_not_group"
# The picker's `linked_to` is not the id of an answer of the assessment (the assessments app's code).
LINKED_TO_INVALID = ANSWER_INVALID
NOT_PROCESSED = "not_processed"

# Rejected: the content is not allowed as evidence.
TOO_LARGE = "too_large"
EMPTY = "empty"
EXECUTABLE = "executable"
SCRIPT = "script"
HTML = "html"
SVG_SCRIPT = "svg_script"
TYPE_MISMATCH = "type_mismatch"
TYPE_NOT_ALLOWED = "type_not_allowed"

# Failed: an allowed type, but the file is broken or hostile.
IMAGE_CORRUPT = "image_corrupt"
IMAGE_TOO_MANY_PIXELS = "image_too_many_pixels"
PDF_ENCRYPTED = "pdf_encrypted"
PDF_CORRUPT = "pdf_corrupt"
OFFICE_CORRUPT = "office_corrupt"
ARCHIVE_CORRUPT = "archive_corrupt"
ARCHIVE_UNSAFE_PATH = "archive_unsafe_path"
ARCHIVE_BOMB = "archive_bomb"
ARCHIVE_TOO_MANY_FILES = "archive_too_many_files"
GEODATA_NOT_JSON = "geodata_not_json"
GEODATA_UNREADABLE = "geodata_unreadable"
# The content is not the format its name says (e.g. a VRT document named .kml): never opened.
GEODATA_NOT_ALLOWED = "geodata_not_allowed"
SHAPEFILE_INCOMPLETE = "shapefile_incomplete"
GEODATA_NO_CRS = "geodata_no_crs"
RASTER_UNREADABLE = "raster_unreadable"
RASTER_TOO_LARGE = "raster_too_large"
CAMTRAP_INVALID = "camtrap_invalid"
TIME_LIMIT = "time_limit"
GAVE_UP = "gave_up"
FILE_MISSING = "file_missing"
INTERNAL = "internal_error"

SEARCH_TOO_LONG = "search_query_too_long"
# An item about a site that is not one of its multi-site application's (issue 16).
EVIDENCE_SITE_NOT_IN_APPLICATION = "evidence_site_not_in_application"

# --- resumable (tus) uploads, issue 17 -----------------------------------------------------------
UPLOAD_TUS_VERSION = "upload_tus_version_unsupported"
UPLOAD_LENGTH_INVALID = "upload_length_invalid"
UPLOAD_METADATA_INVALID = "upload_metadata_invalid"
UPLOAD_NOT_FOUND = "upload_not_found"
UPLOAD_OFFSET_MISMATCH = "upload_offset_mismatch"
UPLOAD_CONTENT_TYPE = "upload_content_type_invalid"
UPLOAD_TOO_MANY_BYTES = "upload_too_many_bytes"
UPLOAD_BUSY = "upload_busy"
UPLOAD_CHECKSUM_UNSUPPORTED = "upload_checksum_unsupported"
UPLOAD_CHECKSUM_MISMATCH = "upload_checksum_mismatch"
