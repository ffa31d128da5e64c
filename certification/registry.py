"""The Green List as Protected Planet reads it: one CSV row per WDPA site, `site_id,status,expiry_date,url`
(GREENLIST.md, "Protected-area data"). The JSON feed (/green-list.json) carries every certificate's full
state; this file carries only the two statuses the registry knows.

Who is in it:
- "Green Listed": the area's newest certificate is active and its expiry date has not come (what the
  verification page calls valid). expiry_date: the certificate's `expires_on`.
- A suspended certificate is left out, and so is its site while suspended, even if a renewal cycle is
  under way: the registry can only say "Green Listed" or "Green List Candidate", and either would tell
  Protected Planet's readers something the verification page denies. The JSON feed still shows it
  as suspended. Withdrawn and expired certificates are left out too.
- "Green List Candidate": a site not listed (as above) whose newest assessment is in the candidate phase
  or later but not decided yet (`CANDIDATE_STATUSES`). expiry_date: the end of the five years the
  Standard gives a candidate (from the day it became one; `services.CANDIDATE_WINDOW_YEARS`).
- Areas without a WDPA id are left out: `site_id` is the WDPA id, and a row Protected Planet cannot
  match to one of its sites is of no use to it. Parcels of one WDPA site (41057_A, 41057_B) make one
  row: listed before candidate, then the later expiry.
- A multi-site application (assessments.sites, issue 16) gives one row per site, since Protected Planet's
  ids are per WDPA site: each added site takes its application's status and expiry date, and its url is
  the site's own public page (which says whose application it is part of). While the certificate is
  suspended, every site of it is left out.

Three queries, however many sites.
"""

from __future__ import annotations

import csv
import datetime
import io
from dataclasses import dataclass, field

from dateutil.relativedelta import relativedelta
from django.conf import settings
from django.db.models import Exists, Min, OuterRef, Q
from django.db.models.functions import Coalesce, TruncDate
from django.urls import reverse
from django.utils import timezone
from django.utils.text import slugify

from assessments.choices import Status
from assessments.models import Assessment
from assessments.sites import areas_by_assessment

from .choices import CertificateStatus
from .selectors import public_certificates
from .services import CANDIDATE_PHASES, CANDIDATE_WINDOW_YEARS, DECIDABLE

HEADER = ("site_id", "status", "expiry_date", "url")
LISTED = "Green Listed"
CANDIDATE = "Green List Candidate"
# A candidate stays one until the decision: recommended and not-recommended cycles await it too.
CANDIDATE_STATUSES = (*CANDIDATE_PHASES, *DECIDABLE)
# OWASP, "CSV Injection": a cell starting with one of these may run as a formula in a spreadsheet.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


@dataclass(frozen=True)
class RegistryRow:
    site_id: int
    status: str
    expiry_date: datetime.date
    url: str
    # The assessment the row comes from (its added sites get rows of their own).
    assessment_id: int | None = field(default=None, compare=False)

    def rank(self) -> tuple[bool, datetime.date]:
        return (self.status == LISTED, self.expiry_date)


def _certificate_rows(today: datetime.date) -> tuple[list[RegistryRow], set[int], set[int]]:
    """The listed rows, the WDPA ids of suspended sites (left out, candidates or not), and the
    assessments of the suspended certificates (their added sites are left out too)."""
    rows = (
        public_certificates(listed_only=True)
        .filter(expires_on__gt=today, protected_area__wdpa_id__isnull=False)
        .values_list(
            "protected_area_id",
            "protected_area__name",
            "protected_area__wdpa_id",
            "status",
            "expires_on",
            "decision__assessment_id",
        )
    )
    listed: list[RegistryRow] = []
    suspended: set[int] = set()
    suspended_assessments: set[int] = set()
    for area_id, name, wdpa_id, status, expires_on, assessment_id in rows:
        if wdpa_id is None:  # filtered out above: for the type checker
            continue
        if status == CertificateStatus.SUSPENDED:
            suspended.add(wdpa_id)
            suspended_assessments.add(assessment_id)
            continue
        url = settings.SITE_URL + reverse("certification:area", args=[area_id, slugify(name) or "area"])
        listed.append(RegistryRow(wdpa_id, LISTED, expires_on, url, assessment_id))
    return listed, suspended, suspended_assessments


def _candidate_rows() -> list[RegistryRow]:
    newer_cycle = Assessment.objects.filter(
        protected_area_id=OuterRef("protected_area_id"), cycle__gt=OuterRef("cycle")
    )
    rows = (
        Assessment.objects.filter(status__in=CANDIDATE_STATUSES, protected_area__wdpa_id__isnull=False)
        .filter(~Exists(newer_cycle))
        .annotate(
            # An assessment made straight into a later phase has no move into `candidate`: its creation counts.
            candidate_since=Coalesce(
                TruncDate(Min("transitions__at", filter=Q(transitions__to_status=Status.CANDIDATE))),
                TruncDate("created_at"),
            )
        )
        .values_list("protected_area_id", "protected_area__wdpa_id", "candidate_since", "pk")
        .order_by("protected_area_id")
    )
    return [
        RegistryRow(
            wdpa_id,
            CANDIDATE,
            since + relativedelta(years=CANDIDATE_WINDOW_YEARS),
            settings.SITE_URL + reverse("protected_areas:detail", args=[area_id]),
            assessment_id,
        )
        for area_id, wdpa_id, since, assessment_id in rows
        if wdpa_id is not None  # filtered out above: for the type checker
    ]


def protected_planet_rows(*, today: datetime.date | None = None) -> list[RegistryRow]:
    """The registry's rows, one per WDPA id, by WDPA id (see the module's docstring for who is in)."""
    today = today or timezone.localdate()
    listed, suspended, suspended_assessments = _certificate_rows(today)
    rows = listed + _candidate_rows()
    added, added_suspended = _added_site_rows(rows, suspended_assessments)
    suspended |= added_suspended
    best: dict[int, RegistryRow] = {}
    for row in [r for r in rows + added if r.status == LISTED or r.site_id not in suspended]:
        if row.site_id not in best or row.rank() > best[row.site_id].rank():
            best[row.site_id] = row
    return [best[site_id] for site_id in sorted(best)]


def _added_site_rows(rows: list[RegistryRow], suspended_assessments: set[int]) -> tuple[list[RegistryRow], set[int]]:
    """A row per added site of the rows' multi-site applications (their status and expiry), and the WDPA
    ids of the added sites of suspended certificates. One query."""
    wanted = {r.assessment_id for r in rows if r.assessment_id is not None} | suspended_assessments
    added = areas_by_assessment(sorted(wanted)) if wanted else {}
    extra = [
        RegistryRow(
            area.wdpa_id,
            row.status,
            row.expiry_date,
            settings.SITE_URL + reverse("protected_areas:detail", args=[area.pk]),
            row.assessment_id,
        )
        for row in rows
        for area in added.get(row.assessment_id or 0, [])
        if area.wdpa_id is not None
    ]
    suspended = {area.wdpa_id for a in suspended_assessments for area in added.get(a, []) if area.wdpa_id is not None}
    return extra, suspended


def csv_cell(value: object) -> str:
    """A cell a spreadsheet shows as text, never runs (OWASP: prefix a formula's first character with
    a single quote; the csv writer then quotes the cell where needed)."""
    text = str(value)
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def protected_planet_csv(rows: list[RegistryRow]) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(HEADER)
    for row in rows:
        writer.writerow([csv_cell(v) for v in (row.site_id, row.status, row.expiry_date.isoformat(), row.url)])
    return out.getvalue()
