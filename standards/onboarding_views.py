"""Pages of jurisdictions' onboarding (issue 16): the list with each jurisdiction's state and
accredited experts, and one jurisdiction's record, which staff edit on the same page. Who may
read and edit, and the write, are standards.onboarding's."""

from __future__ import annotations

from typing import cast

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods

from accounts.models import User
from core.errors import DomainError
from core.pages import refuse_if_not_allowed

from . import onboarding
from .models import ENABLING_CONDITIONS, MIN_ACCREDITED_EXPERTS

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class OnboardingForm(forms.Form):
    implementing_partner = forms.CharField(label=gettext_lazy("Implementing Partner"), max_length=300, required=False)
    partner_since = forms.DateField(label=gettext_lazy("Partner since"), required=False, widget=DATE)
    reviewer = forms.ModelChoiceField(
        label=gettext_lazy("Independent reviewer (on the platform)"),
        queryset=User.objects.none(),  # set per form: the reviewers of today
        required=False,
        empty_label="—",
    )
    reviewer_name = forms.CharField(
        label=gettext_lazy("…or the reviewer's name, if they have no account"), max_length=300, required=False
    )
    reviewer_appointed_on = forms.DateField(label=gettext_lazy("Reviewer appointed on"), required=False, widget=DATE)
    joined_on = forms.DateField(label=gettext_lazy("Joined the programme on"), required=False, widget=DATE)
    notes = forms.CharField(label=gettext_lazy("Notes"), required=False, widget=forms.Textarea(attrs={"rows": 4}))

    def __init__(self, *args, current_reviewer_id: int | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        # Today's reviewers, and the one on the record even if their role has lapsed since.
        kept = [current_reviewer_id] if current_reviewer_id is not None else []
        choices = onboarding.reviewer_choices() | User.objects.filter(pk__in=kept)
        reviewer = cast(forms.ModelChoiceField, self.fields["reviewer"])
        reviewer.queryset = choices.distinct().order_by("full_name", "email")
        reviewer.label_from_instance = lambda user: f"{user.get_full_name()} <{user.email}>"  # type: ignore[assignment]
        for n in ENABLING_CONDITIONS:
            self.fields[f"condition_{n}_label"] = forms.CharField(
                label=_("Condition %(n)s: its wording") % {"n": n}, max_length=300, required=False
            )
            self.fields[f"condition_{n}_met_on"] = forms.DateField(
                label=_("Condition %(n)s: found met on") % {"n": n}, required=False, widget=DATE
            )

    def condition_fields(self):
        return [(n, self[f"condition_{n}_label"], self[f"condition_{n}_met_on"]) for n in ENABLING_CONDITIONS]


def _initial(record) -> dict:
    return {name: getattr(record, name) for name in onboarding.FIELDS}


@login_required
@require_GET
def onboarding_list(request: HttpRequest) -> HttpResponse:
    jurisdictions = list(onboarding.jurisdictions_with_onboarding(request.user))
    rows = [(j, onboarding.onboarding_of(j), onboarding.onboarding_state(j)) for j in jurisdictions]
    return render(
        request,
        "standards/onboarding/list.html",
        {"rows": rows, "minimum": MIN_ACCREDITED_EXPERTS, "conditions_total": len(ENABLING_CONDITIONS)},
    )


@login_required
@require_http_methods(["GET", "POST"])
def onboarding_detail(request: HttpRequest, pk: int) -> HttpResponse:
    jurisdiction = onboarding.get_jurisdiction_for_onboarding(request.user, pk)
    record = onboarding.onboarding_of(jurisdiction)
    can_edit = onboarding.can_edit_onboarding(request.user)
    error = None
    current = record.reviewer_id
    form = OnboardingForm(initial=_initial(record), current_reviewer_id=current) if can_edit else None
    if request.method == "POST":
        onboarding.editors_only(request.user)  # 403 before the form is read
        form = OnboardingForm(request.POST, current_reviewer_id=current)
        if form.is_valid():
            try:
                onboarding.onboarding_update(jurisdiction=jurisdiction, by=request.user, changes=form.cleaned_data)
            except DomainError as exc:
                refuse_if_not_allowed(exc)
                error = exc
                if exc.field in form.fields:
                    form.add_error(exc.field, exc.message)
            else:
                messages.success(request, _("The onboarding record is saved."))
                return redirect("standards:onboarding-detail", pk=jurisdiction.pk)
    return render(
        request,
        "standards/onboarding/detail.html",
        {
            "jurisdiction": jurisdiction,
            "record": record,
            "state": onboarding.onboarding_state(jurisdiction),
            "minimum": MIN_ACCREDITED_EXPERTS,
            "form": form,
            "error": error,
        },
        status=400 if request.method == "POST" else 200,
    )
