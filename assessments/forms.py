from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.limits import max_length

from .models import Answer


class AnswerForm(forms.Form):
    """The plain-POST form of one indicator (used without JavaScript). Limits and the scale are
    checked by the service so that pages and API give the same errors."""

    version = forms.IntegerField(min_value=1, widget=forms.HiddenInput)
    rating = forms.CharField(required=False, max_length=max_length(Answer, "rating"))
    justification = forms.CharField(required=False, strip=False)
    evidence_date = forms.DateField(required=False)
    action_text = forms.CharField(required=False, strip=False)
    action_owner = forms.CharField(required=False)
    action_due = forms.DateField(required=False)


class StartForm(forms.Form):
    protected_area = forms.IntegerField(widget=forms.HiddenInput)
    year = forms.IntegerField(label=_("Year"), initial=lambda: timezone.localdate().year)
    prefill = forms.BooleanField(label=_("Start from the previous cycle's answers and evidence"), required=False)
