"""Stable codes of the monitoring series' expected failures (the API returns them as `code`)."""

MONITORING_ROLE = "monitoring_not_allowed"
MONITORING_TRANSITION_NOT_ALLOWED = "monitoring_transition_not_allowed"
MONITORING_NOTE_TOO_LONG = "monitoring_note_too_long"
MONITORING_NOTE_REQUIRED = "monitoring_note_required"
# The dataset is being processed: it is not processed a second time at once.
MONITORING_BUSY = "monitoring_dataset_busy"
MONITORING_NO_FILES = "monitoring_no_files"
MONITORING_TOO_MANY_FILES = "monitoring_too_many_files"
MONITORING_FILE_TOO_LARGE = "monitoring_file_too_large"
MONITORING_FILE_TYPE = "monitoring_file_type"
# Two files of one dataset under the same name (a browser sends base names only): one would replace
# the other when the dataset is read.
MONITORING_FILE_NAME_REPEATED = "monitoring_file_name_repeated"
MONITORING_KIND_UNKNOWN = "monitoring_kind_unknown"
# The kind could not be told from the files' content: the uploader says which it is.
MONITORING_KIND_UNGUESSABLE = "monitoring_kind_unguessable"
MONITORING_KIND_UNAVAILABLE = "monitoring_kind_unavailable"
MONITORING_PARAM_INVALID = "monitoring_param_invalid"
MONITORING_TITLE_INVALID = "monitoring_title_invalid"
MONITORING_FILTER_INVALID = "monitoring_filter_invalid"
# Links of a series to an indicator of the Standard (monitoring.indicator_links).
MONITORING_LINK_INDICATOR = "monitoring_link_indicator_invalid"
MONITORING_LINK_DATASET = "monitoring_link_dataset_invalid"
MONITORING_LINK_SERIES = "monitoring_link_series_invalid"
MONITORING_LINK_EXISTS = "monitoring_link_exists"
