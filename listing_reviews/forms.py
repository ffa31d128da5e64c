"""Parsing of the review pages' forms; the texts' rules (required, limits) are the services'."""

from django import forms

from core.limits import max_length

from .choices import PANEL_OUTCOMES


class UpdateForm(forms.Form):
    what_changed = forms.CharField(required=False, strip=False)
    conditions_progress = forms.CharField(required=False, strip=False)


class EvidenceForm(forms.Form):
    file = forms.FileField(required=False)
    title = forms.CharField(required=False, max_length=max_length("evidence.EvidenceItem", "title"))


class GroupReviewForm(forms.Form):
    findings = forms.CharField(required=False, strip=False)


class PanelForm(forms.Form):
    outcome = forms.ChoiceField(choices=[(o.value, o.label) for o in PANEL_OUTCOMES])
    note = forms.CharField(required=False, strip=False)


class StartForm(forms.Form):
    """Nothing to fill in: the cycle's year is this year."""
