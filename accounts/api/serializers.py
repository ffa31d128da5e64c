"""Personal API tokens as the API shows them: never the key, except once in the creation answer."""

from django.conf import settings
from rest_framework import serializers

from accounts.models import ApiToken


class ApiTokenErrorSerializer(serializers.Serializer):
    """`{"code", "detail"}` of a refused token request."""

    code = serializers.CharField()
    detail = serializers.CharField()
    field = serializers.CharField(required=False)


class ApiTokenSerializer(serializers.ModelSerializer):
    revoked = serializers.SerializerMethodField()
    expired = serializers.SerializerMethodField()

    class Meta:
        model = ApiToken
        fields = [
            "id",
            "name",
            "prefix",
            "read_only",
            "created_at",
            "expires_at",
            "last_used_at",
            "revoked_at",
            "revoked",
            "expired",
        ]
        read_only_fields = fields

    def get_revoked(self, token) -> bool:
        return token.revoked_at is not None

    def get_expired(self, token) -> bool:
        return token.revoked_at is None and not token.is_usable()


class ApiTokenCreateSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=100, help_text="What the token is for, e.g. the script's name.")
    expires_in_days = serializers.IntegerField(
        required=False,
        min_value=1,
        max_value=settings.API_TOKEN_MAX_DAYS,
        help_text=f"Days until the token expires (default {settings.API_TOKEN_DEFAULT_DAYS}, "
        f"at most {settings.API_TOKEN_MAX_DAYS}).",
    )
    read_only = serializers.BooleanField(
        required=False, default=False, help_text="Only GET, HEAD and OPTIONS requests are allowed with it."
    )


class ApiTokenCreatedSerializer(ApiTokenSerializer):
    key = serializers.CharField(help_text="The secret key, shown this once: it cannot be read again.")

    class Meta(ApiTokenSerializer.Meta):
        fields = [*ApiTokenSerializer.Meta.fields, "key"]
        read_only_fields = fields
