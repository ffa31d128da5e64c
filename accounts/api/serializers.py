"""Personal API tokens as the API shows them: never the key, except once in the creation answer."""

from typing import Literal

from django.conf import settings
from django.utils import timezone
from rest_framework import serializers

from accounts.choices import Role
from accounts.models import ApiToken, Invitation, RoleAssignment, User
from core.limits import max_length

# The one error body of the API (core.api), under the names the accounts views use.


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
    name = serializers.CharField(
        max_length=max_length(ApiToken, "name"), help_text="What the token is for, e.g. the script's name."
    )
    expires_in_days = serializers.IntegerField(
        required=False,
        min_value=1,
        max_value=settings.API_TOKEN_MAX_DAYS,
        help_text=f"Days until the token expires (default {settings.API_TOKEN_DEFAULT_DAYS}, "
        f"at most {settings.API_TOKEN_MAX_DAYS}).",
    )
    # DRF's serializer metaclass takes declared fields off the class, so this field does not replace
    # Field.read_only at run time; the stubs cannot know that.
    read_only = serializers.BooleanField(  # type: ignore[assignment]
        required=False, default=False, help_text="Only GET, HEAD and OPTIONS requests are allowed with it."
    )


class ApiTokenCreatedSerializer(ApiTokenSerializer):
    key = serializers.CharField(help_text="The secret key, shown this once: it cannot be read again.")

    class Meta(ApiTokenSerializer.Meta):
        fields = [*ApiTokenSerializer.Meta.fields, "key"]
        read_only_fields = fields


# --- people, role assignments, accreditations, invitations (staff automation) ---------------------
# The scope's foreign keys are given by id; accounts sits below protected_areas and standards
# (docs/architecture.md), so their models are reached through the role's own foreign keys.


class _ScopeFields(serializers.Serializer):
    protected_area_name = serializers.CharField(
        read_only=True, allow_null=True, help_text="The protected area's name (site managers)."
    )
    jurisdiction_name = serializers.CharField(
        read_only=True, allow_null=True, help_text="The jurisdiction's name (experts)."
    )


class PersonRoleSerializer(_ScopeFields, serializers.ModelSerializer):
    active = serializers.SerializerMethodField(help_text="Held today: not ended, started, not past its end date.")

    class Meta:
        model = RoleAssignment
        fields = [
            "id",
            "role",
            "protected_area",
            "protected_area_name",
            "jurisdiction",
            "jurisdiction_name",
            "is_chair",
            "valid_from",
            "valid_until",
            "revoked_at",
            "active",
        ]
        read_only_fields = fields

    def get_active(self, assignment) -> bool:
        return assignment.is_active_on(timezone.localdate())


class RoleAssignmentSerializer(PersonRoleSerializer):
    user_email = serializers.EmailField(source="user.email", read_only=True)

    class Meta(PersonRoleSerializer.Meta):
        fields = [
            "id",
            "user",
            "user_email",
            *PersonRoleSerializer.Meta.fields[1:],
            "granted_by",
            "created_at",
        ]
        read_only_fields = fields


class PersonSerializer(serializers.ModelSerializer):
    """A person as the API shows them: no password, no tokens, no second factor, no login times."""

    roles = PersonRoleSerializer(source="role_assignments", many=True, read_only=True)

    class Meta:
        model = User
        fields = ["id", "email", "full_name", "organisation", "language", "is_active", "date_joined", "roles"]
        read_only_fields = fields


class PersonUpdateSerializer(serializers.Serializer):
    full_name = serializers.CharField(required=False, allow_blank=True, max_length=max_length(User, "full_name"))
    organisation = serializers.CharField(required=False, allow_blank=True, max_length=max_length(User, "organisation"))
    language = serializers.ChoiceField(required=False, choices=settings.LANGUAGES)
    is_active = serializers.BooleanField(
        required=False, help_text="False disables the account: no login, no API token works."
    )


def _scope_field(model, name: str):
    related = model._meta.get_field(name).related_model
    return serializers.PrimaryKeyRelatedField(
        queryset=related.objects.only("id"), required=False, allow_null=True, default=None
    )


class RoleAssignmentCreateSerializer(serializers.Serializer):
    user = serializers.PrimaryKeyRelatedField(queryset=User.objects.all(), help_text="The person's id.")
    role = serializers.ChoiceField(choices=Role.choices)
    protected_area = _scope_field(RoleAssignment, "protected_area")
    jurisdiction = _scope_field(RoleAssignment, "jurisdiction")
    is_chair = serializers.BooleanField(
        required=False, default=False, help_text="Chair of the jurisdiction's Expert Assessment Group (experts)."
    )
    valid_from = serializers.DateField(required=False, allow_null=True, default=None, help_text="Default: today.")
    valid_until = serializers.DateField(
        required=False, allow_null=True, default=None, help_text="The accreditation's or membership's end date."
    )


class AccreditationCreateSerializer(RoleAssignmentCreateSerializer):
    protected_area = None  # accreditations are held in a jurisdiction's group or platform-wide

    role = serializers.ChoiceField(
        choices=Role.choices, help_text="`expert` (with a jurisdiction) or `independent_reviewer`."
    )


class RoleRenewSerializer(serializers.Serializer):
    valid_until = serializers.DateField(help_text="The new end date: today or later.")


class InvitationSerializer(_ScopeFields, serializers.ModelSerializer):
    """An invitation as staff see it; its link's token is only ever in the e-mail."""

    status = serializers.SerializerMethodField()

    class Meta:
        model = Invitation
        fields = [
            "id",
            "email",
            "role",
            "protected_area",
            "protected_area_name",
            "jurisdiction",
            "jurisdiction_name",
            "is_chair",
            "valid_until",
            "invited_by",
            "created_at",
            "expires_at",
            "accepted_at",
            "accepted_by",
            "status",
        ]
        read_only_fields = fields

    def get_status(self, invitation) -> Literal["pending", "accepted", "expired"]:
        if invitation.accepted_at is not None:
            return "accepted"
        return "expired" if invitation.expires_at < timezone.now() else "pending"


class InvitationCreateSerializer(serializers.Serializer):
    email = serializers.EmailField()
    role = serializers.ChoiceField(choices=Role.choices)
    protected_area = _scope_field(Invitation, "protected_area")
    jurisdiction = _scope_field(Invitation, "jurisdiction")
    is_chair = serializers.BooleanField(required=False, default=False)
    valid_until = serializers.DateField(required=False, allow_null=True, default=None)
