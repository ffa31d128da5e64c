from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    SITE_MANAGER = "site_manager", _("Site manager")
    EXPERT = "expert", _("Expert (EAGL member)")
    INDEPENDENT_REVIEWER = "independent_reviewer", _("Independent reviewer")
    IUCN_STAFF = "iucn_staff", _("IUCN staff")
    STANDARD_COMMITTEE = "standard_committee", _("Standard Committee member")
    ADMINISTRATOR = "administrator", _("Administrator")


# Which scope each role is held in: a protected area, a jurisdiction, or the whole platform.
ROLE_SCOPE = {
    Role.SITE_MANAGER: "protected_area",
    Role.EXPERT: "jurisdiction",
    Role.INDEPENDENT_REVIEWER: None,
    Role.IUCN_STAFF: None,
    Role.STANDARD_COMMITTEE: None,
    Role.ADMINISTRATOR: None,
}

# Roles held on an accreditation (with an end date staff renew): the members of a jurisdiction's
# Expert Assessment Group and the independent reviewers.
ACCREDITED_ROLES = (Role.EXPERT, Role.INDEPENDENT_REVIEWER)
