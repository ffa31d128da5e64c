from __future__ import annotations

from typing import Any

from django.conf import settings
from django.urls import reverse
from django.utils.text import slugify
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from accounts import rules
from certification.api.conditions import ConditionItemSerializer
from certification.choices import CertificateStatus, Outcome, PanelCaseStatus, PanelCoi, PanelVoteChoice, Verdict
from certification.models import (
    TEXT_MAX,
    Certificate,
    CertificateTransition,
    Decision,
    PanelCase,
    PanelSeat,
    PanelVote,
)


class DecisionSerializer(serializers.ModelSerializer):
    outcome = serializers.ChoiceField(choices=Outcome.choices, read_only=True)
    certificate: serializers.SlugRelatedField[Any] = serializers.SlugRelatedField(
        slug_field="number", read_only=True, allow_null=True
    )
    decided_by: serializers.StringRelatedField[Any] = serializers.StringRelatedField()

    class Meta:
        model = Decision
        fields = [
            "id",
            "assessment",
            "outcome",
            "reasons",
            "conditions",
            "public_summary",
            "recommendation",
            "decided_by",
            "decided_at",
            "certificate",
            "snapshot",
        ]
        read_only_fields = fields


class DecisionCreateSerializer(serializers.Serializer):
    assessment = serializers.IntegerField()
    outcome = serializers.ChoiceField(choices=Outcome.choices)
    reasons = serializers.CharField(max_length=TEXT_MAX)
    conditions = serializers.CharField(max_length=TEXT_MAX, required=False, allow_blank=True, default="")
    public_summary = serializers.CharField(max_length=TEXT_MAX, required=False, allow_blank=True, default="")


class CertificateTransitionSerializer(serializers.ModelSerializer):
    by: serializers.StringRelatedField[Any] = serializers.StringRelatedField()
    from_status = serializers.CharField()
    to_status = serializers.ChoiceField(choices=CertificateStatus.choices)

    class Meta:
        model = CertificateTransition
        fields = ["from_status", "to_status", "by", "at", "reason"]
        read_only_fields = fields


class CertificateSerializer(serializers.ModelSerializer):
    status = serializers.ChoiceField(choices=CertificateStatus.choices, read_only=True)
    protected_area_name = serializers.CharField(source="protected_area.name", read_only=True)
    pdf_ready = serializers.SerializerMethodField()
    pdf_url = serializers.SerializerMethodField(
        help_text="Where to download the PDF (IUCN staff and the site's team), once `pdf_ready`; null before "
        "and for people who may see the certificate but not download it."
    )
    transitions = CertificateTransitionSerializer(many=True, read_only=True)

    class Meta:
        model = Certificate
        fields = [
            "number",
            "protected_area",
            "protected_area_name",
            "decision",
            "standard_version",
            "language",
            "granted_on",
            "expires_on",
            "status",
            "status_reason",
            "status_changed_at",
            "pdf_ready",
            "pdf_url",
            "transitions",
        ]
        read_only_fields = fields

    def get_pdf_ready(self, obj) -> bool:
        return bool(obj.pdf)

    def get_pdf_url(self, obj) -> str | None:
        request = self.context.get("request")
        if not obj.pdf or request is None or not rules.can_download_certificate(request.user, obj):
            return None
        return reverse("certificate-pdf", args=[obj.number])


class CertificateStatusChangeSerializer(serializers.Serializer):
    to = serializers.ChoiceField(choices=CertificateStatus.choices)
    reason = serializers.CharField(max_length=TEXT_MAX, required=False, allow_blank=True, default="")


class FeedAreaSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    wdpa_id = serializers.IntegerField(allow_null=True)
    wdpa_pid = serializers.CharField()
    name = serializers.CharField()
    iso3 = serializers.ListField(child=serializers.CharField())
    iucn_category = serializers.CharField()
    site_type = serializers.CharField()


