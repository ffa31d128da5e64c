"""Pages: the public Green List and certificate verification (no login), and staff pages."""

from __future__ import annotations

import json

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accounts import rules
from assessments.selectors import get_assessment_for_user
from core.errors import DomainError, NotAllowed
from core.pages import flash_error
from core.replica import reads_from_replica
from protected_areas.drawing import MapMarker, boundary_drawing, world_map_drawing
from protected_areas.pagination import keyset_page, page_cursors

from . import condition_selectors, error_codes, lifecycle, selectors, services
from .choices import LISTED_STATUSES, OTHER_STATUS_COLOUR, STATUS_COLOURS, CertificateStatus, NoticeKind
from .files import certificate_pdf_response
from .forms import CertificateStatusForm, VerifyForm
from .models import LifecycleNotice

# The certificates the staff dashboard lists at most, those expiring first.
DASHBOARD_CERTIFICATES = 200

# Moves that take a certificate out of good standing. One click on the certificate page must not
# make them (issue 15): it leads to a confirmation step that says what will happen, and only that
# step's own submit (confirm) acts. Per target: what happens, and the confirming button's words.
CONFIRMED_MOVES = {
    CertificateStatus.SUSPENDED: (
        gettext_lazy(
            "Anyone who verifies the certificate will be told it is suspended, and the site stays on the Green "
            "List marked as suspended, until IUCN staff reinstate it."
        ),
        gettext_lazy("Suspend the certificate"),
    ),
    CertificateStatus.WITHDRAWN: (
        gettext_lazy(
            "Withdrawal is final: the site leaves the Green List, anyone who verifies the certificate will be told "
            "it has been withdrawn, and it can never be reinstated."
        ),
        gettext_lazy("Withdraw the certificate"),
    ),
}

# --- public --------------------------------------------------------------------------------------


def area_url(area) -> str:
    return area_url_of(area.pk, area.name)


def area_url_of(pk: int, name: str) -> str:
    return reverse("certification:area", args=[pk, slugify(name) or "area"])


# The table shows the listed areas a page at a time (keyset pages, as the protected-area list);
# the map above it marks them all.
GREEN_LIST_PAGE_SIZE = 50


@reads_from_replica
@require_GET
def green_list(request):
    context = {
        "today": timezone.localdate(),
        "verify_form": VerifyForm(),
        "map_legend": [(STATUS_COLOURS[s], s.label) for s in LISTED_STATUSES],
        "map_colours": json.dumps({"statuses": STATUS_COLOURS, "other": OTHER_STATUS_COLOUR}),
        "world_map": world_map_drawing(_green_list_markers()),
    }
    try:
        page = keyset_page(selectors.public_certificates(), size=GREEN_LIST_PAGE_SIZE, **page_cursors(request.GET))
    except DomainError as exc:  # a damaged page link: say so, with the way back to the first page
        return render(request, "certification/green_list.html", {**context, "page_error": exc.message}, status=400)
    for c in page:
        c.public_url = area_url(c.protected_area)
    return render(request, "certification/green_list.html", {**context, "certificates": page})


def _green_list_markers() -> list[MapMarker]:
    # The map is an SVG drawn here, not 1.5 MB of map library on every visit; the interactive map
    # loads only for those who ask for it (issue 15).
    labels = {status: str(label) for status, label in CertificateStatus.choices}
    return [
        MapMarker(
            lon=place["lon"],
            lat=place["lat"],
            url=area_url_of(place["protected_area_id"], place["protected_area__name"]),
            label=f"{place['protected_area__name']} — {labels.get(place['status'], place['status'])}",
            colour=STATUS_COLOURS.get(place["status"], OTHER_STATUS_COLOUR),
        )
        for place in selectors.public_places()
        if place["lon"] is not None
    ]


@require_GET
def green_list_area(request, pk, slug=None):
    certificate = selectors.public_area_certificate(pk)
    area = certificate.protected_area
    canonical = area_url(area)
    if request.path != canonical:
        return redirect(canonical, permanent=True)
    assessment = certificate.decision.assessment
    return render(
        request,
        "certification/area.html",
        {
            "certificate": certificate,
            "area": area,
            "verification": selectors.verify(certificate.number),
            "findings": selectors.public_findings(assessment),
            "public_summary": certificate.decision.public_summary,
            # One outline: an SVG drawn by the server, not 1.5 MB of map library (issue 15).
            "boundary": boundary_drawing(area),
        },
    )


