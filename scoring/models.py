from django.db import models
from django.db.models import Q

from .choices import ScoreKind


class ScoreSnapshot(models.Model):
    """The scores of one assessment at one moment, with exactly what they were computed from.

    Snapshots are never updated: a new computation with different inputs adds a row, so a decision
    can point at the snapshot it relied on. `inputs` holds the Standard's rules and scale and every
    indicator's rating; `inputs_hash` is its SHA-256, so an unchanged assessment is not re-stored.
    """

    assessment = models.ForeignKey("assessments.Assessment", on_delete=models.CASCADE, related_name="score_snapshots")
    kind = models.CharField(max_length=8, choices=ScoreKind.choices)
    computed_at = models.DateTimeField(auto_now_add=True)
    inputs_hash = models.CharField(max_length=64)
    inputs = models.JSONField()
    results = models.JSONField()
    # Copied out of `results` for dashboards that list hundreds of assessments without reading JSON.
    percent = models.FloatField(null=True, blank=True)
    met = models.BooleanField(default=False)
    criteria_met = models.PositiveSmallIntegerField(default=0)
    criteria_total = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["assessment", "kind", "-computed_at", "-id"]
        get_latest_by = "computed_at"
        constraints = [
            models.CheckConstraint(condition=Q(kind__in=ScoreKind.values), name="scoresnapshot_kind_valid"),
            models.CheckConstraint(
                condition=Q(criteria_met__lte=models.F("criteria_total")), name="scoresnapshot_criteria"
            ),
        ]
        indexes = [models.Index(fields=["assessment", "kind", "-computed_at"], name="scoresnapshot_latest")]

    def __str__(self) -> str:
        return (
            f"{self.get_kind_display()} scores of assessment {self.assessment_id} at {self.computed_at:%Y-%m-%d %H:%M}"
        )
