from django.contrib import admin, messages
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from core.errors import DomainError

from . import services
from .erasure import erase_person
from .models import ApiToken, Invitation, RoleAssignment, User


class RoleAssignmentInline(admin.TabularInline):
    model = RoleAssignment
    fk_name = "user"
    extra = 0
    fields = ("role", "protected_area", "jurisdiction", "is_chair", "valid_from", "valid_until", "revoked_at")
    readonly_fields = fields
    can_delete = False

    def has_add_permission(self, request, obj=None):
        # Roles are granted through invitations or the role service, so each grant is audited.
        return False


@admin.register(User)
class UserAdmin(admin.ModelAdmin):
    list_display = ("email", "full_name", "organisation", "is_active", "is_staff", "date_joined")
    search_fields = ("email", "full_name", "organisation")
    list_filter = ("is_active", "is_staff")
    fields = ("email", "full_name", "organisation", "language", "is_active", "is_staff", "is_superuser", "last_login")
    readonly_fields = ("is_staff", "is_superuser", "last_login")
    inlines = [RoleAssignmentInline]
    actions = ["erase_personal_data"]

    @admin.action(description=_("Erase personal data (replace with a pseudonym)"), permissions=["erase"])
    def erase_personal_data(self, request, queryset):
        erased = 0
        for person in queryset:
            try:
                erase_person(person=person, by=request.user)
            except DomainError as exc:
                self.message_user(request, exc.message, messages.ERROR)
            else:
                erased += 1
        if erased:
            self.message_user(
                request,
                ngettext("%(count)d person erased.", "%(count)d people erased.", erased) % {"count": erased},
                messages.SUCCESS,
            )

    def has_erase_permission(self, request):
        # Administrators only (not IUCN staff): an erasure cannot be undone.
        return request.user.is_superuser


@admin.register(RoleAssignment)
class RoleAssignmentAdmin(admin.ModelAdmin):
    list_display = (
        "user",
        "role",
        "protected_area",
        "jurisdiction",
        "is_chair",
        "valid_from",
        "valid_until",
        "revoked_at",
    )
    list_filter = ("role", "jurisdiction")
    search_fields = ("user__email", "protected_area__name")
    raw_id_fields = ("protected_area",)

    def has_change_permission(self, request, obj=None):
        return False

    def has_add_permission(self, request):
        return False


@admin.register(Invitation)
class InvitationAdmin(admin.ModelAdmin):
    list_display = ("email", "role", "invited_by", "created_at", "expires_at", "accepted_at")
    exclude = ("token_hash",)

    def has_change_permission(self, request, obj=None):
        return False

    def has_add_permission(self, request):
        return False


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    """Administrators only (accounts.rules.ADMIN_ADMINISTRATORS_ONLY_MODELS): who holds which token,
    by prefix and dates. The key is never stored, so never shown; nobody adds a token here (each
    person creates their own); the one change is revoking, through the service, audited."""

    list_display = ("prefix", "name", "user", "read_only", "created_at", "expires_at", "last_used_at", "revoked_at")
    list_filter = ("read_only", ("revoked_at", admin.EmptyFieldListFilter))
    search_fields = ("prefix", "name", "user__email")
    fields = list_display + ("revoked_by",)
    readonly_fields = fields
    actions = ["revoke"]

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        # Revoked, not deleted: the row keeps who had which token when.
        return False

    @admin.action(description=_("Revoke the selected tokens"), permissions=["change"])
    def revoke(self, request, queryset):
        for token in queryset:
            services.api_token_revoke(token=token, by=request.user)
        count = len(queryset)
        self.message_user(request, ngettext("%d token revoked.", "%d tokens revoked.", count) % count, messages.SUCCESS)
