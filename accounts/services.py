"""Writes about people and their roles. Every change lands in the audit trail."""

from __future__ import annotations

import datetime
import hashlib
import secrets
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from audit.services import audit_record
from core.errors import Conflict, DomainError, NotAllowed
from core.limits import max_length
from core.outbox import queue_email

from . import error_codes, rules, two_factor
from .choices import ACCREDITED_ROLES, ROLE_SCOPE, Role
from .models import ApiToken, Invitation, RoleAssignment, User

if TYPE_CHECKING:
    from django_otp.plugins.otp_totp.models import TOTPDevice

# A role's scope: a protected_areas.ProtectedArea or a standards.Jurisdiction (or None). Both apps
# sit above accounts (docs/architecture.md), so their models are not imported here, not even for
# mypy; the database lookups below type-check the rows against them through the model fields.
Scope = Any


def _check_scope(role: str, protected_area: Scope, jurisdiction: Scope, is_chair: bool) -> None:
    scope = ROLE_SCOPE[Role(role)]
    if scope == "protected_area" and protected_area is None:
        raise DomainError(error_codes.ROLE_SCOPE_MISSING, _("A site manager role needs a protected area."))
    if scope == "jurisdiction" and jurisdiction is None:
        raise DomainError(error_codes.ROLE_SCOPE_MISSING, _("An expert role needs a jurisdiction."))
    if scope != "protected_area" and protected_area is not None:
        raise DomainError(error_codes.ROLE_SCOPE_NOT_ALLOWED, _("Only site managers are scoped to a protected area."))
    if scope != "jurisdiction" and (jurisdiction is not None or is_chair):
        raise DomainError(error_codes.ROLE_SCOPE_NOT_ALLOWED, _("Only experts belong to a jurisdiction's group."))


def _sync_admin_flags(user: User) -> None:
    """Django's admin reads is_staff / is_superuser: derive them from the roles, never by hand."""
    rules.forget_roles(user)
    active = rules.active_roles(user)
    is_superuser, is_staff = active.administrator, active.iucn_staff
    if (user.is_superuser, user.is_staff) != (is_superuser, is_staff):
        User.objects.filter(pk=user.pk).update(is_superuser=is_superuser, is_staff=is_staff)
        user.is_superuser, user.is_staff = is_superuser, is_staff


@transaction.atomic
def role_grant(
    *,
    user: User,
    role: str,
    granted_by: User | None,
    protected_area: Scope = None,
    jurisdiction: Scope = None,
    is_chair: bool = False,
    valid_from: datetime.date | None = None,
    valid_until: datetime.date | None = None,
) -> RoleAssignment:
    """Give `user` a role in its scope. Granting an identical active role again changes nothing."""
    _check_scope(role, protected_area, jurisdiction, is_chair)
    valid_from = valid_from or timezone.localdate()
    if valid_until is not None and valid_until < valid_from:
        raise DomainError(
            error_codes.ROLE_DATES_INVALID, _("The end date is before the start date."), field="valid_until"
        )
    existing = RoleAssignment.objects.filter(
        user=user, role=role, protected_area=protected_area, jurisdiction=jurisdiction, revoked_at__isnull=True
    ).first()
    if existing is not None:
        if valid_until is not None and valid_until < existing.valid_from:
            # The row keeps its own start: checked here, or the database's constraint is a 500.
            raise DomainError(
                error_codes.ROLE_DATES_INVALID, _("The end date is before the role's start."), field="valid_until"
            )
        changed = {}
        for name, value in (("is_chair", is_chair), ("valid_until", valid_until)):
            if getattr(existing, name) != value:
                changed[name] = str(value)
                setattr(existing, name, value)
        if changed:
            existing.save(update_fields=list(changed))
            audit_record(actor=granted_by, action="role.updated", target=existing, data=changed)
        _sync_admin_flags(user)
        return existing
    assignment = RoleAssignment.objects.create(
        user=user,
        role=role,
        protected_area=protected_area,
        jurisdiction=jurisdiction,
        is_chair=is_chair,
        valid_from=valid_from,
        valid_until=valid_until,
        granted_by=granted_by,
    )
    audit_record(
        actor=granted_by,
        action="role.granted",
        target=assignment,
        data={"user": user.email, "role": role, "valid_until": str(valid_until) if valid_until else None},
    )
    _sync_admin_flags(user)
    return assignment


@transaction.atomic
def role_revoke(*, assignment: RoleAssignment, revoked_by: User | None) -> RoleAssignment:
    if assignment.revoked_at is None:
        assignment.revoked_at = timezone.now()
        assignment.save(update_fields=["revoked_at"])
        audit_record(actor=revoked_by, action="role.revoked", target=assignment, data={"user": assignment.user.email})
    _sync_admin_flags(assignment.user)
    return assignment