@require_GET
def verify_form(request):
    form = VerifyForm(request.GET or None)
    if form.is_bound and form.is_valid():
        return redirect("certification:verify", number=form.cleaned_data["number"].replace("/", "") or "-")
    return render(request, "certification/verify_form.html", {"form": form})


@never_cache
@require_GET
def verify(request, number):
    result = selectors.verify(number)
    if result.valid is False and result.certificate is None:
        status = 404
    else:
        status = 200
    area = result.certificate.protected_area if result.certificate else None
    return render(
        request,
        "certification/verify.html",
        {"result": result, "area": area, "area_url": area_url(area) if area else None, "form": VerifyForm()},
        status=status,
    )


# --- staff ---------------------------------------------------------------------------------------


@login_required
@require_GET
def dashboard(request):
    if not rules.can_manage_certificates(request.user):
        raise PermissionDenied
    from .models import Certificate

    certificates = Certificate.objects.select_related("protected_area").order_by("expires_on")[:DASHBOARD_CERTIFICATES]
    flagged = (
        LifecycleNotice.objects.filter(
            kind=NoticeKind.CANDIDATE_WINDOW, assessment__status__in=services.CANDIDATE_PHASES
        )
        .select_related("assessment__protected_area")
        .order_by("due_on")
    )
    return render(
        request,
        "certification/dashboard.html",
        {"awaiting": selectors.awaiting_decision(), "certificates": certificates, "flagged": flagged},
    )


@login_required
@require_http_methods(["GET", "POST"])
def decide(request, pk):
    """Gone (issue 16): the Green List Panel decides. Answers 403 `panel_decides` (the 403 page
    says where the Panel's cases are), after the usual 404 for an assessment one may not see."""
    get_assessment_for_user(request.user, pk)
    raise NotAllowed(
        error_codes.PANEL_DECIDES,
        _(
            "The Green List Panel decides on Green List status: IUCN staff open a Panel case for the "
            "assessment, and the Panel's members vote on it (Panel cases: %(url)s)."
        )
        % {"url": reverse("certification:panel-cases")},
    )


@login_required
@require_GET
def certificate_detail(request, number):
    certificate = selectors.get_certificate_for_user(request.user, number)
    moves = lifecycle.available_moves(certificate, request.user)
    return render(
        request,
        "certification/certificate.html",
        {
            "certificate": certificate,
            "moves": [(m, CertificateStatusForm(initial={"to": m.target})) for m in moves],
            "confirmed_moves": list(CONFIRMED_MOVES),
            "can_download": rules.can_download_certificate(request.user, certificate),
            "verification_url": services.verification_url(certificate),
            # Conditions on the listing (issue 16): the page shows staff and the team what is overdue.
            "condition_counts": condition_selectors.condition_counts(certificate, timezone.localdate()),
        },
    )


@login_required
@require_POST
def certificate_status(request, number):
    certificate = selectors.get_certificate_for_user(request.user, number)
    # Before the form is read, as on the decision page: the site team sees its certificate but
    # may not change it (403, not a complaint about the reason).
    if not rules.can_manage_certificates(request.user):
        raise PermissionDenied
    form = CertificateStatusForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Give the reason for this change."))
        return redirect(certificate)
    to = form.cleaned_data["to"]
    move = next((m for m in lifecycle.available_moves(certificate, request.user) if m.target == to), None)
    if move is not None and to in CONFIRMED_MOVES and not form.cleaned_data["confirm"]:
        # The first step of a destructive move: nothing changes yet. A move that is not possible
        # now skips this step and gets the engine's own refusal below.
        consequence, confirm_label = CONFIRMED_MOVES[to]
        return render(
            request,
            "certification/certificate_confirm.html",
            {
                "certificate": certificate,
                "move": move,
                "target_label": CertificateStatus(to).label,
                "reason": form.cleaned_data["reason"],
                "consequence": consequence,
                "confirm_label": confirm_label,
            },
        )
    try:
        services.certificate_transition(
            certificate=certificate, user=request.user, to=to, reason=form.cleaned_data["reason"]
        )
    except DomainError as exc:
        flash_error(request, exc)
    else:
        messages.success(
            request, _("Certificate is now %(status)s.") % {"status": CertificateStatus(certificate.status).label}
        )
    return redirect(certificate)


@login_required
@require_GET
def certificate_pdf(request, number):
    certificate = selectors.get_certificate_pdf_for_user(request.user, number)
    if not certificate.pdf:
        messages.warning(request, _("The certificate PDF is still being made. Try again in a minute."))
        return redirect(certificate)
    return certificate_pdf_response(certificate)
