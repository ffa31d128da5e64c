"""File builders for the exports: CSV and XLSX (one row per indicator), the PDF dossier, the boundary
drawn as SVG. They read through `reports.selectors` and return bytes; nothing here writes rows."""

from __future__ import annotations

import csv
import io
from typing import Any

from django.template.loader import render_to_string
from django.utils import timezone

from assessments.models import Assessment, AssessmentTransition
from core.spreadsheets import append_row, neutralise
from monitoring.selectors import dossier_series
from protected_areas.drawing import boundary_drawing
from scoring import services as scoring_services
from scoring.choices import ScoreKind

from . import selectors

COLUMNS = [
    ("component", "Component"),
    ("criterion", "Criterion"),
    ("indicator", "Indicator code"),
    ("number", "Indicator"),
    ("title", "Indicator title"),
    ("rating", "Site rating"),
    ("justification", "Justification"),
    ("evidence_date", "Evidence refers to"),
    ("evidence", "Evidence"),
    ("action", "Action"),
    ("action_owner", "Action owner"),
    ("action_due", "Action due"),
    ("group_rating", "Group rating"),
    ("group_finding", "Group finding"),
    ("expert_ratings", "Experts' shared ratings"),
    ("requests", "Requests for information"),
]


def flat_rows(rows: list[dict[str, Any]]) -> list[list[Any]]:
    out = []
    for r in rows:
        values = {
            **r,
            "evidence": "; ".join(f"{e.title} ({e.original_filename})" for e in r["evidence"]),
            "expert_ratings": "; ".join(
                f"{rev.assignment.user.get_full_name()}: {rev.rating}" for rev in r["expert_reviews"]
            ),
            "requests": " | ".join(f"[{req.status}] {req.question}" for req in r["requests"]),
            "evidence_date": r["evidence_date"].isoformat() if r["evidence_date"] else "",
            "action_due": r["action_due"].isoformat() if r["action_due"] else "",
        }
        out.append([values[key] for key, _ in COLUMNS])
    return out


def rows_csv(rows: list[dict[str, Any]]) -> bytes:
    buffer = io.StringIO()
    # Every field quoted: a program that splits on semicolons (or tabs) keeps a quoted cell whole;
    # `neutralise` also defuses a formula after a separator for programs that do not.
    writer = csv.writer(buffer, quoting=csv.QUOTE_ALL)
    writer.writerow([label for _, label in COLUMNS])
    writer.writerows([neutralise(value) for value in row] for row in flat_rows(rows))
    # A BOM so that Excel opens accented names (Phong Điền) as UTF-8.
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


