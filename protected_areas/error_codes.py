"""Stable codes for the expected failures of the protected-areas app."""

from core.error_codes import NOT_STAFF  # noqa: F401  (staff only, as in every app)

IMPORT_FILE_NOT_FOUND = "import_file_not_found"
IMPORT_FILE_UNREADABLE = "import_file_unreadable"
IMPORT_FORMAT_UNSUPPORTED = "import_format_unsupported"
IMPORT_SHAPEFILE_INCOMPLETE = "import_shapefile_incomplete"
IMPORT_ZIP_EMPTY = "import_zip_empty"
# A .zip that says it unpacks to far more than such data takes (importer.files.ZIP_MAX_RATIO).
IMPORT_ZIP_TOO_LARGE = "import_zip_too_large"
IMPORT_LAYER_UNKNOWN = "import_layer_unknown"
IMPORT_MAPPING_INVALID = "import_mapping_invalid"
USER_UNKNOWN = "user_unknown"
TILE_OUT_OF_RANGE = "tile_out_of_range"
# `bbox` of the area list (page and API) is not a box in WGS 84.
BBOX_INVALID = "bbox_invalid"
# A page link's `after`/`before` of the area list (page and API) is damaged or was edited.
CURSOR_INVALID = "cursor_invalid"
