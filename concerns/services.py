"""The rules of concerns about a listed site: raising one (public), following it by the private link,
triage, the site's answer, the expert group's advice, the Green List Panel's outcome, closing.

Every change is audited (`audit_record`, and the workflow's own event for each move); e-mails go
through the outbox. A concern reaches staff only once its e-mail address is confirmed; nothing the
public sends is ever shown publicly.
"""

from __future__ import annotations

import datetime
import secrets
from collections.abc import Iterable
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import Q, QuerySet
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.crypto import constant_time_compare, salted_hmac
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from accounts import rules as account_rules
from accounts.models import User
from audit.services import audit_record
from certification import lifecycle
from certification.choices import CertificateStatus, PanelCoi
from certification.models import Certificate, PanelSeat
from core.errors import Conflict, DomainError, NotAllowed
from core.text import clean_text
from protected_areas.models import ProtectedArea
from reviews.selectors import conflict_warnings_of, warning_text
from stakeholders import guard

from . import attachments, emails, error_codes, rules, workflow
from .choices import ConcernOutcomeKind, ConcernStatus
from .models import NAME_MAX, REASON_MAX, TEXT_MAX, Concern, ConcernAttachment, ConcernOutcome

_LINK_SALT = "concerns.private-link"
RATE_SCOPE = "concern"
# The certificate move each outcome makes (none: the listing stays as it is).
CERTIFICATE_MOVES = {
    ConcernOutcomeKind.SUSPENSION: CertificateStatus.SUSPENDED,
    ConcernOutcomeKind.WITHDRAWAL: CertificateStatus.WITHDRAWN,
    ConcernOutcomeKind.REINSTATEMENT: CertificateStatus.ACTIVE,
}

# What the Panel may still decide on a concern once it has decided (after a suspension).
LATER_OUTCOMES = (ConcernOutcomeKind.REINSTATEMENT, ConcernOutcomeKind.WITHDRAWAL)


class TooManyConcerns(guard.TooManySubmissions):
    def __init__(self, retry_after: int):
        super().__init__(
            retry_after,
            code=error_codes.THROTTLED,
            message=_("Too many concerns from this address. Please try again in %(minutes)d minutes."),
        )


