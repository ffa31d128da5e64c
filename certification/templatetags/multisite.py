"""Multi-site applications on the certificate's pages and the sites' public pages (issue 16).

`{% certificate_sites certificate as sites %}`: the other sites a certificate names (its application's
added sites, assessments.sites), for the certificate page, its PDF, the verification page and the
Green List page. `{% application_membership area %}`: on an added site's own public page, whose
application it is part of and, once listed, the certificate that names it. Template tags, so that
those views (and protected_areas, below assessments) need not know of multi-site applications.
"""

from __future__ import annotations

from django import template
from django.urls import reverse
from django.utils.html import format_html
from django.utils.text import slugify
from django.utils.translation import gettext as _

from assessments.choices import Status
from assessments.models import AssessmentSite
from assessments.sites import areas_by_assessment

from ..choices import CertificateStatus
from ..models import Certificate

register = template.Library()


@register.simple_tag
def certificate_sites(certificate) -> list:
    """The other protected areas the certificate names, by name (one query; none for a one-site one)."""
    if certificate is None:
        return []
    assessment_id = certificate.decision.assessment_id
    return areas_by_assessment([assessment_id]).get(assessment_id, [])


@register.simple_tag
def application_membership(area) -> str:
    """A notice on an added site's page: part of the application of its main site; listed with it when
    the application's certificate is active. Empty for a site in no application as an added site."""
    if area is None:
        return ""
    # Only once the application has passed the eligibility gate (candidate or later): before that it
    # is the applicant's claim, which nobody has reviewed yet, and no public page repeats it.
    site = (
        AssessmentSite.objects.filter(protected_area_id=area.pk)
        .exclude(assessment__status=Status.APPLICATION)
        .select_related("assessment__protected_area")
        .order_by("-assessment__cycle", "-pk")
        .first()
    )
    if site is None:
        return ""
    main = site.assessment.protected_area
    certificate = (
        Certificate.objects.filter(decision__assessment_id=site.assessment_id).order_by("-granted_on", "-pk").first()
    )
    if certificate is not None and certificate.status == CertificateStatus.ACTIVE:
        return format_html(
            '<p class="notice" id="application-membership">{} <a href="{}">{}</a></p>',
            _("Green Listed as part of a multi-site application:"),
            reverse("certification:area", args=[main.pk, slugify(main.name) or "area"]),
            _("%(site)s and its connected sites (certificate %(number)s)")
            % {"site": main.name, "number": certificate.number},
        )
    if site.assessment.status == Status.DECIDED:
        return ""  # decided without a certificate in force: nothing public to say
    return format_html(
        '<p class="notice" id="application-membership">{}</p>',
        _("Part of the multi-site Green List application of %(site)s.") % {"site": main.name},
    )