# --- roles given, renewed and ended by a person (the staff API) ---------------------------------
# role_grant and role_revoke above check no rule: invitations, site teams and the demo call them
# after their own checks. These check `rules.can_grant_role` first, under a lock of the row.


def role_manager_required(by: User) -> None:
    """403 for anybody who may give no role at all (the API asks before reading a request's body)."""
    if not rules.can_manage_roles(by):
        raise NotAllowed(error_codes.NOT_STAFF, _("Only IUCN staff can give or end roles."))


def _refuse_unless_can_grant(by: User, role: str) -> None:
    role_manager_required(by)
    if not rules.can_grant_role(by, role):
        raise NotAllowed(error_codes.ROLE_NOT_GRANTABLE, _("Only an administrator can give or end this role."))


@transaction.atomic
def role_assign(
    *,
    by: User,
    user: User,
    role: str,
    protected_area: Scope = None,
    jurisdiction: Scope = None,
    is_chair: bool = False,
    valid_from: datetime.date | None = None,
    valid_until: datetime.date | None = None,
) -> RoleAssignment:
    """Give an existing, active person a role (what an accepted invitation does, without the
    e-mail). Holding the same role in the same scope already updates its chair flag and end date."""
    _refuse_unless_can_grant(by, role)
    if not user.is_active:
        raise DomainError(error_codes.PERSON_INACTIVE, _("This account is disabled."), field="user")
    return role_grant(
        user=user,
        role=role,
        granted_by=by,
        protected_area=protected_area,
        jurisdiction=jurisdiction,
        is_chair=is_chair,
        valid_from=valid_from,
        valid_until=valid_until,
    )


@transaction.atomic
def accreditation_grant(*, by: User, user: User, role: str, **scope: Any) -> RoleAssignment:
    """Accredit a person as an expert of a jurisdiction's group or as an independent reviewer."""
    role_manager_required(by)
    if role not in ACCREDITED_ROLES:
        raise DomainError(
            error_codes.ACCREDITATION_ROLE_INVALID,
            _("Accreditations are for experts and independent reviewers; give other roles as roles."),
            field="role",
        )
    return role_assign(by=by, user=user, role=role, **scope)


@transaction.atomic
def role_end(*, assignment: RoleAssignment, by: User) -> RoleAssignment:
    """End a role (a membership, an accreditation) at once; ending an ended role changes nothing."""
    _refuse_unless_can_grant(by, assignment.role)
    assignment = RoleAssignment.objects.select_for_update().select_related("user").get(pk=assignment.pk)
    return role_revoke(assignment=assignment, revoked_by=by)


@transaction.atomic
def role_renew(*, assignment: RoleAssignment, by: User, valid_until: datetime.date) -> RoleAssignment:
    """Move a role's end date (renew an accreditation, or shorten it): to today or later, never
    before its start. An ended (revoked) role is not renewed: give it again instead."""
    _refuse_unless_can_grant(by, assignment.role)
    assignment = RoleAssignment.objects.select_for_update().select_related("user").get(pk=assignment.pk)
    if assignment.revoked_at is not None:
        raise Conflict(error_codes.ROLE_ENDED, _("This role has been ended: give it again instead."))
    if valid_until < max(assignment.valid_from, timezone.localdate()):
        raise DomainError(
            error_codes.ROLE_DATES_INVALID,
            _("The new end date must be today or later, and not before the role's start."),
            field="valid_until",
        )
    previous = assignment.valid_until
    if previous != valid_until:
        assignment.valid_until = valid_until
        assignment.save(update_fields=["valid_until"])
        audit_record(
            actor=by,
            action="role.renewed",
            target=assignment,
            data={"user": assignment.user.email, "from": str(previous) if previous else None, "to": str(valid_until)},
        )
    _sync_admin_flags(assignment.user)
    return assignment


_PERSON_FIELDS = ("full_name", "organisation", "language", "is_active")


def person_editor_required(by: User) -> None:
    if not rules.can_edit_people(by):
        raise NotAllowed(error_codes.NOT_ADMINISTRATOR, _("Only administrators can change people's accounts."))


@transaction.atomic
def person_update(*, person: User, by: User, changes: dict[str, Any]) -> User:
    """Change a person's name, organisation, language or whether the account may log in (as the
    admin's person page does, audited). Never the e-mail (the login) or roles (role_assign)."""
    person_editor_required(by)
    unknown = set(changes) - set(_PERSON_FIELDS)
    if unknown:
        raise DomainError(
            error_codes.PERSON_UNCHANGEABLE,
            _("These cannot be changed here: %(fields)s.") % {"fields": ", ".join(sorted(unknown))},
        )
    if changes.get("is_active") is False and person.pk == by.pk:
        raise DomainError(error_codes.PERSON_UNCHANGEABLE, _("You cannot disable your own account."), field="is_active")
    person = User.objects.select_for_update().get(pk=person.pk)
    changed = {name: value for name, value in changes.items() if getattr(person, name) != value}
    if changed:
        for name, value in changed.items():
            setattr(person, name, value)
        person.save(update_fields=list(changed))
        # Which fields changed, not their values: names are personal data, the trail is kept for years.
        audit_record(
            actor=by,
            action="person.updated",
            target=person,
            data={"fields": sorted(changed), **({"is_active": changed["is_active"]} if "is_active" in changed else {})},
        )
    return person


