"""Multi-site applications (issue 16): the sites an assessment covers besides its main site.

GREENLIST.md: one application may cover several sites that each meet the definition and are
ecologically connected and share key values. The platform keeps one assessment for them all (one
set of answers and evidence, one eligibility gate, one decision, one certificate naming every site);
each added site carries the applicant's statement of how it is connected and which key values it
shares. Writes (`site_add`, `site_remove`) and reads (`application_areas`, `areas_by_assessment`,
`sites_map`) of the concept live here.

The rule that one protected area is in at most one open application: an area that is the main site
of an open assessment, or an added site of one, cannot be added to another, and a new cycle of an
area that an open application covers is refused (`assessments.services.assessment_create`). Two
open applications covering one area would hold two sets of answers and evidence about it and could
end in two decisions, and two certificates, for the same WDPA site (Protected Planet reads one
status per site). The check runs under a lock on the area's row, the same lock a new cycle takes,
so two requests cannot both pass it.
"""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from accounts.models import User
from accounts.types import Person
from audit.services import audit_record
from core.errors import Conflict, DomainError, NotAllowed
from core.text import too_long_message
from protected_areas.models import ProtectedArea

from . import error_codes, rules
from .choices import Status
from .models import CONNECTION_MAX, Assessment, AssessmentSite
from .selectors import open_application_covering

# The phase in which sites are added and removed: the application phase, which the eligibility gate
# closes (eligibility checks every site's WDPA record; a site added later would skip it).
SITES_EDITABLE_STATUS = Status.APPLICATION


def sites_editable(assessment: Assessment) -> bool:
    return assessment.status == SITES_EDITABLE_STATUS


def check_may_change(assessment: Assessment, by: Person) -> None:
    """The rule (403) and the phase (409), which pages and the API check before reading the form."""
    if not rules.can_change_application_sites(by, assessment):
        raise NotAllowed(
            error_codes.SITES_NOT_ALLOWED,
            _("Only the site team and IUCN staff can change the sites of an application."),
        )
    if not sites_editable(assessment):
        raise Conflict(
            error_codes.SITES_PHASE_CLOSED,
            _("Sites can be added or removed only in the application phase; this assessment is “%(phase)s”.")
            % {"phase": assessment.get_status_display()},
        )


def check_not_evaluated(locked: Assessment) -> None:
    """Sites are fixed once the group has evaluated the application (any record of the gate): the
    evaluation and the reviewer's check judged these sites, and a site added or removed afterwards
    would pass the gate unjudged. Called under the assessment's lock, as the records' writer takes it."""
    if locked.eligibility_records.exists():
        raise Conflict(
            error_codes.SITES_EVALUATED,
            _("The expert group has evaluated the application as it is: its sites can no longer be added or removed."),
        )


def clean_statement(value: Any, *, field: str) -> str:
    """A connection statement: required, at most CONNECTION_MAX characters."""
    text = (value or "").replace("\r\n", "\n").strip() if isinstance(value, str) else ""
    if not text:
        raise DomainError(
            error_codes.SITE_STATEMENT_MISSING,
            _("Say how the site is connected to the others and which key values they share."),
            field=field,
        )
    if len(text) > CONNECTION_MAX:
        raise DomainError(
            error_codes.FIELD_TOO_LONG,
            too_long_message(len(text), CONNECTION_MAX),
            field=field,
        )
    return text


def site_add(
    *, assessment: Assessment, area: ProtectedArea, by: User, connection: Any, shared_values: Any
) -> AssessmentSite:
    """Add `area` to the application, with the applicant's statements."""
    check_may_change(assessment, by)
    if not rules.can_add_area_as_site(by, area.pk):
        raise NotAllowed(
            error_codes.SITE_NOT_MANAGED,
            _(
                "Your team does not manage %(site)s: a site team can add only the sites it manages; ask IUCN "
                "staff to add a site your team does not manage."
            )
            % {"site": area.name},
        )
    connection = clean_statement(connection, field="connection")
    shared_values = clean_statement(shared_values, field="shared_values")
    if area.pk == assessment.protected_area_id:
        raise DomainError(
            error_codes.SITE_IS_MAIN,
            _("%(site)s is the application's main site already.") % {"site": area.name},
            field="protected_area",
        )
    with transaction.atomic():
        locked = Assessment.objects.select_for_update().get(pk=assessment.pk)
        check_may_change(locked, by)  # the phase again, under the lock
        check_not_evaluated(locked)
        # The area's row is the lock a new cycle of it takes too (assessment_create).
        ProtectedArea.objects.select_for_update().filter(pk=area.pk).first()
        if AssessmentSite.objects.filter(assessment=locked, protected_area=area).exists():
            raise Conflict(
                error_codes.SITE_ALREADY_ADDED,
                _("%(site)s is already one of the application's sites.") % {"site": area.name},
                field="protected_area",
            )
        holder = open_application_covering(area, exclude=locked.pk)
        if holder is not None:
            raise Conflict(
                error_codes.SITE_IN_OPEN_APPLICATION,
                _(
                    "%(site)s is already covered by another open application: one site can be in only one open "
                    "application at a time."
                )
                % {"site": area.name},
                field="protected_area",
            )
        site = AssessmentSite.objects.create(
            assessment=locked, protected_area=area, connection=connection, shared_values=shared_values, added_by=by
        )
        audit_record(
            actor=by,
            action="assessment.site_added",
            target=locked,
            data={"site": site.pk, "protected_area": area.pk, "wdpa_id": area.wdpa_id},
        )
    return site