class FeedEntrySerializer(serializers.Serializer):
    """One area on (or once on) the Green List, as registries such as Protected Planet read it."""

    certificate_number = serializers.CharField(source="number")
    status = serializers.ChoiceField(choices=CertificateStatus.choices)
    valid_today = serializers.SerializerMethodField()
    granted_on = serializers.DateField()
    expires_on = serializers.DateField()
    standard_version = serializers.CharField()
    protected_area = FeedAreaSerializer()
    other_sites = serializers.SerializerMethodField(
        help_text="A multi-site application's other sites, which the certificate names too (issue 16)."
    )
    url = serializers.SerializerMethodField()
    verification_url = serializers.SerializerMethodField()

    @extend_schema_field(FeedAreaSerializer(many=True))
    def get_other_sites(self, obj) -> list[dict[str, Any]]:
        # Prefetched by the feed's views (selectors.with_application_sites): one query for the list.
        return [FeedAreaSerializer(site.protected_area).data for site in obj.decision.assessment.extra_sites.all()]

    def get_valid_today(self, obj) -> bool:
        from django.utils import timezone

        return obj.is_valid_on(timezone.localdate())

    def get_url(self, obj) -> str:
        slug = slugify(obj.protected_area.name) or "area"
        return settings.SITE_URL + reverse("certification:area", args=[obj.protected_area_id, slug])

    def get_verification_url(self, obj) -> str:
        return settings.SITE_URL + obj.get_verification_url()


class GreenListFeedSerializer(serializers.Serializer):
    """The whole Green List for registries in one document (not paginated)."""

    generated_at = serializers.DateTimeField()
    count = serializers.IntegerField()
    results = FeedEntrySerializer(many=True)


class GreenListMapPropertiesSerializer(serializers.Serializer):
    id = serializers.IntegerField(help_text="The protected area's id.")
    name = serializers.CharField()
    status = serializers.ChoiceField(choices=CertificateStatus.choices)
    url = serializers.CharField(help_text="The area's public page (a path on this site).")


class GreenListMapFeatureSerializer(serializers.Serializer):
    type = serializers.CharField(help_text='Always "Feature".')
    geometry = serializers.JSONField(
        allow_null=True, help_text="A GeoJSON geometry in WGS 84 (5 decimals); null when the area has none."
    )
    properties = GreenListMapPropertiesSerializer()


class GreenListMapSerializer(serializers.Serializer):
    """A GeoJSON FeatureCollection of certified areas' boundaries, simplified for display."""

    type = serializers.CharField(help_text='Always "FeatureCollection".')
    features = GreenListMapFeatureSerializer(many=True)


class VerificationSerializer(serializers.Serializer):
    number = serializers.CharField()
    verdict = serializers.ChoiceField(choices=Verdict.choices)
    valid = serializers.BooleanField()
    message = serializers.CharField()
    certificate = FeedEntrySerializer(allow_null=True)


# --- the Green List Panel (issue 16) ------------------------------------------------------------


class PanelVoteSerializer(serializers.ModelSerializer):
    choice = serializers.ChoiceField(choices=PanelVoteChoice.choices, read_only=True)

    class Meta:
        model = PanelVote
        fields = ["choice", "reasons", "conditions", "cast_at"]
        read_only_fields = fields


class PanelSeatSerializer(serializers.ModelSerializer):
    user: serializers.StringRelatedField[Any] = serializers.StringRelatedField()
    coi_status = serializers.ChoiceField(choices=PanelCoi.choices, read_only=True)
    vote = serializers.SerializerMethodField()

    class Meta:
        model = PanelSeat
        fields = ["user", "is_chair", "coi_status", "coi_note", "warnings", "vote"]
        read_only_fields = fields

    @extend_schema_field(PanelVoteSerializer(allow_null=True))
    def get_vote(self, seat: PanelSeat) -> Any:
        vote = getattr(seat, "vote", None)
        return PanelVoteSerializer(vote).data if vote is not None else None


