from django.contrib import admin
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from .models import OutgoingEmail
from .outbox import MAX_ATTEMPTS, SECRET_BODY_KINDS


@admin.register(OutgoingEmail)
class OutgoingEmailAdmin(admin.ModelAdmin):
    """Read-only: staff see what was sent and what failed (with the error); the outbox and its
    sweep do the sending, so nothing here is edited by hand."""

    list_display = ("created_at", "kind", "recipients", "subject", "status", "attempts", "sent_at")
    list_filter = ("kind", ("sent_at", admin.EmptyFieldListFilter))
    search_fields = ("subject", "to", "kind", "last_error")
    date_hierarchy = "created_at"
    fields = (
        "kind",
        "recipients",
        "subject",
        "shown_body",
        "status",
        "created_at",
        "attempts",
        "next_attempt_at",
        "sent_at",
        "last_error",
        "dedupe_key",
    )
    readonly_fields = fields

    @admin.display(description=_("recipients"))
    def recipients(self, obj: OutgoingEmail) -> str:
        return ", ".join(obj.to)

    @admin.display(description=_("body"))
    def shown_body(self, obj: OutgoingEmail) -> str | Promise:
        if obj.kind in SECRET_BODY_KINDS:
            return _("(not shown: it holds a sign-up link)")
        return obj.body

    @admin.display(description=_("status"))
    def status(self, obj: OutgoingEmail) -> str | Promise:
        if obj.sent_at is not None:
            return _("sent")
        if obj.attempts >= MAX_ATTEMPTS:
            return _("given up")
        return _("waiting") if not obj.last_error else _("failed, will retry")

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
