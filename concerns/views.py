"""Pages of concerns about a listed site: the public form (no account), the raiser's private page,
and the pages of staff, the site team, the expert group and the Panel."""

from __future__ import annotations

import datetime
from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from accounts.models import User
from accounts.throttle import client_ip
from certification.choices import ConditionChecker
from core.downloads import private_file, untrusted_type
from core.errors import DomainError, NotAllowed
from core.pages import flash_error
from protected_areas.models import ProtectedArea
from stakeholders import guard

from . import error_codes, rules, selectors, services, workflow
from .choices import ConcernOutcomeKind, ConcernStatus
from .models import Concern


@require_http_methods(["GET", "POST"])
def raise_page(request, area_id):
    """Anyone raises a concern about a listed site; nothing sent here is ever shown publicly."""
    area = get_object_or_404(ProtectedArea, pk=area_id)
    certificate = services.listed_certificate(area)
    error, posted, status = None, {}, 200
    if request.method == "POST" and services.request_too_large(request.META.get("CONTENT_LENGTH")):
        # Before request.POST is touched: Django would otherwise read and store every byte sent.
        error, status = services.RequestTooLarge(), 413
    elif request.method == "POST":
        posted = request.POST
        try:
            services.concern_submit(
                area=area,
                text=request.POST.get("text", ""),
                email=request.POST.get("email", ""),
                name=request.POST.get("name", ""),
                files=request.FILES.getlist("attachments"),
                ip=client_ip(request),
                honeypot=request.POST.get(guard.HONEYPOT_FIELD, ""),
                stamp=request.POST.get("stamp", ""),
            )
        except services.TooManyConcerns as exc:
            response = render(request, "concerns/too_many.html", {"error": exc, "area": area}, status=429)
            response["Retry-After"] = str(exc.retry_after)
            return response
        except DomainError as exc:
            error, status = exc, exc.http_status
        else:
            return redirect(f"{request.path}?sent=1")
    context = {
        "area": area,
        "certificate": certificate,
        "stamp": guard.form_stamp(),
        "honeypot": guard.HONEYPOT_FIELD,
        "sent": request.GET.get("sent") == "1" and not error,
        "error": error,
        "posted": posted,
        "max_links": guard.MAX_LINKS,
    }
    return render(request, "concerns/raise.html", context, status=status)


@require_http_methods(["GET", "POST"])
def track(request, token):
    """The raiser's private page; its first visit confirms the concern with a button (a link
    checker fetching the URL confirms nothing)."""
    concern = services.concern_for_token(token)
    if concern is None:
        raise Http404("No such concern.")
    if request.method == "POST":
        services.concern_confirm(concern=concern)
        return redirect(request.path)
    concern = selectors.get_concern_for_raiser(concern.pk)
    context = {
        "concern": concern,
        "view": selectors.raiser_view(concern),
        "unconfirmed": concern.status == ConcernStatus.UNCONFIRMED,
    }
    return render(request, "concerns/track.html", context)


@login_required
def concern_list(request):
    """Staff's triage queue; everyone's concerns they may open."""
    may_triage = rules.can_triage(request.user)
    context = {
        "may_triage": may_triage,
        "queue": list(selectors.triage_queue()) if may_triage else [],
        "concerns": list(selectors.concerns_for_user(request.user)[:200]),
    }
    return render(request, "concerns/list.html", context)


@login_required
def concern_detail(request, pk):
    concern = selectors.get_concern_for_user(request.user, pk)
    user = request.user
    advisers = selectors.adviser_ids(concern)
    may_record = rules.can_record_outcome(user) and concern.status in (
        ConcernStatus.ADVISED,
        ConcernStatus.DECIDED,
        ConcernStatus.CLOSED,
    )
    # The Panel's members the chair may name, each with why they may not take part (a conflict on
    # the site): listed but not choosable, rather than refused once the form is sent. The service
    # refuses them all the same.
    panel = list(selectors.panel_members()) if may_record else []
    conflicts = services.panel_conflicts_of(concern, [user, *panel]) if may_record else {}
    context = {
        "concern": concern,
        "see_internal": rules.can_see_internal(user),
        "see_name": rules.can_see_raiser_name(user),
        "see_advice": rules.can_see_advice(user, concern, advisers),
        "may_triage": rules.can_triage(user) and concern.status == ConcernStatus.RECEIVED,
        "may_share": rules.can_triage(user) and concern.answered_at is not None,
        "may_answer": rules.can_answer(user, concern) and concern.status == ConcernStatus.ADMISSIBLE,
        "may_advise": rules.can_advise(user, concern, advisers) and concern.status == ConcernStatus.ANSWERED,
        "may_record": may_record,
        "may_close": rules.can_close(user) and concern.status == ConcernStatus.DECIDED,
        # First the Panel's outcome (anything but a reinstatement); once decided, only a further one
        # after a suspension (services.LATER_OUTCOMES).
        "outcome_kinds": [
            (value, label)
            for value, label in ConcernOutcomeKind.choices
            if (
                value in services.LATER_OUTCOMES
                if concern.status != ConcernStatus.ADVISED
                else value != "reinstatement"
            )
        ],
        "checkers": ConditionChecker.choices,
        "experts": User.objects.filter(pk__in=selectors.expert_ids_for(concern)) if rules.can_triage(user) else [],
        "panel": [(member, conflicts[member.pk]) for member in panel if member.pk != user.pk],
        "my_conflicts": conflicts.get(user.pk, []),
        "moves": workflow.available_moves(concern, user),
    }
    return render(request, "concerns/detail.html", context)


