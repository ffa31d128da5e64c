"""Pages: the dashboards, an assessment's reports page (scores + gap analysis + exports), the export
job page and the permission-checked downloads. Thin: reads in selectors, writes in services."""

import json

from django.contrib.auth.decorators import login_required
from django.core.serializers.json import DjangoJSONEncoder
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from accounts import rules
from assessments.selectors import get_assessment_for_user
from core.errors import DomainError
from core.pages import flash_error
from scoring import selectors as scoring_selectors
from standards.selectors import headings_of

from . import exports, selectors, services
from .choices import ExportFormat
from .files import job_file_response


@login_required
@require_GET
def dashboard(request):
    user = request.user
    sites = selectors.site_dashboard(user)
    reviews = selectors.expert_dashboard(user) if (rules.is_expert(user) or rules.is_independent_reviewer(user)) else []
    portfolio = selectors.staff_dashboard() if rules.can_view_portfolio(user) else None
    charts = {
        "sites": [{"id": s["assessment"].pk, **selectors.site_chart(s)} for s in sites if s["components"]],
        "reviews": [{"id": r["assessment"].pk, **r["chart"]} for r in reviews if r.get("chart")],
        "portfolio": portfolio["chart"] if portfolio else None,
    }
    return render(
        request,
        "reports/dashboard.html",
        {
            "sites": sites,
            "reviews": reviews,
            "portfolio": portfolio,
            "charts": charts,
            "site_map": portfolio["map"] if portfolio else None,
        },
    )


@login_required
@require_GET
def assessment_reports(request, pk):
    assessment = get_assessment_for_user(request.user, pk)
    scores = selectors.visible_scores(assessment, request.user)
    own, expert = scores["self"], scores["expert"]
    gap = selectors.gap_analysis(assessment, request.user)
    headings = headings_of([assessment.standard_id]).get(assessment.standard_id)
    entry = {"components": selectors.component_rows(own, expert, headings), "expert": expert}
    return render(
        request,
        "reports/assessment.html",
        {
            "assessment": assessment,
            "own": own,
            "expert": expert,
            "gap": gap,
            "formats": ExportFormat.choices,
            "chart_rows": entry["components"],
            "charts": {"sites": [{"id": assessment.pk, **selectors.site_chart(entry)}]},
            "history": scoring_selectors.snapshots_for(assessment).defer("inputs", "results")[:10],
        },
    )


@login_required
@require_GET
def assessment_csv(request, pk):
    """Small and fast, so served at once (the larger formats go through an export job)."""
    assessment = get_assessment_for_user(request.user, pk)
    data = exports.rows_csv(selectors.export_rows(assessment, request.user))
    response = HttpResponse(data, content_type="text/csv; charset=utf-8")
    name = f"{slugify(assessment.protected_area.name) or 'assessment'}-cycle{assessment.cycle}.csv"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


@login_required
@require_POST
def export_start(request, pk):
    assessment = get_assessment_for_user(request.user, pk)
    try:
        job = services.export_job_create(assessment=assessment, user=request.user, fmt=request.POST.get("format", ""))
    except DomainError as exc:
        flash_error(request, exc)
        return redirect("reports:assessment", pk=assessment.pk)
    return redirect("reports:job", pk=job.pk)


@login_required
@require_GET
def job_page(request, pk):
    job = selectors.get_export_job_for(request.user, pk)
    assessment = get_assessment_for_user(request.user, job.params.get("assessment"))
    return render(
        request,
        "reports/job.html",
        {"job": job, "assessment": assessment, "format": ExportFormat(job.params["format"])},
    )


@login_required
@require_GET
def job_status(request, pk):
    """The page's old status address: the job's status is the API's (GET /api/v1/jobs/{id}/), which
    the page polls; kept for anyone still asking here, after the same check as the page."""
    job = selectors.get_export_job_for(request.user, pk)
    return redirect(reverse("job-detail", args=[job.pk]))


@login_required
@require_GET
def job_download(request, pk):
    return job_file_response(selectors.get_export_job_for(request.user, pk))


@login_required
@require_GET
def sites_geojson(request):
    """A file to keep (the dashboard's download link), not data for a script: a plain download."""
    body = json.dumps(selectors.sites_geojson(request.user), cls=DjangoJSONEncoder, ensure_ascii=False)
    response = HttpResponse(body, content_type="application/geo+json")
    response["Content-Disposition"] = 'attachment; filename="greenlist-sites.geojson"'
    return response


@login_required
@require_GET
def dossier_preview(request, pk):
    """The dossier as HTML (what the PDF is made from), for a quick look in the browser."""
    assessment = get_assessment_for_user(request.user, pk)
    return HttpResponse(exports.dossier_html(assessment, request.user))


__all__ = ["_"]
