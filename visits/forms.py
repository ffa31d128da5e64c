"""Parsing of the visit pages' forms (dates, lists of ids); the rules are the services': which people
may take part and which indicators belong to the assessment are theirs to check (with their own
codes), as are the texts' limits."""

from django import forms
from django.utils.translation import gettext_lazy as _

from core.limits import max_length
from evidence.models import EvidenceItem


class IdsField(forms.Field):
    """Ticked boxes sharing one name: a list of ids (the services check what they stand for)."""

    widget = forms.MultipleHiddenInput

    def __init__(self, **kwargs):
        super().__init__(required=False, **kwargs)

    def to_python(self, value):
        try:
            return [int(v) for v in value or []]
        except (TypeError, ValueError):
            raise forms.ValidationError(_("Choose from the list."))


class _WithParticipants(forms.Form):
    participants = IdsField()
    other_participants = forms.CharField(required=False)


class PlanForm(_WithParticipants):
    planned_from = forms.DateField()
    planned_to = forms.DateField(required=False)
    agenda = forms.CharField(required=False, strip=False)


class HeldForm(_WithParticipants):
    held_from = forms.DateField()
    held_to = forms.DateField(required=False)
    notes = forms.CharField(required=False, strip=False)


class CancelForm(forms.Form):
    reason = forms.CharField(required=False)


class ReleaseForm(forms.Form):
    """Nothing to fill in: the button says it all."""


class EvidenceForm(forms.Form):
    file = forms.FileField(required=False)
    title = forms.CharField(required=False, max_length=max_length(EvidenceItem, "title"))
    indicators = IdsField()
