from django import forms
from django.utils.translation import gettext_lazy as _

from .choices import Sensitivity
from .models import EvidenceItem

TITLE_MAX = EvidenceItem._meta.get_field("title").max_length


class EvidenceForm(forms.Form):
    """The plain multipart upload (without JavaScript); the service checks the rest."""

    file = forms.FileField(label=_("File"))
    title = forms.CharField(label=_("Title"), required=False, max_length=TITLE_MAX)
    evidence_date = forms.DateField(label=_("Date the evidence refers to"), required=False)
    sensitivity = forms.ChoiceField(
        label=_("Who may see it"), choices=Sensitivity.choices, initial=Sensitivity.REVIEWERS
    )
    indicator = forms.IntegerField(required=False, widget=forms.HiddenInput)
    # Which site of a multi-site application it is about (issue 16); the service checks it is one.
    site = forms.CharField(required=False, max_length=20)
