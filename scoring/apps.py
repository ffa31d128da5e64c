from django.apps import AppConfig


def _rescore_when_ratings_change(sender, *, assessment_id, **kwargs):
    from .services import schedule_rescore

    schedule_rescore(assessment_id)  # debounced, after commit


class ScoringConfig(AppConfig):
    name = "scoring"
    verbose_name = "Scoring"

    def ready(self):
        # assessments and reviews sit below scoring (docs/architecture.md): they announce that ratings
        # changed and scoring, which they do not import, recomputes.
        from assessments.signals import ratings_changed

        ratings_changed.connect(_rescore_when_ratings_change, dispatch_uid="scoring.rescore")
