"""Stable codes of the stakeholder consultation's expected failures (the API returns them as `code`)."""

from core.error_codes import FIELD_TOO_LONG, REASONS_REQUIRED, THROTTLED  # noqa: F401  (the same rules as elsewhere)

# Opening, closing and moderating windows and comments is IUCN staff's.
CONSULTATION_NOT_ALLOWED = "consultation_not_allowed"
# The window's phase does not match where the site is (no assessment in that phase, not listed).
CONSULTATION_PHASE_MISMATCH = "consultation_phase_mismatch"
# Dates: the close date before the open date, or a window of the same site and phase overlapping.
CONSULTATION_DATES_INVALID = "consultation_dates_invalid"
CONSULTATION_OVERLAP = "consultation_window_overlap"
# The site a window is opened on: no site matches the name, WDPA id or number given, or several
# match a name (the form then lists them to choose from).
CONSULTATION_SITE_UNKNOWN = "consultation_site_unknown"
CONSULTATION_SITE_AMBIGUOUS = "consultation_site_ambiguous"
# A comment sent to a window that is not open today (not yet, or closed).
CONSULTATION_CLOSED = "consultation_closed"
# The spam guard: the hidden field filled in, the form sent too fast, too many links.
COMMENT_SPAM = "comment_spam"
# The comment's text missing, or longer than the limit; the e-mail address missing or invalid.
COMMENT_TEXT_INVALID = "comment_text_invalid"
COMMENT_EMAIL_INVALID = "comment_email_invalid"
# The confirmation link is not valid (altered, expired, or for a comment that is gone).
COMMENT_TOKEN_INVALID = "comment_token_invalid"  # noqa: S105 (a code, not a secret)
# Moderating a comment that is not waiting for moderation (a rejection without a reason: REASONS_REQUIRED).
COMMENT_NOT_PENDING = "comment_not_pending"
# Recording how a comment was considered: only accepted comments, by the expert group, with a text.
COMMENT_NOT_ACCEPTED = "comment_not_accepted"
CONSIDERATION_REQUIRED = "consideration_text_required"
# The group recommends only when every accepted comment of the candidate phase has a consideration
# (reviews.services.recommendation_make); `comments` lists the ids still without one.
COMMENTS_NOT_CONSIDERED = "stakeholder_comments_not_considered"
