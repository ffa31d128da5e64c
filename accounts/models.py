from __future__ import annotations

import datetime
from typing import Any, ClassVar, Self

from django.conf import settings
from django.contrib.auth.base_user import AbstractBaseUser, BaseUserManager
from django.contrib.auth.models import PermissionsMixin
from django.core.files.storage import FileSystemStorage
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .choices import ExportStatus, Role


class UserManager(BaseUserManager["User"]):
    use_in_migrations = True

    def create_user(self, email: str, password: str | None = None, **extra: Any) -> User:
        if not email:
            raise ValueError("An e-mail address is required.")
        user = self.model(email=self.normalize_email(email).lower(), **extra)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_superuser(self, email: str, password: str | None = None, **extra: Any) -> User:
        """`createsuperuser`: the account gets the administrator role (flags follow from it)."""
        user = self.create_user(email, password, **extra)
        from .services import role_grant

        role_grant(user=user, role=Role.ADMINISTRATOR, granted_by=None)
        return user

    def get_by_natural_key(self, username: str | None) -> User:
        return self.get(email__iexact=username)


class User(AbstractBaseUser, PermissionsMixin):
    """A person. Logs in with an e-mail address; what they may do comes from RoleAssignments.

    `is_staff` and `is_superuser` are not set by hand: `accounts.services` derives them from the
    person's active IUCN staff / administrator roles, because Django's admin reads them.
    """

    email = models.EmailField(_("e-mail address"), unique=True)
    full_name = models.CharField(_("full name"), max_length=200, blank=True)
    organisation = models.CharField(_("organisation"), max_length=200, blank=True)
    language = models.CharField(_("preferred language"), max_length=8, choices=settings.LANGUAGES, default="en")
    is_active = models.BooleanField(default=True)
    is_staff = models.BooleanField(default=False, editable=False)
    date_joined = models.DateTimeField(default=timezone.now)

    objects = UserManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS: ClassVar[list[str]] = []

    class Meta:
        ordering = ["email"]

    def __str__(self) -> str:
        return self.full_name or self.email

    def get_full_name(self) -> str:
        return self.full_name or self.email

    def get_short_name(self) -> str:
        return (self.full_name.split() or [self.email])[0]


class RoleAssignmentQuerySet(models.QuerySet["RoleAssignment"]):
    def active(self, on: datetime.date | None = None) -> Self:
        day = on or timezone.localdate()
        return self.filter(revoked_at__isnull=True, valid_from__lte=day).filter(
            Q(valid_until__isnull=True) | Q(valid_until__gte=day)
        )


