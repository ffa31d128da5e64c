from django import forms
from django.utils.translation import gettext_lazy as _

from .choices import CertificateStatus, Outcome
from .models import TEXT_MAX


class DecisionForm(forms.Form):
    outcome = forms.ChoiceField(label=_("Decision"), choices=Outcome.choices, widget=forms.RadioSelect)
    reasons = forms.CharField(
        label=_("Reasons (internal)"), widget=forms.Textarea(attrs={"rows": 4}), max_length=TEXT_MAX
    )
    conditions = forms.CharField(
        label=_("Conditions of the grant, if any"),
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=TEXT_MAX,
        required=False,
    )
    public_summary = forms.CharField(
        label=_("Public summary (shown on the Green List page)"),
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=TEXT_MAX,
        required=False,
    )


class CertificateStatusForm(forms.Form):
    to = forms.ChoiceField(choices=CertificateStatus.choices, widget=forms.HiddenInput)
    reason = forms.CharField(label=_("Reason"), widget=forms.Textarea(attrs={"rows": 2}), max_length=TEXT_MAX)
    # Sent only by the confirmation step of a destructive move (views.CONFIRMED_MOVES).
    confirm = forms.BooleanField(required=False, widget=forms.HiddenInput)


class VerifyForm(forms.Form):
    number = forms.CharField(label=_("Certificate number"), max_length=64, strip=True)
