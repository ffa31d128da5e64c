from __future__ import annotations

from typing import Any

from django import forms
from django.contrib.auth.forms import AuthenticationForm
from django.utils.translation import gettext_lazy as _

from core import error_codes as core_codes
from core.limits import max_length

from . import throttle
from .choices import Role
from .models import ApiToken, Invitation, User


class EmailAuthenticationForm(AuthenticationForm):
    """Log in with an e-mail address; repeated failures are slowed down, then locked (throttle)."""

    username = forms.EmailField(
        label=_("E-mail address"), widget=forms.EmailInput(attrs={"autofocus": True, "autocomplete": "email"})
    )

    def clean(self):
        email = self.cleaned_data.get("username") or ""
        ip = throttle.client_ip(self.request) if self.request else None
        verdict = throttle.check(email, ip, known_browser=throttle.is_known_browser(self.request, email))
        if not verdict.allowed:
            if verdict.locked:
                minutes = max(1, round(verdict.retry_after / 60))
                message = _("Too many failed attempts: login is locked for %(minutes)d minutes.") % {"minutes": minutes}
            else:
                message = _("Too many failed attempts: wait %(seconds)d seconds and try again.") % {
                    "seconds": verdict.retry_after
                }
            raise forms.ValidationError(message, code=core_codes.THROTTLED)
        try:
            cleaned = super().clean()
        except forms.ValidationError:
            throttle.record_failure(email, ip)
            raise
        throttle.record_success(email, ip)
        return cleaned


class TokenForm(forms.Form):
    token = forms.RegexField(
        label=_("6-digit code from your authenticator app"),
        regex=r"^\s*\d{6}\s*$",
        error_messages={"invalid": _("Enter the 6 digits shown by your app.")},
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric", "autofocus": True}),
    )


class InvitationForm(forms.Form):
    email = forms.EmailField(label=_("E-mail address"))
    role = forms.ChoiceField(label=_("Role"), choices=Role.choices)
    # The choices are the rows the invitation's foreign keys point to. accounts sits below
    # protected_areas and standards (docs/architecture.md): the form follows its own model's keys
    # instead of importing those apps (the querysets are set per form, once the models are loaded).
    protected_area: forms.ModelChoiceField[Any] = forms.ModelChoiceField(
        label=_("Protected area (site managers)"), queryset=None, required=False
    )
    jurisdiction: forms.ModelChoiceField[Any] = forms.ModelChoiceField(
        label=_("Jurisdiction (experts)"), queryset=None, required=False
    )
    is_chair = forms.BooleanField(label=_("Chair of the Expert Assessment Group"), required=False)
    valid_until = forms.DateField(
        label=_("Accreditation valid until"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        area_model = Invitation._meta.get_field("protected_area").related_model
        jurisdiction_model = Invitation._meta.get_field("jurisdiction").related_model
        self.fields["protected_area"].queryset = area_model.objects.only("id", "name")
        self.fields["jurisdiction"].queryset = jurisdiction_model.objects.all()


class AcceptInvitationForm(forms.Form):
    full_name = forms.CharField(label=_("Your full name"), max_length=max_length(User, "full_name"))
    password = forms.CharField(
        label=_("Choose a password"), widget=forms.PasswordInput(attrs={"autocomplete": "new-password"})
    )
    password_again = forms.CharField(
        label=_("Password again"), widget=forms.PasswordInput(attrs={"autocomplete": "new-password"})
    )

    def clean(self):
        data = super().clean()
        if data.get("password") and data.get("password") != data.get("password_again"):
            self.add_error("password_again", _("The two passwords differ."))
        return data


class ApiTokenForm(forms.Form):
    name = forms.CharField(
        label=_("Name"),
        max_length=max_length(ApiToken, "name"),
        help_text=_("What the token is for, e.g. the script that will use it."),
    )
    expires_in_days = forms.TypedChoiceField(
        label=_("Expires after"),
        coerce=int,
        initial=90,
        choices=[(7, _("7 days")), (30, _("30 days")), (90, _("90 days")), (180, _("180 days")), (365, _("1 year"))],
    )
    read_only = forms.BooleanField(
        label=_("Read-only (the token may only read, never change anything)"), required=False
    )
