from __future__ import annotations

from typing import Any

from django.conf import settings
from django.urls import reverse
from django.utils.text import slugify
from rest_framework import serializers

from accounts import rules
from certification.choices import CertificateStatus, Outcome, Verdict
from certification.models import TEXT_MAX, Certificate, CertificateTransition, Decision


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
    url = serializers.SerializerMethodField()
    verification_url = serializers.SerializerMethodField()

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
