"""API: the diff between two versions of the Standard (or a version and an adapted set), and a
version's translation state (issue 14). The same rules as the pages: drafts for the keepers of the
Standard, adapted sets per standards.selectors.adapted_sets_visible; anything else is 404."""

from __future__ import annotations

from django.http import Http404
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from core.api import ErrorSerializer
from core.errors import DomainError
from standards import diff, error_codes
from standards.selectors import standards_visible
from standards.texts import SOURCE_LANGUAGE, target_languages
from standards.translation_state import translation_state


class SegmentSerializer(serializers.Serializer):
    op = serializers.ChoiceField(choices=[diff.EQUAL, diff.INSERT, diff.DELETE])
    text = serializers.CharField(trim_whitespace=False)


class FieldChangeSerializer(serializers.Serializer):
    field = serializers.CharField(
        help_text="title, text, means_of_verification, guidance, thresholds, description, sdgs or wording."
    )
    language = serializers.CharField(help_text="en, fr, es; empty for SDGs and the wording marker (no language).")
    old = serializers.JSONField(allow_null=True, help_text="The old value: a text, a list of texts or SDG numbers.")
    new = serializers.JSONField(allow_null=True)
    segments = SegmentSerializer(many=True, help_text="Word by word: equal, insert and delete runs of raw text.")


class IndicatorDiffSerializer(serializers.Serializer):
    status = serializers.ChoiceField(choices=diff.STATUSES)
    lineage = serializers.CharField()
    old_number = serializers.CharField(allow_null=True)
    new_number = serializers.CharField(allow_null=True)
    old_criterion = serializers.CharField(allow_null=True)
    new_criterion = serializers.CharField(allow_null=True)
    title = serializers.CharField()
    moved = serializers.BooleanField()
    reworded = serializers.BooleanField()
    meaning_changed = serializers.BooleanField(
        help_text="Removed or added at a number the other side gives to an indicator of another meaning."
    )
    changes = FieldChangeSerializer(many=True)


class SectionDiffSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=["component", "criterion"])
    number = serializers.CharField()
    status = serializers.ChoiceField(choices=[diff.ADDED, diff.REMOVED, diff.REWORDED, diff.UNCHANGED])
    title = serializers.CharField()
    changes = FieldChangeSerializer(many=True)


class DiffSummarySerializer(serializers.Serializer):
    added = serializers.IntegerField()
    removed = serializers.IntegerField()
    moved = serializers.IntegerField()
    reworded = serializers.IntegerField()
    unchanged = serializers.IntegerField()
    meaning_changed = serializers.IntegerField()
    total = serializers.IntegerField()


class DiffSideSerializer(serializers.Serializer):
    key = serializers.CharField(help_text="As given in from/to: a version's id, or set:<id>.")
    label = serializers.CharField()  # type: ignore[assignment]  # a field of the body (DRF moves it off the class)
    standard = serializers.IntegerField(source="standard.pk")
    adapted_set = serializers.IntegerField(source="adapted_set.pk", allow_null=True, default=None)


class DiffSerializer(serializers.Serializer):
    from_ = DiffSideSerializer()
    to = DiffSideSerializer()
    summary = DiffSummarySerializer()
    indicators = IndicatorDiffSerializer(many=True)
    sections = SectionDiffSerializer(many=True, help_text="Components and criteria, matched by number.")

    def get_fields(self):
        fields = super().get_fields()
        fields["from"] = fields.pop("from_")
        return fields


class FieldCountSerializer(serializers.Serializer):
    kind = serializers.CharField()
    field = serializers.CharField()
    translated = serializers.IntegerField()
    missing = serializers.IntegerField()
    percent = serializers.IntegerField()


class MissingTextSerializer(serializers.Serializer):
    kind = serializers.CharField()
    number = serializers.CharField()
    title = serializers.CharField()
    object_id = serializers.IntegerField()
    fields = serializers.ListField(child=serializers.CharField())  # type: ignore[assignment]  # as `label` above


