from django import forms
from django.utils.translation import gettext_lazy as _

from core.limits import max_length
from evidence.models import EvidenceItem

from .choices import AssignmentRole
from .models import TEXT_MAX, GroupFinding, IndicatorReview


class AssignForm(forms.Form):
    user = forms.IntegerField(label=_("Person"))
    role = forms.ChoiceField(choices=AssignmentRole.choices)
    due_date = forms.DateField(label=_("Due date"), widget=forms.DateInput(attrs={"type": "date"}))


class DeclarationForm(forms.Form):
    has_conflict = forms.TypedChoiceField(
        label=_("Do you have a conflict of interest?"),
        choices=[
            ("no", _("No: I have no conflict with the site, its managing organisation or its staff")),
            ("yes", _("Yes: I have a conflict")),
        ],
        widget=forms.RadioSelect,
        coerce=lambda v: v == "yes",
    )
    note = forms.CharField(
        label=_("Describe the conflict (required if you have one)"),
        required=False,
        widget=forms.Textarea,
        max_length=TEXT_MAX,
    )


class IndicatorReviewForm(forms.Form):
    rating = forms.CharField(max_length=max_length(IndicatorReview, "rating"), required=False)
    finding = forms.CharField(required=False)
    comment = forms.CharField(required=False)
    shared = forms.BooleanField(required=False)
    # When the page drew the form, the review's `updated_at` ("" if none): a save made elsewhere since is 409.
    seen = forms.CharField(required=False, max_length=40)


class GroupFindingForm(forms.Form):
    rating = forms.CharField(max_length=max_length(GroupFinding, "rating"), required=False)
    finding = forms.CharField(required=False)


class QuestionForm(forms.Form):
    question = forms.CharField(required=False)


class ReplyForm(forms.Form):
    text = forms.CharField(required=False)
    file = forms.FileField(required=False)
    file_title = forms.CharField(required=False, max_length=max_length(EvidenceItem, "title"))


class RecommendForm(forms.Form):
    outcome = forms.CharField(required=False)
    reasons = forms.CharField(required=False)


class ConfirmForm(forms.Form):
    decision = forms.ChoiceField(choices=[("confirm", _("Confirm")), ("return", _("Return"))])
    note = forms.CharField(required=False)