class RoleAssignment(models.Model):
    """A role a person holds, in its scope, for a period (a membership, an accreditation)."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="role_assignments")
    role = models.CharField(max_length=32, choices=Role.choices)
    protected_area = models.ForeignKey(
        "protected_areas.ProtectedArea", null=True, blank=True, on_delete=models.CASCADE, related_name="team_roles"
    )
    jurisdiction = models.ForeignKey(
        "standards.Jurisdiction", null=True, blank=True, on_delete=models.PROTECT, related_name="expert_roles"
    )
    is_chair = models.BooleanField(
        _("chair of the Expert Assessment Group"), default=False, help_text=_("Only for experts.")
    )
    valid_from = models.DateField(default=timezone.localdate)
    valid_until = models.DateField(null=True, blank=True, help_text=_("Accreditation or membership end date."))
    granted_by = models.ForeignKey(User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    objects = RoleAssignmentQuerySet.as_manager()

    class Meta:
        ordering = ["user", "role"]
        constraints = [
            models.CheckConstraint(condition=Q(role__in=Role.values), name="roleassignment_role_valid"),
            models.CheckConstraint(
                condition=~Q(role=Role.SITE_MANAGER) | Q(protected_area__isnull=False),
                name="roleassignment_site_manager_has_area",
            ),
            models.CheckConstraint(
                condition=~Q(role=Role.EXPERT) | Q(jurisdiction__isnull=False),
                name="roleassignment_expert_has_jurisdiction",
            ),
            models.CheckConstraint(
                condition=Q(valid_until__isnull=True) | Q(valid_until__gte=models.F("valid_from")),
                name="roleassignment_dates_ordered",
            ),
        ]
        indexes = [models.Index(fields=["user", "role"]), models.Index(fields=["protected_area", "role"])]

    def __str__(self) -> str:
        scope = self.protected_area or self.jurisdiction
        return f"{self.user} — {self.get_role_display()}" + (f" ({scope})" if scope else "")

    def is_active_on(self, day: datetime.date) -> bool:
        return (
            self.revoked_at is None and self.valid_from <= day and (self.valid_until is None or self.valid_until >= day)
        )


class Invitation(models.Model):
    """A staff member invites a person to a role; the e-mailed link lets them set a password."""

    email = models.EmailField()
    role = models.CharField(max_length=32, choices=Role.choices)
    protected_area = models.ForeignKey(
        "protected_areas.ProtectedArea", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    jurisdiction = models.ForeignKey(
        "standards.Jurisdiction", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    is_chair = models.BooleanField(default=False)
    valid_until = models.DateField(null=True, blank=True)
    token_hash = models.CharField(max_length=64, unique=True)
    invited_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="invitations_sent")
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField()
    accepted_at = models.DateTimeField(null=True, blank=True)
    accepted_by = models.ForeignKey(User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.email} as {self.get_role_display()}"


class ApiTokenQuerySet(models.QuerySet["ApiToken"]):
    def usable(self, now: datetime.datetime | None = None) -> Self:
        return self.filter(revoked_at__isnull=True, expires_at__gt=now or timezone.now())


class ApiToken(models.Model):
    """A personal API token: a person creates it for themselves (accounts.services.api_token_create).

    Only the SHA-256 of the key is stored: the key is shown once, at creation, and can never be
    read back (not by the person, not in the admin). `prefix` is the key's public start, enough to
    recognise a token in a list or in a leaked secret. Every token expires; a read-only token may
    only make safe requests (GET, HEAD, OPTIONS).
    """

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField(_("name"), max_length=100)
    prefix = models.CharField(_("prefix"), max_length=16, unique=True)
    key_hash = models.CharField(max_length=64, unique=True)
    read_only = models.BooleanField(_("read-only"), default=False)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    expires_at = models.DateTimeField(_("expires"))
    last_used_at = models.DateTimeField(_("last used"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("revoked"), null=True, blank=True)
    revoked_by = models.ForeignKey(User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")

    objects = ApiTokenQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")
        constraints = [
            models.CheckConstraint(condition=Q(expires_at__gt=models.F("created_at")), name="apitoken_expires_after"),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"

    def is_usable(self, now: datetime.datetime | None = None) -> bool:
        return self.revoked_at is None and self.expires_at > (now or timezone.now())


def personal_data_storage() -> FileSystemStorage:
    """Private storage for data exports: never under MEDIA_ROOT, served only by the owner's view."""
    return FileSystemStorage(location=settings.PERSONAL_DATA_ROOT)


def data_export_upload_to(instance: DataExport, filename: str) -> str:
    return f"personal-data/{instance.user_id}/{filename}"


class DataExport(models.Model):
    """A person's download of everything the platform holds about them (accounts.personal_data).

    A worker builds the zip; only that person may download it, until `expires_at`, after which beat
    deletes the file. Its status moves only through accounts.export_workflow (logged below)."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="data_exports")
    status = models.CharField(max_length=12, choices=ExportStatus.choices, default=ExportStatus.REQUESTED)
    file = models.FileField(upload_to=data_export_upload_to, storage=personal_data_storage, blank=True, max_length=300)
    size = models.BigIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(condition=Q(status__in=ExportStatus.values), name="dataexport_status_valid"),
        ]

    def __str__(self) -> str:
        return f"data export {self.pk} ({self.status})"


class DataExportTransition(models.Model):
    """One move of a data export's status; `by` null is the worker or beat."""

    export = models.ForeignKey(DataExport, on_delete=models.CASCADE, related_name="transitions")
    from_status = models.CharField(max_length=12, choices=ExportStatus.choices)
    to_status = models.CharField(max_length=12, choices=ExportStatus.choices)
    by = models.ForeignKey(User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    note = models.TextField(blank=True)
    at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.export_id}: {self.from_status} → {self.to_status}"
