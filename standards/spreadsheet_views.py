"""Pages of the Standard's spreadsheets (issue 14): download a version as XLSX, and, for the keepers
of the Standard, upload one back as a new draft (standards.spreadsheets holds the rules)."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods

from accounts import rules
from core.errors import NotAllowed

from . import content, error_codes, selectors, spreadsheets
from .models import Standard
from .spreadsheet_files import XLSX_CONTENT_TYPE, SpreadsheetInvalid


def xlsx_response(data: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(data, content_type=XLSX_CONTENT_TYPE)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def version_url(standard: Standard) -> str:
    """The page of a version (the authoring part's), or its plain path while that part is absent."""
    try:
        return reverse("standards:version", args=[standard.pk])
    except NoReverseMatch:
        return f"/standard/versions/{standard.pk}/"


@require_GET
def version_xlsx(request, pk):
    """A version as a workbook: a published one for anyone (it is public reference text), a draft
    for the keepers only (anyone else: 404, as on the version's page)."""
    standard = get_object_or_404(selectors.standards_visible(request.user), pk=pk)
    return xlsx_response(spreadsheets.standard_to_xlsx(standard), spreadsheets.file_name(standard))


class ImportForm(forms.Form):
    file = forms.FileField(label=gettext_lazy("Workbook (.xlsx)"))
    version = forms.CharField(
        label=gettext_lazy("Version label of the new draft"),
        max_length=content.VERSION_MAX,
        required=False,
        help_text=gettext_lazy("Leave empty to use the version on the workbook's Version sheet."),
    )


@login_required
@require_http_methods(["GET", "POST"])
def import_xlsx(request):
    """Upload a workbook as a new draft: either the draft's page, or every problem of the file
    (sheet, row, column) with nothing saved."""
    if not rules.can_author_standard(request.user):
        raise NotAllowed(
            error_codes.STANDARD_KEEPERS_ONLY, _("Only members of the Standard Committee can import the Standard.")
        )
    form = ImportForm(request.POST or None, request.FILES or None)
    problems = []
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            try:
                result = spreadsheets.import_standard_xlsx(
                    upload=form.cleaned_data["file"], by=request.user, version=form.cleaned_data["version"]
                )
            except SpreadsheetInvalid as exc:
                problems = exc.problems
            else:
                draft = result.standard
                messages.success(
                    request,
                    _("Created draft %(draft)s: %(n)d indicators.") % {"draft": draft, "n": result.counts.indicators},
                )
                return redirect(version_url(draft))
    return render(
        request,
        "standards/spreadsheets/import.html",
        {"form": form, "problems": problems, "current": selectors.current_standard()},
        status=status,
    )