def _act(request, pk, allowed: Callable[[Concern], bool], call: Callable[[Concern], Any], done: str):
    """Find the concern (404), check the role (403, before the form is read), run the service."""
    concern = selectors.get_concern_for_user(request.user, pk)
    if not allowed(concern):
        raise NotAllowed(error_codes.CONCERN_ROLE, _("Your role may not take this step on the concern."))
    try:
        call(concern)
    except DomainError as exc:
        flash_error(request, exc)
    else:
        messages.success(request, done)
    return redirect(concern.get_absolute_url())


def _users(ids: list[str]) -> list[User]:
    return list(User.objects.filter(pk__in=[int(i) for i in ids if str(i).isascii() and str(i).isdigit()]))


@login_required
@require_POST
def triage(request, pk):
    return _act(
        request,
        pk,
        lambda c: rules.can_triage(request.user),
        lambda c: services.concern_triage(
            concern=c,
            by=request.user,
            admissible=request.POST.get("decision") == "admissible",
            reason=request.POST.get("reason", ""),
            advisers=_users(request.POST.getlist("advisers")),
        ),
        _("The concern is triaged."),
    )


@login_required
@require_POST
def answer(request, pk):
    return _act(
        request,
        pk,
        lambda c: rules.can_answer(request.user, c),
        lambda c: services.concern_answer(concern=c, by=request.user, text=request.POST.get("text", "")),
        _("Your answer is recorded."),
    )


@login_required
@require_POST
def share(request, pk):
    return _act(
        request,
        pk,
        lambda c: rules.can_triage(request.user),
        lambda c: services.concern_answer_share(
            concern=c, by=request.user, shareable=request.POST.get("shareable") == "on"
        ),
        _("What the raiser reads is saved."),
    )


@login_required
@require_POST
def advise(request, pk):
    return _act(
        request,
        pk,
        lambda c: rules.can_advise(request.user, c, selectors.adviser_ids(c)),
        lambda c: services.concern_advise(concern=c, by=request.user, text=request.POST.get("text", "")),
        _("The group's advice is recorded."),
    )


def _date(value: str) -> datetime.date | None:
    try:
        return datetime.date.fromisoformat(value)
    except ValueError:
        return None


@login_required
@require_POST
def outcome(request, pk):
    return _act(
        request,
        pk,
        lambda c: rules.can_record_outcome(request.user),
        lambda c: services.concern_outcome_record(
            concern=c,
            by=request.user,
            kind=request.POST.get("kind", ""),
            reasons=request.POST.get("reasons", ""),
            public_summary=request.POST.get("public_summary", ""),
            members=_users(request.POST.getlist("members")),
            condition_text=request.POST.get("condition_text", ""),
            condition_due_on=_date(request.POST.get("condition_due_on", "")),
            condition_checked_by=request.POST.get("condition_checked_by", ""),
        ),
        _("The Panel's outcome is recorded."),
    )


@login_required
@require_POST
def close(request, pk):
    return _act(
        request,
        pk,
        lambda c: rules.can_close(request.user),
        lambda c: services.concern_close(concern=c, by=request.user, reason=request.POST.get("reason", "")),
        _("The concern is closed."),
    )


@login_required
def attachment(request, pk):
    """A file sent with a concern: only to those who may open the concern (never public)."""
    item = selectors.get_attachment_for_user(request.user, pk)
    return private_file(
        item.file.open("rb"),
        filename=item.original_filename,
        content_type=untrusted_type(item.content_type),
        inline=True,
    )