def _hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def inviter_required(by: User) -> None:
    if not rules.can_invite(by):
        raise NotAllowed(error_codes.NOT_STAFF, _("Only IUCN staff can invite people."))


@transaction.atomic
def invitation_create(
    *,
    invited_by: User,
    email: str,
    role: str,
    protected_area: Scope = None,
    jurisdiction: Scope = None,
    is_chair: bool = False,
    valid_until: datetime.date | None = None,
) -> tuple[Invitation, str]:
    """Create an invitation and e-mail its link (after commit). Returns it with the raw token."""
    inviter_required(invited_by)
    # The invitation gives the role when accepted: the same rule as giving it directly.
    _refuse_unless_can_grant(invited_by, role)
    _check_scope(role, protected_area, jurisdiction, is_chair)
    token = secrets.token_urlsafe(32)
    invitation = Invitation.objects.create(
        email=email.strip().lower(),
        role=role,
        protected_area=protected_area,
        jurisdiction=jurisdiction,
        is_chair=is_chair,
        valid_until=valid_until,
        token_hash=_hash_token(token),
        invited_by=invited_by,
        expires_at=timezone.now() + datetime.timedelta(days=settings.INVITATION_VALID_DAYS),
    )
    audit_record(actor=invited_by, action="invitation.created", target=invitation, data={"role": role})
    _invitation_email_queue(invitation, token)
    return invitation, token


def _invitation_email_queue(invitation: Invitation, token: str) -> None:
    """Queue the link in the outbox, in the inviter's language; the row commits with the invitation."""
    link = settings.SITE_URL + reverse("accounts:invitation-accept", args=[token])
    with translation.override(invitation.invited_by.language or "en"):
        body = render_to_string("accounts/email/invitation.txt", {"invitation": invitation, "link": link})
        subject = render_to_string("accounts/email/invitation_subject.txt", {"invitation": invitation}).strip()
    queue_email(kind="invitation", to=[invitation.email], subject=subject, body=body)


def invitation_for_token(token: str) -> Invitation:
    """The invitation a link points to, or a specific error saying why it cannot be used."""
    invitation = Invitation.objects.filter(token_hash=_hash_token(token or "")).first()
    if invitation is None:
        raise DomainError(error_codes.INVITATION_INVALID, _("This invitation link is not valid."))
    if invitation.accepted_at is not None:
        raise DomainError(error_codes.INVITATION_USED, _("This invitation has already been used. Please log in."))
    if invitation.expires_at < timezone.now():
        raise DomainError(error_codes.INVITATION_EXPIRED, _("This invitation has expired. Ask for a new one."))
    return invitation


@transaction.atomic
def invitation_accept(*, token: str, full_name: str, password: str) -> User:
    invitation = invitation_for_token(token)
    invitation = Invitation.objects.select_for_update().get(pk=invitation.pk)
    if invitation.accepted_at is not None:
        raise DomainError(error_codes.INVITATION_USED, _("This invitation has already been used. Please log in."))
    user = User.objects.filter(email__iexact=invitation.email).first()
    candidate = user or User(email=invitation.email, full_name=full_name)
    try:
        validate_password(password, user=candidate)
    except ValidationError as exc:
        raise DomainError(error_codes.PASSWORD_INVALID, " ".join(exc.messages), field="password") from exc
    if user is None:
        user = User.objects.create_user(invitation.email, password, full_name=full_name)
    else:
        user.set_password(password)
        if full_name:
            user.full_name = full_name
        user.save(update_fields=["password", "full_name"])
    role_grant(
        user=user,
        role=invitation.role,
        granted_by=invitation.invited_by,
        protected_area=invitation.protected_area,
        jurisdiction=invitation.jurisdiction,
        is_chair=invitation.is_chair,
        valid_until=invitation.valid_until,
    )
    invitation.accepted_at = timezone.now()
    invitation.accepted_by = user
    invitation.save(update_fields=["accepted_at", "accepted_by"])
    audit_record(actor=user, action="invitation.accepted", target=invitation)
    return user


