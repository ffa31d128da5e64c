"""Forms of the conditions on a listing (issue 16). Shapes only: the rules (due date within the
certificate's validity, who checks) are certification.conditions', which says field by field."""

from django import forms
from django.utils.translation import gettext_lazy as _

from .choices import ConditionChecker
from .models import TEXT_MAX


class ConditionForm(forms.Form):
    text = forms.CharField(label=_("The condition"), max_length=TEXT_MAX, widget=forms.Textarea(attrs={"rows": 2}))
    due_on = forms.DateField(label=_("Due date"), widget=forms.DateInput(attrs={"type": "date"}))
    checked_by = forms.ChoiceField(label=_("Checked by"), choices=ConditionChecker.choices)


class PanelConditionForm(ConditionForm):
    """One row of the Panel's grant: a row left wholly empty is no condition."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            field.required = False
        self.fields["checked_by"].choices = [("", "—"), *ConditionChecker.choices]

    def clean(self):
        data = super().clean()
        if not (data.get("text") or data.get("due_on") or self.errors.get("due_on")):
            return {}  # empty row
        return data


PanelConditionFormSet = forms.formset_factory(PanelConditionForm, extra=0, max_num=20, absolute_max=20)


class ConditionProgressForm(forms.Form):
    text = forms.CharField(label=_("Progress report"), max_length=TEXT_MAX, widget=forms.Textarea(attrs={"rows": 3}))


class ConditionStatusForm(forms.Form):
    to = forms.CharField(max_length=16)
    note = forms.CharField(label=_("Note"), max_length=TEXT_MAX, widget=forms.Textarea(attrs={"rows": 2}))
