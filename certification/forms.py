from django import forms
from django.utils.translation import gettext_lazy as _

from accounts.models import User

from .choices import CertificateStatus, PanelVoteChoice
from .models import TEXT_MAX


class CertificateStatusForm(forms.Form):
    to = forms.ChoiceField(choices=CertificateStatus.choices, widget=forms.HiddenInput)
    reason = forms.CharField(label=_("Reason"), widget=forms.Textarea(attrs={"rows": 2}), max_length=TEXT_MAX)
    # Sent only by the confirmation step of a destructive move (views.CONFIRMED_MOVES).
    confirm = forms.BooleanField(required=False, widget=forms.HiddenInput)


class VerifyForm(forms.Form):
    number = forms.CharField(label=_("Certificate number"), max_length=64, strip=True)


# --- the Green List Panel (issue 16) ------------------------------------------------------------


class PanelOpenForm(forms.Form):
    members = forms.ModelMultipleChoiceField(
        label=_("Panel members who sit on the case"),
        queryset=User.objects.none(),  # the Panel's members today: given by the view
        widget=forms.CheckboxSelectMultiple,
    )

    def __init__(self, *args, members_queryset, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["members"].queryset = members_queryset


class PanelDeclareForm(forms.Form):
    has_conflict = forms.TypedChoiceField(
        label=_("Do you have a conflict of interest with this site, its managing organisation or its staff?"),
        choices=[("no", _("No conflict")), ("yes", _("Yes: I have a conflict, and I will not vote"))],
        coerce=lambda v: v == "yes",
        widget=forms.RadioSelect,
    )
    note = forms.CharField(
        label=_("Describe the conflict (required if you have one)"),
        widget=forms.Textarea(attrs={"rows": 2}),
        max_length=TEXT_MAX,
        required=False,
    )


class PanelVoteForm(forms.Form):
    choice = forms.ChoiceField(label=_("Your vote"), choices=PanelVoteChoice.choices, widget=forms.RadioSelect)
    reasons = forms.CharField(label=_("Your reasons"), widget=forms.Textarea(attrs={"rows": 3}), max_length=TEXT_MAX)
    conditions = forms.CharField(
        label=_("Conditions (with a grant with conditions)"),
        widget=forms.Textarea(attrs={"rows": 2}),
        max_length=TEXT_MAX,
        required=False,
    )


class PanelCloseForm(forms.Form):
    public_summary = forms.CharField(
        label=_("Public summary (shown on the Green List page)"),
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=TEXT_MAX,
        required=False,
    )
    conditions = forms.CharField(
        label=_("Conditions of the grant (empty: those the members proposed)"),
        widget=forms.Textarea(attrs={"rows": 2}),
        max_length=TEXT_MAX,
        required=False,
    )