def site_remove(*, site: AssessmentSite, by: User) -> None:
    assessment = site.assessment
    check_may_change(assessment, by)
    with transaction.atomic():
        locked = Assessment.objects.select_for_update().get(pk=assessment.pk)
        check_may_change(locked, by)
        check_not_evaluated(locked)
        audit_record(
            actor=by,
            action="assessment.site_removed",
            target=locked,
            data={"site": site.pk, "protected_area": site.protected_area_id},
        )
        site.delete()


def find_area(*, pk: Any = None, wdpa_id: Any = None) -> ProtectedArea:
    """The protected area named by the platform's id or by its WDPA id, or a 400 that says so. Each
    added site must be a protected area in the platform (its WDPA record is what eligibility reads)."""
    found = None
    try:
        # Numbers beyond a database integer are nobody's id (and would be a database error).
        if pk not in (None, "") and 0 < int(pk) < 2**31:
            found = ProtectedArea.objects.filter(pk=int(pk)).first()
        elif pk in (None, "") and wdpa_id not in (None, "") and 0 < int(wdpa_id) < 2**63:
            found = ProtectedArea.objects.filter(wdpa_id=int(wdpa_id)).order_by("pk").first()
    except (TypeError, ValueError):
        found = None
    if found is None:
        raise DomainError(
            error_codes.SITE_AREA_NOT_FOUND,
            _("No protected area with this id is in the platform: its WDPA record must be imported first."),
            field="wdpa_id" if pk in (None, "") else "protected_area",
        )
    return found


# --- reads ---------------------------------------------------------------------------------------


def application_sites(assessment: Assessment) -> list[AssessmentSite]:
    """The added sites with their areas (one query)."""
    return list(
        AssessmentSite.objects.filter(assessment_id=assessment.pk)
        .select_related("protected_area")
        .order_by("protected_area__name", "id")
    )


def application_areas(assessment: Assessment) -> list[ProtectedArea]:
    """Every site of the application: the main site first, then the added ones by name."""
    return [assessment.protected_area, *(s.protected_area for s in application_sites(assessment))]


def areas_by_assessment(assessment_ids: list[int]) -> dict[int, list[ProtectedArea]]:
    """The added sites' areas of many assessments in one query (lists, feeds), by assessment id."""
    found: dict[int, list[ProtectedArea]] = {}
    rows = (
        AssessmentSite.objects.filter(assessment_id__in=assessment_ids)
        .select_related("protected_area")
        .order_by("protected_area__name", "id")
    )
    for row in rows:
        found.setdefault(row.assessment_id, []).append(row.protected_area)
    return found


def get_site(assessment: Assessment, pk: Any) -> AssessmentSite:
    """One added site of this assessment, or 404 (an id of another assessment's site included)."""
    from django.http import Http404

    try:
        return AssessmentSite.objects.select_related("protected_area", "assessment").get(
            pk=int(pk), assessment_id=assessment.pk
        )
    except (AssessmentSite.DoesNotExist, ValueError, TypeError):
        raise Http404("No such site in this application.") from None


def sites_map(assessment: Assessment, sites: list[AssessmentSite] | None = None) -> dict[str, Any]:
    """A GeoJSON FeatureCollection of every site's boundary (its simplified display boundary, as the
    area's own page draws), or its point when it has none, each named (`name`, `main`)."""
    import json

    sites = application_sites(assessment) if sites is None else sites
    areas = [(assessment.protected_area, True), *((s.protected_area, False) for s in sites)]
    features = []
    for area, main in areas:
        geometry = area.geom_display or area.geom or area.point
        if geometry is None:
            continue
        features.append(
            {
                "type": "Feature",
                "id": area.pk,
                "geometry": json.loads(geometry.geojson),
                "properties": {"name": area.name, "main": main},
            }
        )
    return {"type": "FeatureCollection", "features": features}
