from django.db import models
from django.utils.translation import gettext_lazy as _


class SiteType(models.TextChoices):
    PROTECTED_AREA = "PA", _("Protected area")
    OECM = "OECM", _("OECM")


class IucnCategory(models.TextChoices):
    IA = "Ia", "Ia"
    IB = "Ib", "Ib"
    II = "II", "II"
    III = "III", "III"
    IV = "IV", "IV"
    V = "V", "V"
    VI = "VI", "VI"
    NOT_REPORTED = "Not Reported", _("Not Reported")
    NOT_APPLICABLE = "Not Applicable", _("Not Applicable")
    NOT_ASSIGNED = "Not Assigned", _("Not Assigned")


class Realm(models.TextChoices):
    TERRESTRIAL = "terrestrial", _("Terrestrial")
    COASTAL = "coastal", _("Coastal")
    MARINE = "marine", _("Marine")


class DesignationType(models.TextChoices):
    NATIONAL = "National", _("National")
    REGIONAL = "Regional", _("Regional")
    INTERNATIONAL = "International", _("International")
    NOT_APPLICABLE = "Not Applicable", _("Not Applicable")


class GovernanceType(models.TextChoices):
    """The WDPA's governance types (GOV_TYPE, as its manual lists them). Not the field's choices: a
    national data set may carry words of its own, kept and shown as they are (`governance_label`)."""

    NATIONAL = "Federal or national ministry or agency", _("Federal or national ministry or agency")
    SUB_NATIONAL = "Sub-national ministry or agency", _("Sub-national ministry or agency")
    DELEGATED = "Government-delegated management", _("Government-delegated management")
    TRANSBOUNDARY = "Transboundary governance", _("Transboundary governance")
    COLLABORATIVE = "Collaborative governance", _("Collaborative governance")
    JOINT = "Joint governance", _("Joint governance")
    INDIVIDUALS = "Individual landowners", _("Individual landowners")
    NON_PROFIT = "Non-profit organisations", _("Non-profit organisations")
    FOR_PROFIT = "For-profit organisations", _("For-profit organisations")
    INDIGENOUS_PEOPLES = "Indigenous peoples", _("Indigenous peoples")
    LOCAL_COMMUNITIES = "Local communities", _("Local communities")
    NOT_REPORTED = "Not Reported", _("Not Reported")


def _folded(value: str) -> str:
    # WDPA releases and copies of them differ in case ("Indigenous Peoples") and in spelling
    # ("Non-profit organizations" in some of its documentation).
    return value.strip().casefold().replace("organizations", "organisations")


_GOVERNANCE_BY_FOLDED = {_folded(value): label for value, label in GovernanceType.choices}


def governance_label(value: str) -> str:
    """A stored governance type in the reader's language when it is one of the WDPA's, else as it is."""
    label = _GOVERNANCE_BY_FOLDED.get(_folded(value or ""))
    return str(label) if label is not None else value
