from django.contrib import admin, messages

from core.errors import DomainError

from .models import AdaptedIndicator, AdaptedIndicatorSet, Indicator, Jurisdiction, Standard
from .services import adapted_set_approve


@admin.register(Jurisdiction)
class JurisdictionAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "countries"]
    search_fields = ["code", "name"]


@admin.register(Standard)
class StandardAdmin(admin.ModelAdmin):
    """Read-only: versions come from YAML files through `manage.py load_standard`."""

    list_display = ["code", "version", "title", "loaded_at", "source_sha256"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Indicator)
class IndicatorAdmin(admin.ModelAdmin):
    list_display = ["code", "title", "standard"]
    list_filter = ["standard"]
    search_fields = ["code", "title", "text"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class AdaptedIndicatorInline(admin.StackedInline):
    model = AdaptedIndicator
    extra = 0
    autocomplete_fields = ["indicator"]

    def _draft(self, obj) -> bool:
        return obj is None or obj.status == AdaptedIndicatorSet.Status.DRAFT

    # An approved set is what assessments were made under: it is never edited afterwards.
    def has_add_permission(self, request, obj=None):
        return self._draft(obj)

    def has_change_permission(self, request, obj=None):
        return self._draft(obj)

    def has_delete_permission(self, request, obj=None):
        return self._draft(obj)


@admin.register(AdaptedIndicatorSet)
class AdaptedIndicatorSetAdmin(admin.ModelAdmin):
    list_display = ["title", "jurisdiction", "standard", "status", "approved_by", "approved_on"]
    list_filter = ["status", "jurisdiction"]
    readonly_fields = ["status", "approved_by", "approved_on"]
    inlines = [AdaptedIndicatorInline]
    actions = ["approve"]

    @admin.action(description="Approve the selected adapted indicator sets")
    def approve(self, request, queryset):
        for adapted_set in queryset:
            try:
                adapted_set_approve(adapted_set=adapted_set, user=request.user)
            except DomainError as exc:
                self.message_user(request, f"{adapted_set}: {exc.message}", messages.ERROR)
            else:
                self.message_user(request, f"{adapted_set}: approved.", messages.SUCCESS)