def rows_xlsx(rows: list[dict[str, Any]], assessment: Assessment, scores: dict[str, Any]) -> bytes:
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font
    from openpyxl.utils import get_column_letter

    wb = Workbook()
    ws = wb.active
    ws.title = "Indicators"
    # Every row through `append_row`: text cells are stored as text, never as formulas (site names
    # and the Standard's titles come from imported data).
    append_row(ws, [label for _, label in COLUMNS])
    for cell in ws[1]:
        cell.font = Font(bold=True)
    for row in flat_rows(rows):
        append_row(ws, row)
    widths = {"title": 40, "justification": 60, "evidence": 40, "action": 40, "group_finding": 50, "requests": 40}
    for i, (key, _) in enumerate(COLUMNS, start=1):
        ws.column_dimensions[get_column_letter(i)].width = widths.get(key, 14)
    for row in ws.iter_rows(min_row=2):
        for cell in row:
            cell.alignment = Alignment(wrap_text=True, vertical="top")
    ws.freeze_panes = "A2"
    ws.auto_filter.ref = ws.dimensions
    summary = wb.create_sheet("Scores")
    append_row(summary, ["Site", str(assessment.protected_area)])
    append_row(summary, ["Cycle", assessment.cycle, "Year", assessment.year])
    append_row(summary, ["Phase", assessment.get_status_display()])
    append_row(summary, [])
    append_row(summary, ["Scores", "Kind", "Percent", "Criteria met", "Meets the Standard", "Computed at"])
    for kind, snap in scores.items():
        if snap is None:
            continue
        append_row(
            summary,
            [
                "Whole assessment",
                kind,
                snap.percent,
                f"{snap.criteria_met}/{snap.criteria_total}",
                "yes" if snap.met else "no",
                snap.computed_at.strftime("%Y-%m-%d %H:%M UTC"),
            ],
        )
        for component in snap.results["components"]:
            append_row(
                summary,
                [
                    f"Component {component['number']} {component['title']}",
                    kind,
                    component["percent"],
                    f"{component['criteria_met']}/{component['criteria_total']}",
                    "yes" if component["met"] else "no",
                ],
            )
    summary.column_dimensions["A"].width = 50
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def dossier_context(assessment: Assessment, user) -> dict[str, Any]:
    scores = scoring_services.ensure_current(assessment)
    show_findings = selectors.may_see_findings(user, assessment)
    decision = getattr(assessment, "decision", None) if hasattr(assessment, "decision") else None
    review = getattr(assessment, "review", None) if hasattr(assessment, "review") else None
    components: dict[str, dict] = {}
    for row in selectors.export_rows(assessment, user):
        # `heading`: the row whose title the dossier shows in the reader's language.
        criterion = row["criterion_row"]
        comp = components.setdefault(
            row["component"], {"number": row["component"], "heading": criterion.component, "criteria": {}}
        )
        comp["criteria"].setdefault(
            row["criterion"],
            {"number": row["criterion"], "title": row["criterion_title"], "heading": criterion, "rows": []},
        )["rows"].append(row)
    own = scores.get(ScoreKind.SELF)
    expert = scores.get(ScoreKind.EXPERT) if show_findings else None
    titles = {c["number"]: c["title"] for c in own.results["components"]} if own else {}
    criteria_scores: dict[str, dict[str, Any]] = {}
    for snap_kind, snap in (("self", own), ("expert", expert)):
        if snap is None:
            continue
        for comp in snap.results["components"]:
            for crit in comp["criteria"]:
                criteria_scores.setdefault(crit["number"], {})[snap_kind] = crit
    for comp in components.values():
        comp["title"] = titles.get(comp["number"], "")
        comp["criteria"] = list(comp["criteria"].values())
        for crit in comp["criteria"]:
            crit["scores"] = criteria_scores.get(crit["number"], {})
    headings = {number: comp["heading"] for number, comp in components.items()}
    return {
        "assessment": assessment,
        "area": assessment.protected_area,
        "component_scores": [{**c, "heading": headings.get(c["number"])} for c in own.results["components"]]
        if own
        else [],
        "boundary": boundary_drawing(assessment.protected_area),
        "components": list(components.values()),
        "own": own,
        "expert": expert,
        "show_findings": show_findings,
        "decision": decision,
        "review": review if show_findings else None,
        "transitions": list(
            AssessmentTransition.objects.filter(assessment=assessment).select_related("by").order_by("at", "id")
        ),
        "monitoring": dossier_series(assessment.protected_area, user),
        "generated_at": timezone.now(),
        "generated_by": user,
    }


def dossier_html(assessment: Assessment, user, *, pdf: bool = False) -> str:
    from django.conf import settings

    context = dossier_context(assessment, user)
    if pdf:
        # WeasyPrint reads the stylesheets from disk: nothing is fetched over the network.
        static = settings.BASE_DIR / "static" / "css"
        context.update(pdf=True, css_app=(static / "app.css").as_uri(), css_reports=(static / "reports.css").as_uri())
    return render_to_string("reports/dossier.html", context)


def dossier_pdf(assessment: Assessment, user) -> bytes:
    from django.conf import settings
    from weasyprint import HTML

    # base_url lets the stylesheet link resolve to the file on disk; nothing is fetched from elsewhere.
    return HTML(string=dossier_html(assessment, user, pdf=True), base_url=str(settings.BASE_DIR)).write_pdf()
