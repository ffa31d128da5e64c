"""API authentication with personal tokens (accounts.models.ApiToken).

`Authorization: Token <key>` (the header scripts already send) or `Authorization: Bearer <key>`.
The key is checked by its SHA-256; an expired or revoked token, an inactive person, a person who
must use an authenticator but has none, and an unsafe request with a read-only token are refused,
each with its own message and code.
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from rest_framework import exceptions
from rest_framework.authentication import BaseAuthentication, get_authorization_header
from rest_framework.permissions import SAFE_METHODS

from . import error_codes, rules, services, two_factor
from .models import ApiToken

KEYWORDS = (b"token", b"bearer")


class TokenForbidden(exceptions.APIException):
    """A valid token that may not do this: 403 (not 401, which would ask for other credentials)."""

    status_code = 403
    default_code = error_codes.TOKEN_FORBIDDEN


class ApiTokenAuthentication(BaseAuthentication):
    keyword = "Token"

    def authenticate(self, request):
        parts = get_authorization_header(request).split()
        if not parts or parts[0].lower() not in KEYWORDS:
            return None
        if len(parts) != 2:
            raise exceptions.AuthenticationFailed(
                _("Invalid token header: give the key after the word Token, with no spaces in it."),
                code=error_codes.TOKEN_INVALID,
            )
        try:
            key = parts[1].decode()
        except UnicodeError:
            raise exceptions.AuthenticationFailed(_("Invalid token."), code=error_codes.TOKEN_INVALID) from None
        token = ApiToken.objects.select_related("user").filter(key_hash=services.api_token_hash(key)).first()
        if token is None:
            raise exceptions.AuthenticationFailed(_("Invalid token."), code=error_codes.TOKEN_INVALID)
        if token.revoked_at is not None:
            raise exceptions.AuthenticationFailed(_("This token has been revoked."), code=error_codes.TOKEN_REVOKED)
        if not token.is_usable():
            raise exceptions.AuthenticationFailed(
                _("This token has expired: create a new one under your account."), code=error_codes.TOKEN_EXPIRED
            )
        user = token.user
        if not user.is_active:
            raise exceptions.AuthenticationFailed(_("This account is disabled."), code=error_codes.ACCOUNT_DISABLED)
        if not rules.may_use_api_token(user, has_authenticator=lambda: two_factor.confirmed_device(user) is not None):
            raise TokenForbidden(
                _("Your account must use two-factor login: set up an authenticator app in the browser first."),
                code=error_codes.API_TOKEN_TWO_FACTOR_REQUIRED,
            )
        if token.read_only and request.method not in SAFE_METHODS:
            raise TokenForbidden(
                _("This token is read-only: it may only be used for GET, HEAD and OPTIONS requests."),
                code=error_codes.TOKEN_READ_ONLY,
            )
        services.api_token_touch(token)
        return user, token

    def authenticate_header(self, request):
        return self.keyword


class ApiTokenScheme(OpenApiAuthenticationExtension):
    """How the OpenAPI schema describes the token (the name DRF's token scheme had, for stable clients)."""

    target_class = ApiTokenAuthentication
    name = "tokenAuth"

    def get_security_definition(self, auto_schema):
        return {
            "type": "apiKey",
            "in": "header",
            "name": "Authorization",
            "description": 'A personal API token after "Token " or "Bearer " (create one at /accounts/tokens/).',
        }
