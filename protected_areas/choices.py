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
