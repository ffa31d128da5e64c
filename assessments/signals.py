"""What assessments announces to the apps above it (docs/architecture.md), which keep data derived
from assessments and are not imported here. Signals only for such side effects, never for a
domain step (STYLE.md)."""

from django.dispatch import Signal

# What an assessment's scores are computed from changed: a rating in an answer (assessments) or a
# finding of the Expert Assessment Group (reviews). Sent with `assessment_id`, inside the writing
# transaction; scoring connects its debounced re-scoring, which waits for the commit.
ratings_changed = Signal()