def two_factor_confirm(*, user: User, device: TOTPDevice, token: str) -> bool:
    """Confirm a new authenticator with its first code; recorded in the audit trail."""
    if device.user_id != user.pk or not device.verify_token(token):
        return False
    device.confirmed = True
    device.save(update_fields=["confirmed"])
    audit_record(actor=user, action="two_factor.enabled", target=user)
    return True


# --- personal API tokens --------------------------------------------------------------------------
# A key is "glt_" + 8 hex characters (the public prefix, stored) + "_" + 43 random characters
# (256 bits); only its SHA-256 is stored. The recognisable "glt_" start lets secret scanners
# find leaked keys. SHA-256 rather than a slow password hash: the key is random and long, so
# there is nothing to guess, and each API request must check it cheaply.
API_TOKEN_KEY_START = "glt_"  # noqa: S105 (a public marker, not a secret)


def api_token_hash(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


@transaction.atomic
def api_token_create(
    *,
    user: User,
    name: str,
    expires_in_days: int | None = None,
    read_only: bool = False,
    otp_verified: bool,
) -> tuple[ApiToken, str]:
    """Create a token for `user` themselves (there is no way to name another owner). Returns the
    token and its key, which is never available again.

    `otp_verified`: whether the session asking was verified with an authenticator; required from
    people who have one or must have one (accounts.rules.can_create_api_token)."""
    has_authenticator = two_factor.confirmed_device(user) is not None
    if not rules.can_create_api_token(user, otp_verified=otp_verified, has_authenticator=has_authenticator):
        if user.is_authenticated and user.is_active:
            raise NotAllowed(
                error_codes.API_TOKEN_TWO_FACTOR_REQUIRED,
                _("Log in with your authenticator app before creating an API token."),
            )
        raise NotAllowed(error_codes.API_TOKEN_NOT_ALLOWED, _("You may not create API tokens."))
    name = (name or "").strip()
    if not name:
        raise DomainError(error_codes.API_TOKEN_NAME_MISSING, _("Give the token a name."), field="name")
    name_max = max_length(ApiToken, "name")
    if len(name) > name_max:
        raise DomainError(
            error_codes.API_TOKEN_NAME_MISSING,
            _("The name is too long (%(max)s characters at most).") % {"max": name_max},
            field="name",
        )
    days = settings.API_TOKEN_DEFAULT_DAYS if expires_in_days is None else expires_in_days
    if isinstance(days, bool) or not isinstance(days, int) or not 1 <= days <= settings.API_TOKEN_MAX_DAYS:
        raise DomainError(
            error_codes.API_TOKEN_EXPIRY_INVALID,
            _("A token lasts from 1 to %(max)s days.") % {"max": settings.API_TOKEN_MAX_DAYS},
            field="expires_in_days",
        )
    # Locked so that two requests at once cannot both pass the limit.
    User.objects.select_for_update().filter(pk=user.pk).first()
    if ApiToken.objects.usable().filter(user=user).count() >= settings.API_TOKEN_MAX_PER_PERSON:
        raise DomainError(
            error_codes.API_TOKEN_TOO_MANY,
            _("You have %(count)s tokens already: revoke one you no longer use.")
            % {"count": settings.API_TOKEN_MAX_PER_PERSON},
        )
    prefix = API_TOKEN_KEY_START + secrets.token_hex(4)
    key = f"{prefix}_{secrets.token_urlsafe(32)}"
    token = ApiToken.objects.create(
        user=user,
        name=name,
        prefix=prefix,
        key_hash=api_token_hash(key),
        read_only=read_only,
        expires_at=timezone.now() + datetime.timedelta(days=days),
    )
    audit_record(
        actor=user,
        action="api_token.created",
        target=token,
        data={"prefix": prefix, "read_only": read_only, "expires_at": token.expires_at.isoformat()},
    )
    return token, key


@transaction.atomic
def api_token_revoke(*, token: ApiToken, by: User) -> ApiToken:
    """Revoke a token: its owner, or an administrator (the admin's action). Revoking twice is a no-op."""
    if not rules.can_revoke_api_token(by, token):
        raise NotAllowed(error_codes.API_TOKEN_NOT_ALLOWED, _("You may revoke only your own tokens."))
    token = ApiToken.objects.select_for_update().get(pk=token.pk)
    if token.revoked_at is None:
        token.revoked_at = timezone.now()
        token.revoked_by = by
        token.save(update_fields=["revoked_at", "revoked_by"])
        audit_record(
            actor=by, action="api_token.revoked", target=token, data={"prefix": token.prefix, "owner": token.user.email}
        )
    return token


def api_token_touch(token: ApiToken) -> None:
    """Record use, at most once a minute per token, so that busy scripts do not write on every request."""
    now = timezone.now()
    if token.last_used_at is None or now - token.last_used_at >= datetime.timedelta(minutes=1):
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
        token.last_used_at = now
