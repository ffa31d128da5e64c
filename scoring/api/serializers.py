"""Score snapshots as the API shows them: the stored `results` (scoring.engine.score) and `inputs`
(scoring.selectors.scoring_inputs), typed field by field so the schema documents them."""

from rest_framework import serializers

from scoring.choices import ScoreKind


class TallySerializer(serializers.Serializer):
    """The percent score and counts of one level (criterion, component or the whole assessment)."""

    percent = serializers.FloatField(
        allow_null=True, help_text="Mean of the scale's score over the scored indicators, 0–100; null if none scored."
    )
    score_sum = serializers.FloatField()
    scored = serializers.IntegerField(help_text="Indicators with a score (not excluded).")
    excluded = serializers.IntegerField(help_text='Indicators left out of the percent (a null score, e.g. "N/A").')
    indicators = serializers.IntegerField()
    indicators_met = serializers.IntegerField()
    indicators_rated = serializers.IntegerField()


class IndicatorScoreSerializer(serializers.Serializer):
    code = serializers.CharField()
    number = serializers.CharField()
    rating = serializers.CharField(allow_blank=True, help_text="The rating scored; empty when unrated.")
    met = serializers.BooleanField()
    score = serializers.FloatField(allow_null=True)


class CriterionScoreSerializer(TallySerializer):
    """One criterion: met by the Standard's rule, its percent score, and each indicator (`indicators`
    is the list here, not a count)."""

    number = serializers.CharField()
    title = serializers.CharField()
    met = serializers.BooleanField()
    # Replaces TallySerializer's count of indicators with the list; DRF allows a subclass to
    # redeclare a field with another kind, the stubs type class attributes as if it could not.
    indicators = IndicatorScoreSerializer(many=True)  # type: ignore[assignment]


class ComponentScoreSerializer(TallySerializer):
    """One component: met when all its criteria are, its percent score, and each criterion."""

    number = serializers.CharField()
    title = serializers.CharField()
    met = serializers.BooleanField()
    criteria_met = serializers.IntegerField()
    criteria_total = serializers.IntegerField()
    criteria = CriterionScoreSerializer(many=True)


class OverallScoreSerializer(TallySerializer):
    """The whole assessment."""

    met = serializers.BooleanField(help_text="Whether the assessment meets the Standard, by the Standard's rules.")
    criteria_met = serializers.IntegerField()
    criteria_total = serializers.IntegerField()
    components_met = serializers.IntegerField()
    components_total = serializers.IntegerField()


class ScoredStandardSerializer(serializers.Serializer):
    code = serializers.CharField()
    version = serializers.CharField()
    sha256 = serializers.CharField(help_text="SHA-256 of the Standard file the scale and rules come from.")


class ScoreInputsSerializer(serializers.Serializer):
    """Exactly what the snapshot was computed from; `inputs_hash` is the SHA-256 of it."""

    engine = serializers.IntegerField(help_text="Version of the scoring engine.")
    standard = ScoredStandardSerializer()
    rules = serializers.JSONField(help_text="The Standard's roll-up rules (criterion_met_when, standard_met_when).")
    scale = serializers.ListField(
        child=serializers.DictField(), help_text="The Standard's rating scale (code, label, score, counts_as_met…)."
    )
    ratings = serializers.DictField(
        child=serializers.CharField(allow_blank=True),
        help_text="Indicator code → rating code: the site's answers (self) or the group's findings (expert).",
    )


class ScoreSnapshotSerializer(serializers.Serializer):
    """One stored computation (scoring.models.ScoreSnapshot); never changed once stored."""

    id = serializers.IntegerField()
    kind = serializers.ChoiceField(choices=ScoreKind.choices)
    computed_at = serializers.DateTimeField()
    inputs_hash = serializers.CharField()
    inputs = ScoreInputsSerializer()
    overall = OverallScoreSerializer(source="results.overall")
    components = ComponentScoreSerializer(source="results.components", many=True)


class AssessmentScoresSerializer(serializers.Serializer):
    """The latest scores of an assessment you may see: the site's own and, where allowed, the group's."""

    EXPERT_STATUS = [
        ("available", "The group's scores are in `expert`."),
        ("none_yet", "You may see the group's scores, but the group has recorded no finding yet."),
        ("not_released", "The group's findings are not released to the site team yet (whether any exist or not)."),
    ]

    assessment = serializers.IntegerField()
    self = ScoreSnapshotSerializer(
        allow_null=True, help_text="The site team's self-assessment, as scored now (computed on read when stale)."
    )
    expert = ScoreSnapshotSerializer(allow_null=True, help_text="The Expert Assessment Group's scores, or null.")
    expert_status = serializers.ChoiceField(choices=EXPERT_STATUS, help_text="Why `expert` is null, if it is.")
