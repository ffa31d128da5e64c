"""Pages of the stakeholder consultation: the public comment page (no account), the confirmation
link, and the pages of staff (windows, moderation) and of the site team and expert group."""

from __future__ import annotations

import datetime

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from accounts import rules as account_rules
from accounts.throttle import client_ip
from core.errors import DomainError
from core.pages import flash_error, refuse_if_not_allowed
from protected_areas.models import ProtectedArea

from . import guard, rules, selectors, services
from .choices import Phase
from .error_codes import CONSULTATION_CLOSED, CONSULTATION_DATES_INVALID


def _too_many(request, exc: services.TooManyComments):
    response = render(request, "stakeholders/too_many.html", {"error": exc}, status=429)
    response["Retry-After"] = str(exc.retry_after)
    return response


@require_http_methods(["GET", "POST"])
def public_page(request, area_id):
    """Anyone may comment while a window is open; accepted comments are shown, nothing else."""
    area = get_object_or_404(ProtectedArea, pk=area_id)
    windows = list(selectors.open_windows(area.pk))
    error, posted, status = None, {}, 200
    if request.method == "POST":
        window = next((w for w in windows if str(w.pk) == request.POST.get("window", "")), None)
        posted = request.POST
        try:
            if window is None:
                raise DomainError(CONSULTATION_CLOSED, _("This consultation is not open for comments."))
            services.comment_submit(
                window=window,
                text=request.POST.get("text", ""),
                email=request.POST.get("email", ""),
                name=request.POST.get("name", ""),
                show_name=request.POST.get("show_name") == "on",
                ip=client_ip(request),
                honeypot=request.POST.get(guard.HONEYPOT_FIELD, ""),
                stamp=request.POST.get("stamp", ""),
            )
        except services.TooManyComments as exc:
            return _too_many(request, exc)
        except DomainError as exc:
            error, status = exc, exc.http_status
        else:
            return redirect(f"{request.path}?sent=1")
    context = {
        "area": area,
        "windows": windows,
        "comments": selectors.public_comments(area.pk),
        "stamp": guard.form_stamp(),
        "honeypot": guard.HONEYPOT_FIELD,
        "sent": request.GET.get("sent") == "1" and not error,
        "error": error,
        "posted": posted,
        "max_links": guard.MAX_LINKS,
    }
    return render(request, "stakeholders/public.html", context, status=status)


@require_http_methods(["GET", "POST"])
def confirm(request, token):
    """The e-mailed link: a button (a link checker fetching the URL confirms nothing)."""
    if request.method == "POST":
        try:
            comment = services.comment_confirm(token=token)
        except DomainError as exc:
            return render(request, "stakeholders/confirm.html", {"error": exc}, status=400)
        return render(request, "stakeholders/confirm.html", {"confirmed": comment})
    return render(request, "stakeholders/confirm.html", {"token": token})


def _window_dates(data) -> tuple[datetime.date, datetime.date]:
    try:
        return datetime.date.fromisoformat(data.get("opens_on", "")), datetime.date.fromisoformat(
            data.get("closes_on", "")
        )
    except ValueError:
        raise DomainError(CONSULTATION_DATES_INVALID, _("Give a site and both dates."), field="opens_on") from None


@login_required
@require_http_methods(["GET", "POST"])
def consultations(request):
    """Staff open windows and see the moderation queue; the site team and the group their windows."""
    may_manage = rules.can_manage_consultations(request.user)
    error, posted, site_choices = None, {}, []
    if request.method == "POST":
        if not may_manage:
            raise PermissionDenied(_("Only IUCN staff open consultation windows."))
        posted = request.POST
        try:
            area = selectors.site_for_window(area_id=request.POST.get("area"), query=request.POST.get("site"))
            opens_on, closes_on = _window_dates(request.POST)
            window = services.window_open(
                area=area,
                phase=request.POST.get("phase", ""),
                opens_on=opens_on,
                closes_on=closes_on,
                note=request.POST.get("note", ""),
                by=request.user,
            )
        except selectors.SiteAmbiguous as exc:
            error, site_choices = exc, exc.sites
        except DomainError as exc:
            refuse_if_not_allowed(exc)
            error = exc
        else:
            messages.success(request, _("The consultation window is open."))
            return redirect(window.get_absolute_url())
    # A link from elsewhere may name the site (?area=<number>): the form starts with it chosen.
    prefill = request.GET.get("area", "")
    is_number = prefill.isascii() and prefill.isdigit() and len(prefill) < 19  # '²' is a digit int() refuses
    prefilled = ProtectedArea.objects.filter(pk=int(prefill)).first() if is_number else None
    context = {
        "may_manage": may_manage,
        "windows": selectors.windows_for_user(request.user),
        "queue": selectors.moderation_queue() if may_manage else [],
        "phases": Phase.choices,
        "error": error,
        "posted": posted,
        "site_choices": site_choices,
        "prefilled": prefilled,
    }
    return render(request, "stakeholders/consultations.html", context, status=error.http_status if error else 200)


@login_required
def window_page(request, pk):
    window = selectors.get_window_for_user(request.user, pk)
    jurisdiction_id = selectors.window_jurisdiction_id(window)
    context = {
        "window": window,
        "comments": selectors.comments_for(request.user, window),
        "may_manage": rules.can_manage_consultations(request.user),
        # An expert of the jurisdiction not assigned to the review sees the comments, not the assessment.
        "may_view_assessment": window.assessment is not None
        and account_rules.can_view_assessment(request.user, window.assessment),
        "may_consider": rules.can_consider(request.user, assessment=window.assessment, jurisdiction_id=jurisdiction_id),
    }
    return render(request, "stakeholders/window.html", context)


@login_required
@require_POST
def window_close(request, pk):
    window = selectors.get_window_for_user(request.user, pk)
    try:
        services.window_close(window=window, by=request.user)
    except DomainError as exc:
        flash_error(request, exc)
    else:
        messages.success(request, _("The consultation window is closed."))
    return redirect(window.get_absolute_url())


@login_required
@require_POST
def comment_moderate(request, pk):
    comment, window = selectors.get_comment_for_user(request.user, pk)
    try:
        services.comment_moderate(
            comment=comment,
            by=request.user,
            accept=request.POST.get("decision") == "accept",
            reason=request.POST.get("reason", ""),
        )
    except DomainError as exc:
        flash_error(request, exc)
    else:
        messages.success(request, _("The comment is moderated."))
    if request.POST.get("next") == "queue":
        return redirect("stakeholders:list")
    return redirect(window.get_absolute_url())


@login_required
@require_POST
def comment_consider(request, pk):
    comment, window = selectors.get_comment_for_user(request.user, pk)
    try:
        services.consideration_record(
            comment=comment,
            by=request.user,
            text=request.POST.get("text", ""),
            jurisdiction_id=selectors.window_jurisdiction_id(window),
        )
    except DomainError as exc:
        flash_error(request, exc)
    else:
        messages.success(request, _("How the comment was considered is recorded."))
    return redirect(f"{window.get_absolute_url()}#comment-{comment.pk}")
