"""Pages for moving a running assessment to another version of the Standard (issue 14): IUCN staff
pick the version and see what the move would do, then confirm; the report of a move is for staff
and the site team, who write again the answers it could not carry. The rules and the move itself
are `assessments.version_move`'s."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from accounts import rules
from core.errors import DomainError, NotAllowed
from standards.models import Standard

from . import error_codes, selectors, version_move
from .models import ArchivedAnswer, AssessmentVersionMove


def _target(raw: str | None) -> Standard | None:
    """The version named by the form, or None when none was picked. A draft is found here and
    refused by the service with its reason."""
    if not raw:
        return None
    try:
        return Standard.objects.get(pk=int(raw))
    except (Standard.DoesNotExist, ValueError):
        raise DomainError(error_codes.VERSION_TARGET_INVALID, _("No such version of the Standard."), field="standard")


@login_required
@require_http_methods(["GET", "POST"])
def version_move_page(request, pk):
    """GET ?standard=<id>: the preview of the move; POST standard=<id>&confirm=1: the move."""
    assessment = selectors.get_assessment_for_user(request.user, pk)
    if not rules.can_move_assessment_version(request.user):
        raise NotAllowed(
            error_codes.VERSION_MOVE_NOT_ALLOWED, _("Only IUCN staff can move an assessment to another version.")
        )
    data = request.POST if request.method == "POST" else request.GET
    blocked = version_move.movable_problem(assessment)
    plan, error, target = None, None, None
    try:
        if blocked is not None:
            if request.method == "POST":
                raise blocked
        else:
            target = _target(data.get("standard"))
            if request.method == "POST" and target is None:
                raise DomainError(
                    error_codes.VERSION_TARGET_INVALID, _("Choose the version to move to."), field="standard"
                )
            if target is not None and request.method == "POST" and data.get("confirm") == "1":
                move = version_move.version_move(assessment, target, by=request.user)
                messages.success(
                    request,
                    _("The assessment now uses version %(v)s. Here is what happened to each answer.")
                    % {"v": move.to_standard.version},
                )
                return redirect(move)
            if target is not None:
                plan = version_move.version_move_preview(assessment, target)
            if request.method == "POST":
                raise DomainError(
                    error_codes.VERSION_MOVE_NOT_CONFIRMED,
                    _("Check what the move does below, then tick the confirmation to move the assessment."),
                    field="confirm",
                )
    except DomainError as exc:
        error = exc
    return render(
        request,
        "assessments/version_move.html",
        {
            "assessment": assessment,
            "blocked": blocked,
            "targets": version_move.targets_for(assessment) if blocked is None else [],
            "target": target,
            "plan": plan,
            "lines": version_move.with_indicators(plan.lines, assessment.standard_id, plan.target.pk) if plan else [],
            "error": error,
            "moves": version_move.moves_of(assessment),
        },
        status=error.http_status if error else 200,
    )


@login_required
@require_GET
def version_move_report(request, pk, move_pk):
    assessment = selectors.get_assessment_for_user(request.user, pk)
    version_move.check_may_view_moves(request.user, assessment)
    move = get_object_or_404(
        AssessmentVersionMove.objects.select_related("from_standard", "to_standard", "by", "to_adapted_set"),
        pk=move_pk,
        assessment=assessment,
    )
    archived = {a.answer_id: a for a in ArchivedAnswer.objects.filter(move=move)}
    lines = [
        {**line, "archived": archived.get(line["answer"]) if line["outcome"] == move.Outcome.DROPPED else None}
        for line in version_move.with_indicators(move.report, move.from_standard_id, move.to_standard_id)
    ]
    return render(
        request,
        "assessments/version_move_report.html",
        {"assessment": assessment, "move": move, "lines": lines, "counts": move.counts},
    )
