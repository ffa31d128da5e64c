from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods
from django_otp import login as otp_login

from core.downloads import private_file
from core.errors import DomainError
from core.pages import refuse_if_not_allowed

from . import personal_data, rules, selectors, services, throttle, two_factor
from .forms import AcceptInvitationForm, ApiTokenForm, EmailAuthenticationForm, InvitationForm, TokenForm
from .models import DataExport


class LogoutView(auth_views.LogoutView):
    """Logout also asks the browser to clear what this site kept on the device: the pages kept
    offline, the outbox of unsent changes, drafts and the service worker (issue 17). Cookies are
    left alone: the session is already ended by logout itself, and the CSRF cookie is not personal."""

    def post(self, request, *args, **kwargs):
        response = super().post(request, *args, **kwargs)
        response["Clear-Site-Data"] = '"cache", "storage"'
        return response


class LoginView(auth_views.LoginView):
    """The site's login, throttled by its form (accounts.throttle); a browser that logs in is
    remembered for the account, so an attack from elsewhere cannot lock its owner out.

    It is the admin's login too (greenlist/urls.py routes /admin/login/ here): Django's own admin
    login checked passwords with neither the throttle nor the two-factor step that follows."""

    template_name = "accounts/login.html"
    authentication_form = EmailAuthenticationForm

    def form_valid(self, form):
        response = super().form_valid(form)
        throttle.remember_browser(response, form.get_user().email)
        return response


@login_required
@require_http_methods(["GET", "POST"])
def invitation_list(request):
    if not rules.can_invite(request.user):
        raise PermissionDenied
    form = InvitationForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            invitation, _token = services.invitation_create(invited_by=request.user, **form.cleaned_data)
        except DomainError as exc:
            refuse_if_not_allowed(exc)
            form.add_error(exc.field, exc.message)
        else:
            messages.success(request, _("Invitation sent to %(email)s.") % {"email": invitation.email})
            return redirect("accounts:invitations")
    invitations = selectors.recent_invitations()
    return render(request, "accounts/invitations.html", {"form": form, "invitations": invitations})


@require_http_methods(["GET", "POST"])
def invitation_accept(request, token):
    try:
        invitation = services.invitation_for_token(token)
    except DomainError as exc:
        return render(request, "accounts/invitation_invalid.html", {"reason": exc.message}, status=410)
    form = AcceptInvitationForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            user = services.invitation_accept(
                token=token, full_name=form.cleaned_data["full_name"], password=form.cleaned_data["password"]
            )
        except DomainError as exc:
            form.add_error(exc.field if exc.field in form.fields else None, exc.message)
        else:
            login(request, user, backend="accounts.backends.RoleBackend")
            messages.success(request, _("Welcome! Your account is ready."))
            return redirect("home")
    return render(request, "accounts/invitation_accept.html", {"form": form, "invitation": invitation})


@login_required
@require_http_methods(["GET", "POST"])
def two_factor_setup(request):
    """Scan a QR code, confirm with a first code: the authenticator is then required at each login."""
    if two_factor.confirmed_device(request.user) is not None and request.user.is_verified():
        messages.info(request, _("Two-factor login is already on."))
        return redirect("home")
    if two_factor.confirmed_device(request.user) is not None:
        return redirect("accounts:2fa-verify")
    device = two_factor.pending_device(request.user)
    form = TokenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if services.two_factor_confirm(user=request.user, device=device, token=form.cleaned_data["token"].strip()):
            otp_login(request, device)
            messages.success(request, _("Two-factor login is on."))
            return redirect(two_factor.safe_next(request))
        form.add_error("token", _("That code is not right. Check the time on your phone and try the newest code."))
    context = {
        "form": form,
        "qr": two_factor.qr_data_uri(device),
        "secret": two_factor.secret_base32(device),
        "next": request.GET.get("next", ""),
        "required": rules.is_iucn_staff(request.user),
    }
    return render(request, "accounts/two_factor_setup.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def two_factor_verify(request):
    device = two_factor.confirmed_device(request.user)
    if device is None:
        return redirect("accounts:2fa-setup")
    form = TokenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        verdict = throttle.check(f"otp:{request.user.email}", None)
        if not verdict.allowed:
            form.add_error("token", _("Too many wrong codes: wait %(s)d seconds.") % {"s": verdict.retry_after})
        elif device.verify_token(form.cleaned_data["token"].strip()):
            throttle.record_success(f"otp:{request.user.email}")
            otp_login(request, device)
            return redirect(two_factor.safe_next(request))
        else:
            throttle.record_failure(f"otp:{request.user.email}", None)
            form.add_error("token", _("That code is not right."))
    return render(request, "accounts/two_factor_verify.html", {"form": form, "next": request.GET.get("next", "")})


@login_required
@require_http_methods(["GET", "POST"])
def api_tokens(request):
    """Your own API tokens: create one (its key is shown on this answer only), see and revoke them."""
    form = ApiTokenForm(request.POST or None)
    created = None
    if request.method == "POST" and form.is_valid():
        try:
            token, key = services.api_token_create(
                user=request.user,
                name=form.cleaned_data["name"],
                expires_in_days=form.cleaned_data["expires_in_days"],
                read_only=form.cleaned_data["read_only"],
                otp_verified=request.user.is_verified(),
            )
        except DomainError as exc:
            refuse_if_not_allowed(exc)
            form.add_error(exc.field if exc.field in form.fields else None, exc.message)
        else:
            # Rendered, not redirected: the key must not travel in a URL or be shown again on reload.
            created = {"token": token, "key": key}
            form = ApiTokenForm()
    context = {"form": form, "created": created, "tokens": selectors.api_tokens_of(request.user)}
    response = render(request, "accounts/api_tokens.html", context)
    response["Cache-Control"] = "no-store"
    return response


@login_required
@require_http_methods(["POST"])
def api_token_revoke(request, pk):
    token = selectors.get_own_api_token(request.user, pk)
    services.api_token_revoke(token=token, by=request.user)
    messages.success(request, _("Token %(name)s revoked.") % {"name": token.name})
    return redirect("accounts:api-tokens")


@login_required
@require_http_methods(["GET", "POST"])
def my_data(request):
    """Your own data: ask for a download of everything the platform holds about you, and fetch it."""
    if request.method == "POST":
        try:
            personal_data.export_request(user=request.user)
        except DomainError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, _("Your data is being prepared. This page shows it when it is ready."))
        return redirect("accounts:my-data")
    exports = DataExport.objects.filter(user=request.user).order_by("-created_at")[:10]
    response = render(request, "accounts/my_data.html", {"exports": exports, "now": timezone.now()})
    response["Cache-Control"] = "no-store"
    return response


@login_required
@require_http_methods(["GET"])
def my_data_download(request, pk):
    """The zip, to the person it is about only: anyone else's is 404, an expired one 410."""
    try:
        export = personal_data.export_for_download(user=request.user, export_id=pk)
    except DomainError as exc:
        return render(request, "accounts/my_data_gone.html", {"reason": exc.message}, status=exc.http_status)
    return private_file(
        export.file.open("rb"),
        filename=f"greenlist-personal-data-{export.pk}.zip",
        content_type="application/zip",
        inline=False,
    )
