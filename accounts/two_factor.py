"""Optional TOTP two-factor login (django-otp), required for IUCN staff where configured."""

from __future__ import annotations

import base64
import io

import qrcode
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django_otp import devices_for_user
from django_otp.plugins.otp_totp.models import TOTPDevice

from core.errors import error_response

from . import error_codes, rules

EXEMPT_PREFIXES = ("/accounts/2fa/", "/accounts/logout/", "/static/", "/i18n/", "/healthz")


def confirmed_device(user) -> TOTPDevice | None:
    return next(iter(devices_for_user(user, confirmed=True)), None)


def pending_device(user) -> TOTPDevice:
    device = TOTPDevice.objects.filter(user=user, confirmed=False).first()
    return device or TOTPDevice.objects.create(user=user, name="Authenticator app", confirmed=False)


def qr_data_uri(device: TOTPDevice) -> str:
    image = qrcode.make(device.config_url, box_size=6, border=2)
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    return "data:image/png;base64," + base64.b64encode(buffer.getvalue()).decode()


def secret_base32(device: TOTPDevice) -> str:
    return base64.b32encode(device.bin_key).decode()


def safe_next(request, default: str = "home") -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(target, {request.get_host()}, require_https=request.is_secure()):
        return target
    return reverse(default)


class TwoFactorMiddleware:
    """After the password, a person with an authenticator must give a code; staff must have one.

    Runs after django_otp's OTPMiddleware, which sets `request.user.is_verified()`.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = request.user
        if user.is_authenticated and not request.path.startswith(EXEMPT_PREFIXES) and not user.is_verified():
            if confirmed_device(user) is not None:
                return self._refuse(request, "accounts:2fa-verify")
            if rules.must_use_two_factor(user):
                return self._refuse(request, "accounts:2fa-setup")
        return self.get_response(request)

    def _refuse(self, request, url_name):
        if request.path.startswith("/api/"):
            return error_response(
                error_codes.API_TOKEN_TWO_FACTOR_REQUIRED,
                _("Complete two-factor login in the browser first."),
                status=403,
            )
        return redirect(f"{reverse(url_name)}?next={request.get_full_path()}")