class LanguageStateSerializer(serializers.Serializer):
    language = serializers.CharField()
    translated = serializers.IntegerField()
    missing = serializers.IntegerField()
    total = serializers.IntegerField()
    percent = serializers.IntegerField()
    counts = FieldCountSerializer(many=True)
    missing_texts = MissingTextSerializer(many=True)


class TranslationStateSerializer(serializers.Serializer):
    standard = serializers.IntegerField()
    languages = LanguageStateSerializer(many=True)


SIDE_HELP = "A version's id, or set:<id> for an adapted indicator set."
ERRORS = {
    400: OpenApiResponse(ErrorSerializer, description="`from` or `to` is not an id (code `diff_side_invalid`)"),
    404: OpenApiResponse(ErrorSerializer, description="No such version or set, or not one this person may read"),
}


class StandardDiffView(APIView):
    """What changed between two versions of the Standard, or between a version and an adapted set:
    per indicator (matched by lineage) added, removed, moved, reworded or unchanged, with word-level
    segments per changed text and language; components and criteria by number. Without `from`, a
    version is compared with the version it was drafted from (an adapted set with its version)."""

    @extend_schema(
        parameters=[
            OpenApiParameter("from", str, description=SIDE_HELP),
            OpenApiParameter("to", str, required=True, description=SIDE_HELP),
            OpenApiParameter("status", str, enum=list(diff.STATUSES), description="Only indicators of this status."),
            OpenApiParameter(
                "language",
                str,
                enum=[SOURCE_LANGUAGE, "fr", "es"],
                description="Only changes in this language (and SDG or wording changes).",
            ),
        ],
        responses={200: DiffSerializer, **ERRORS},
    )
    def get(self, request: Request) -> Response:
        user = request.user
        raw_from = request.query_params.get("from", "").strip()
        new = diff.side_for(user, request.query_params.get("to"), "to")
        if new is None:
            raise Http404("No such version or adapted set.")
        old = diff.side_for(user, raw_from, "from") if raw_from else diff.default_base(user, new)
        if old is None:
            raise Http404("No such version or adapted set.")
        status = request.query_params.get("status") or None
        if status is not None and status not in diff.STATUSES:
            raise DomainError(
                error_codes.DIFF_FILTER_INVALID,
                _("status must be one of %(values)s.") % {"values": ", ".join(diff.STATUSES)},
                field="status",
            )
        language = request.query_params.get("language") or None
        if language is not None and language not in (SOURCE_LANGUAGE, *target_languages()):
            raise DomainError(
                error_codes.DIFF_FILTER_INVALID,
                _("language must be one of %(values)s.")
                % {"values": ", ".join((SOURCE_LANGUAGE, *target_languages()))},
                field="language",
            )
        result = diff.diff_sides(old, new)
        entries = result.entries(status=status, language=language)
        data = {
            "from": old,
            "to": new,
            "summary": result.summary.as_dict(),
            "indicators": [{**vars(e), "changes": e.changes_in(language)} for e in entries],
            "sections": [{**vars(s), "changes": s.changes_in(language)} for s in result.sections],
        }
        return Response(DiffSerializer(data).data)


class TranslationStateView(APIView):
    """How far a version is translated: per target language, texts translated and missing per
    kind and field, and each text still missing."""

    @extend_schema(
        parameters=[OpenApiParameter("id", int, OpenApiParameter.PATH, description="Standard version id")],
        responses={200: TranslationStateSerializer, 404: ERRORS[404]},
    )
    def get(self, request: Request, pk: int) -> Response:
        standard = standards_visible(request.user).filter(pk=pk).first()
        if standard is None:
            raise Http404("No such version of the Standard.")
        states = translation_state(standard)
        data = {
            "standard": standard.pk,
            "languages": [
                {
                    "language": s.language,
                    "translated": s.translated,
                    "missing": s.missing,
                    "total": s.total,
                    "percent": s.percent,
                    "counts": [
                        {
                            "kind": c.kind,
                            "field": c.field,
                            "translated": c.translated,
                            "missing": c.missing,
                            "percent": c.percent,
                        }
                        for c in s.counts
                    ],
                    "missing_texts": [vars(m) for m in s.missing_texts],
                }
                for s in states
            ],
        }
        return Response(TranslationStateSerializer(data).data)