class RequestTooLarge(DomainError):
    http_status = 413

    def __init__(self) -> None:
        super().__init__(
            error_codes.CONCERN_REQUEST_TOO_LARGE,
            ngettext(
                "The form is too large: attach at most %(count)d file of %(megabytes)d MB.",
                "The form is too large: attach at most %(count)d files of %(megabytes)d MB each.",
                settings.GREENLIST_CONCERN_ATTACHMENTS,
            )
            % {
                "count": settings.GREENLIST_CONCERN_ATTACHMENTS,
                "megabytes": max(1, settings.GREENLIST_CONCERN_ATTACHMENT_BYTES // 1_000_000),
            },
            field="attachments",
        )


# Room for the form's text fields and the multipart framing beyond its files' bytes.
REQUEST_TEXT_MARGIN = 256 * 1024


def request_too_large(content_length: Any) -> bool:
    """Whether the concern form's request is larger than its files' limits (count × bytes) and its
    text allow: answered before Django reads the body (and writes its files to disk)."""
    try:
        length = int(str(content_length or "0").strip())
    except ValueError:
        return True
    limit = settings.GREENLIST_CONCERN_ATTACHMENTS * settings.GREENLIST_CONCERN_ATTACHMENT_BYTES + REQUEST_TEXT_MARGIN
    return length < 0 or length > limit


def _text(value: Any, *, limit: int, code: str, field: str, required: bool = True) -> str:
    return clean_text(
        value,
        field=field,
        limit=limit,
        required=required,
        required_code=code,
        too_long_code=error_codes.FIELD_TOO_LONG,
    )


def clean_concern_text(value: Any) -> str:
    return _text(value, limit=TEXT_MAX, code=error_codes.CONCERN_TEXT_INVALID, field="text")


def clean_concern_name(value: Any) -> str:
    return _text(value, limit=NAME_MAX, code=error_codes.FIELD_TOO_LONG, field="name", required=False)


def clean_reason(value: Any, field: str = "reason") -> str:
    return _text(value, limit=REASON_MAX, code=error_codes.REASONS_REQUIRED, field=field)


def clean_long(value: Any, field: str) -> str:
    return _text(value, limit=TEXT_MAX, code=error_codes.REASONS_REQUIRED, field=field)


# --- the raiser's private link -------------------------------------------------------------------


def private_token(concern: Concern) -> str:
    """The secret part of the raiser's link: the concern's id and an HMAC of it with a random nonce
    stored on the concern, keyed by SECRET_KEY. The database alone cannot make it (a copy of it
    leaks no link), and each later e-mail can carry it again."""
    digest = salted_hmac(_LINK_SALT, f"{concern.pk}:{concern.link_nonce}", algorithm="sha256").hexdigest()
    return f"{concern.pk}-{digest}"


def private_link(concern: Concern) -> str:
    return f"{settings.SITE_URL}{reverse('concerns:track', args=[private_token(concern)])}"


def concern_for_token(token: str) -> Concern | None:
    """The concern the link is for, or None (the page answers 404 either way)."""
    pk, _sep, _digest = (token or "").partition("-")
    # isascii: str.isdigit() is true for '²', which int() refuses.
    if not (pk.isascii() and pk.isdigit()) or len(pk) > 12:
        return None
    concern = Concern.objects.select_related("protected_area", "certificate").filter(pk=int(pk)).first()
    if concern is None or not constant_time_compare(private_token(concern), token):
        return None
    return concern


# --- raising a concern ---------------------------------------------------------------------------


def listing_certificates(area_id: int) -> QuerySet[Certificate]:
    """The certificates that put the site on the Green List (active or suspended): its own, or a
    multi-site certificate whose assessment counts it among its added sites
    (assessments.AssessmentSite)."""
    added = Certificate.objects.filter(decision__assessment__extra_sites__protected_area_id=area_id).values("pk")
    return Certificate.objects.listed().filter(Q(protected_area_id=area_id) | Q(pk__in=added))


def listed_certificate(area: ProtectedArea) -> Certificate | None:
    """The certificate that puts the site on the Green List, if any (the latest granted)."""
    return listing_certificates(area.pk).order_by("-granted_on", "-pk").first()


def concern_submit(
    *,
    area: ProtectedArea,
    text: str,
    email: str,
    name: str = "",
    files: Iterable[Any] = (),
    ip: str | None = None,
    honeypot: str = "",
    stamp: str = "",
) -> Concern:
    """Anyone raises a concern about a listed site (no account). The comment form's protections
    (stakeholders.guard: honeypot, fill time, link limit, rate limits per address and e-mail), the
    attachments' checks (concerns.attachments); refused: a site not listed. Stored unconfirmed;
    the private link is e-mailed, and the concern reaches staff once the raiser follows it."""
    certificate = listed_certificate(area)
    if certificate is None:
        raise Conflict(error_codes.CONCERN_SITE_NOT_LISTED, _("Concerns are raised about sites on the Green List."))
    text = clean_concern_text(text)
    name = clean_concern_name(name)
    email = guard.screen_public_form(
        honeypot=honeypot,
        stamp=stamp,
        text=text,
        email=email,
        spam_code=error_codes.CONCERN_SPAM,
        links_message=_("A concern may hold at most %(count)d links."),
        email_code=error_codes.CONCERN_EMAIL_INVALID,
        email_message=_("Give a valid e-mail address to follow your concern."),
    )
    # The rate limit before any file is opened (decoding an image costs memory), counting every
    # attempt that gets this far, refused ones too: a flood of junk or hostile files uses up its own
    # quota. (The checks above read no file; the view refuses an oversized body before it is read.)
    wait = guard.rate_limited(ip, email, scope=RATE_SCOPE)
    if wait:
        raise TooManyConcerns(wait)
    checked = attachments.check_files(list(files))
    with transaction.atomic():
        concern = Concern.objects.create(
            certificate=certificate,
            protected_area=area,
            text=text,
            name=name,
            email=email,
            link_nonce=secrets.token_urlsafe(32),
            language=translation.get_language() or settings.LANGUAGE_CODE,
        )
        for item in checked:
            ConcernAttachment.objects.create(
                concern=concern,
                file=item.content,
                original_filename=item.original_filename,
                content_type=item.content_type,
                size=item.size,
            )
        emails.to_raiser(concern, "confirm", private_link(concern))
        # No actor, no address: the audit trail records that a concern came, not who sent it.
        audit_record(
            actor=None,
            action="concern.submitted",
            target=concern,
            data={"certificate": certificate.pk, "attachments": len(checked)},
        )
    return concern


def concern_confirm(*, concern: Concern) -> Concern:
    """The raiser followed the e-mailed link and confirmed: the concern reaches staff's queue (once)."""
    if concern.status != ConcernStatus.UNCONFIRMED:
        return concern
    with transaction.atomic():
        Concern.objects.filter(pk=concern.pk, confirmed_at__isnull=True).update(confirmed_at=timezone.now())
        return workflow.transition(concern, ConcernStatus.RECEIVED, by=None)


# --- triage, the site's answer, the group's advice -----------------------------------------------


def concern_triage(
    *, concern: Concern, by: User, admissible: bool, reason: str, advisers: Iterable[User] = ()
) -> Concern:
    """IUCN staff find a received concern admissible (the site team is asked to answer) or not,
    with reasons (internal), and may name experts to advise besides those who reviewed the listed
    cycle. The raiser is told the step (not the reasons)."""
    if not rules.can_triage(by):
        raise NotAllowed(error_codes.CONCERN_ROLE, _("Only IUCN staff triage concerns."))
    reason = clean_reason(reason)
    people = list({p.pk: p for p in advisers}.values())
    for person in people:
        if not account_rules.is_expert(person):
            raise DomainError(
                error_codes.CONCERN_ROLE, _("%(person)s is not an expert.") % {"person": person}, field="advisers"
            )
    target = ConcernStatus.ADMISSIBLE if admissible else ConcernStatus.NOT_ADMISSIBLE
    with transaction.atomic():
        concern = workflow.transition(concern, target, by=by, reason=reason)
        if people:
            concern.advisers.add(*people)
            audit_record(
                actor=by, action="concern.advisers_named", target=concern, data={"advisers": [p.pk for p in people]}
            )
        emails.to_raiser(concern, "triaged", private_link(concern))
        if admissible:
            emails.to_site_team(concern)
    return concern


def concern_answer(*, concern: Concern, by: User, text: str) -> Concern:
    """The site team answers an admissible concern (the group and the Panel read it; the raiser
    only once staff mark it shareable)."""
    text = clean_long(text, "text")
    with transaction.atomic():
        concern = workflow.transition(concern, ConcernStatus.ANSWERED, by=by)
        Concern.objects.filter(pk=concern.pk).update(site_answer=text, answered_by=by, answered_at=timezone.now())
        concern.refresh_from_db()
        audit_record(actor=by, action="concern.answered", target=concern, data={"length": len(text)})
        emails.to_group(concern)
    return concern


def concern_answer_share(*, concern: Concern, by: User, shareable: bool) -> Concern:
    """Staff decide whether the raiser may read the site's answer on their private page."""
    if not rules.can_triage(by):
        raise NotAllowed(error_codes.CONCERN_ROLE, _("Only IUCN staff decide what the raiser reads."))
    if not concern.answered_at:
        raise Conflict(error_codes.CONCERN_TRANSITION_NOT_ALLOWED, _("The site has not answered yet."))
    with transaction.atomic():
        Concern.objects.filter(pk=concern.pk).update(site_answer_shareable=shareable)
        concern.site_answer_shareable = shareable
        audit_record(actor=by, action="concern.answer_shared", target=concern, data={"shareable": shareable})
    return concern


def concern_advise(*, concern: Concern, by: User, text: str) -> Concern:
    """The expert group advises the Panel on an answered concern."""
    text = clean_long(text, "text")
    with transaction.atomic():
        concern = workflow.transition(concern, ConcernStatus.ADVISED, by=by)
        Concern.objects.filter(pk=concern.pk).update(advice=text, advised_by=by, advised_at=timezone.now())
        concern.refresh_from_db()
        audit_record(actor=by, action="concern.advised", target=concern, data={"length": len(text)})
        emails.to_panel_chairs(concern)
    return concern


# --- the Panel's outcome -------------------------------------------------------------------------


def panel_conflicts(concern: Concern, person: User) -> list[str]:
    """Why `person` may not take part in the Panel's outcome on this concern (empty: free)."""
    return panel_conflicts_of(concern, [person])[person.pk]


def panel_conflicts_of(concern: Concern, people: Iterable[User]) -> dict[int, list[str]]:
    """Why each of `people` may not take part in the Panel's outcome on this concern, by user id
    (an empty list: free), in the reader's language.

    The platform's practice: the automatic conflict warnings the experts get, looked for on the
    listed cycle's assessment (reviews.selectors.conflict_warnings_of: on the site's team, working
    for its managing authority, reviewed it before), and any conflict the person declared on a
    Panel case about the same site (certification.panel). A fixed number of queries however many
    people: the outcome form lists the whole Panel with each member's reasons."""
    people = list(people)
    assessment = concern.certificate.decision.assessment
    warnings = conflict_warnings_of(assessment=assessment, users=people)
    declared = set(
        PanelSeat.objects.filter(
            user_id__in=[p.pk for p in people],
            coi_status=PanelCoi.CONFLICT,
            case__assessment__protected_area_id=concern.protected_area_id,
        ).values_list("user_id", flat=True)
    )
    found: dict[int, list[str]] = {}
    for person in people:
        reasons = [warning_text(w) for w in warnings[person.pk]]
        if person.pk in declared:
            reasons.append(_("%(person)s declared a conflict of interest on this site.") % {"person": person})
        found[person.pk] = reasons
    return found


def concern_outcome_record(
    *,
    concern: Concern,
    by: User,
    kind: str,
    reasons: str,
    public_summary: str,
    members: Iterable[User],
    condition_text: str = "",
    condition_due_on: datetime.date | None = None,
    condition_checked_by: str = "",
) -> ConcernOutcome:
    """The Panel's chair records the Green List Panel's outcome on the Panel's behalf, with its
    reasons (internal), a summary the raiser reads, and the members who took part.

    The platform's practice: the chair and every member named must be free of conflict on the site
    (`panel_conflicts`); a conflicted one can neither record the outcome nor be listed. The
    certificate's status changes only through certification.lifecycle (suspension, withdrawal,
    reinstatement); new conditions through certification.conditions. Reinstatement is a further
    outcome on a concern whose Panel suspended the certificate."""
    if not rules.can_record_outcome(by):
        raise NotAllowed(error_codes.CONCERN_ROLE, _("Only the Green List Panel's chair records the Panel's outcome."))
    if kind not in ConcernOutcomeKind.values:
        raise DomainError(error_codes.CONCERN_OUTCOME_INVALID, _("Choose the Panel's outcome."), field="kind")
    reasons = clean_long(reasons, "reasons")
    public_summary = clean_long(public_summary, "public_summary")
    people = list({p.pk: p for p in [by, *members]}.values())
    if len(people) < 2:
        raise DomainError(
            error_codes.CONCERN_PANEL_MEMBERS_REQUIRED,
            _("Name the Panel members who took part besides the chair."),
            field="members",
        )
    conflicts = panel_conflicts_of(concern, people)
    for person in people:
        if not account_rules.is_panel_member(person):
            raise DomainError(
                error_codes.CONCERN_PANEL_MEMBERS_REQUIRED,
                _("%(person)s is not a Green List Panel member.") % {"person": person},
                field="members",
            )
        found = conflicts[person.pk]
        if found:
            raise DomainError(
                error_codes.CONCERN_PANEL_CONFLICT,
                _("%(person)s has a conflict of interest on this site and cannot take part: %(why)s")
                % {"person": person, "why": "; ".join(str(f) for f in found)},
                field="members",
            )
    with transaction.atomic():
        locked = Concern.objects.select_for_update().get(pk=concern.pk)
        certificate = Certificate.objects.select_for_update().get(pk=locked.certificate_id)
        further = locked.status in (ConcernStatus.DECIDED, ConcernStatus.CLOSED)
        if kind == ConcernOutcomeKind.REINSTATEMENT or further:
            # A further outcome: after a suspension the Panel decided here, reinstate or withdraw.
            suspended_here = locked.outcomes.filter(kind=ConcernOutcomeKind.SUSPENSION).exists()
            if not further or not suspended_here or kind not in LATER_OUTCOMES:
                raise Conflict(
                    error_codes.CONCERN_OUTCOME_INVALID,
                    _(
                        "After its outcome, the Panel may only reinstate or withdraw a certificate it suspended "
                        "on this concern."
                    ),
                    field="kind",
                )
            if locked.status == ConcernStatus.CLOSED:
                workflow.transition(locked, ConcernStatus.DECIDED, by=by)
        else:
            workflow.transition(locked, ConcernStatus.DECIDED, by=by)
        if kind in CERTIFICATE_MOVES:
            lifecycle.transition_on_panel_outcome(
                certificate, CERTIFICATE_MOVES[ConcernOutcomeKind(kind)], chair=by, reason=public_summary
            )
        elif kind == ConcernOutcomeKind.CONDITIONS:
            from certification import conditions  # the conditions on a listing (issue 16)

            if condition_due_on is None:
                raise DomainError(
                    error_codes.CONCERN_CONDITION_INVALID, _("Give the condition's due date."), field="condition_due_on"
                )
            conditions.condition_add(
                certificate=certificate,
                text=condition_text,
                due_on=condition_due_on,
                checked_by=condition_checked_by,
                by=by,
                origin=f"concern {locked.pk}",
            )
        outcome = ConcernOutcome.objects.create(
            concern=locked, kind=kind, reasons=reasons, public_summary=public_summary, recorded_by=by
        )
        outcome.members.set(people)
        audit_record(
            actor=by,
            action="concern.outcome_recorded",
            target=locked,
            data={"kind": kind, "members": [p.email for p in people], "certificate": certificate.pk},
        )
        emails.to_raiser(locked, "decided", private_link(locked))
    concern.status = locked.status
    return outcome


def concern_close(*, concern: Concern, by: User, reason: str = "") -> Concern:
    """Staff close a decided concern (a later Panel outcome may still follow on it)."""
    with transaction.atomic():
        concern = workflow.transition(concern, ConcernStatus.CLOSED, by=by, reason=reason)
        emails.to_raiser(concern, "closed", private_link(concern))
    return concern