class PanelTallySerializer(serializers.Serializer):
    seats = serializers.IntegerField()
    clear = serializers.IntegerField(help_text="Members who declared no conflict")
    conflicted = serializers.IntegerField()
    pending = serializers.IntegerField()
    cast = serializers.IntegerField()
    by_choice = serializers.DictField(child=serializers.IntegerField())
    quorum = serializers.IntegerField()
    rule = serializers.CharField()
    quorum_met = serializers.BooleanField()
    outcome = serializers.CharField(allow_null=True, help_text="granted, declined or deferred once the rule is met")


class PanelCaseSerializer(serializers.ModelSerializer):
    """A case. `seats` and `tally` are null for a member who is conflicted or has not declared."""

    status = serializers.ChoiceField(choices=PanelCaseStatus.choices, read_only=True)
    opened_by: serializers.StringRelatedField[Any] = serializers.StringRelatedField()
    my_seat = serializers.SerializerMethodField()
    seats = serializers.SerializerMethodField()
    tally = serializers.SerializerMethodField()

    class Meta:
        model = PanelCase
        fields = [
            "id",
            "assessment",
            "status",
            "opened_by",
            "opened_at",
            "closed_at",
            "decision",
            "my_seat",
            "seats",
            "tally",
        ]
        read_only_fields = fields

    def _seat(self, case: PanelCase) -> PanelSeat | None:
        user = self.context["request"].user
        return next((s for s in case.seats.all() if s.user_id == user.pk), None)

    def _cleared(self, case: PanelCase) -> bool:
        from certification import rules as case_rules

        return case_rules.can_see_panel_votes(self.context["request"].user, case, self._seat(case))

    @extend_schema_field(PanelSeatSerializer(allow_null=True))
    def get_my_seat(self, case: PanelCase) -> Any:
        seat = self._seat(case)
        if seat is None:
            return None
        data = PanelSeatSerializer(seat).data
        return {**data, "vote": data["vote"] if seat.coi_status == PanelCoi.NO_CONFLICT else None}

    @extend_schema_field(PanelSeatSerializer(many=True, allow_null=True))
    def get_seats(self, case: PanelCase) -> Any:
        return PanelSeatSerializer(case.seats.all(), many=True).data if self._cleared(case) else None

    @extend_schema_field(PanelTallySerializer(allow_null=True))
    def get_tally(self, case: PanelCase) -> dict[str, Any] | None:
        from certification.selectors import panel_tally

        if not self._cleared(case):
            return None
        tally = panel_tally(case)
        return {
            **{k: getattr(tally, k) for k in ("seats", "clear", "conflicted", "pending", "cast", "by_choice")},
            **{k: getattr(tally, k) for k in ("quorum", "rule", "quorum_met", "outcome")},
        }


class PanelCaseCreateSerializer(serializers.Serializer):
    assessment = serializers.IntegerField()
    members = serializers.ListField(child=serializers.IntegerField(), allow_empty=False, max_length=50)


class PanelDeclareSerializer(serializers.Serializer):
    has_conflict = serializers.BooleanField()
    note = serializers.CharField(max_length=TEXT_MAX, required=False, allow_blank=True, default="")


class PanelVoteCreateSerializer(serializers.Serializer):
    choice = serializers.ChoiceField(choices=PanelVoteChoice.choices)
    reasons = serializers.CharField(max_length=TEXT_MAX)
    conditions = serializers.CharField(max_length=TEXT_MAX, required=False, allow_blank=True, default="")


class PanelCloseSerializer(serializers.Serializer):
    public_summary = serializers.CharField(max_length=TEXT_MAX, required=False, allow_blank=True, default="")
    conditions = serializers.CharField(max_length=TEXT_MAX, required=False, allow_blank=True, default="")
    # Issue 16: the grant's conditions as structured items (certification.conditions); given, they
    # replace `conditions`, which then keeps their summary. An empty list: a grant without conditions.
    condition_items = ConditionItemSerializer(many=True, required=False)

    def validate_condition_items(self, value):
        if len(value) > 20:
            raise serializers.ValidationError(_("At most 20 conditions."))
        return value
