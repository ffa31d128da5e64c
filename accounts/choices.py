from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    SITE_MANAGER = "site_manager", _("Site manager")
    EXPERT = "expert", _("Expert (EAGL member)")
    INDEPENDENT_REVIEWER = "independent_reviewer", _("Independent reviewer")
    IUCN_STAFF = "iucn_staff", _("IUCN staff")
    STANDARD_COMMITTEE = "standard_committee", _("Standard Committee member")
    ADMINISTRATOR = "administrator", _("Administrator")
    # The IUCN Green List Panel decides on listing (issue 16). The chair is a role of its own, not
    # RoleAssignment.is_chair: that flag, its form field and its scope check belong to a
    # jurisdiction's expert group, while the Panel is one platform-wide body. A chair is a member.
    PANEL_MEMBER = "panel_member", _("Green List Panel member")
    PANEL_CHAIR = "panel_chair", _("Green List Panel chair")


# Which scope each role is held in: a protected area, a jurisdiction, or the whole platform.
ROLE_SCOPE = {
    Role.SITE_MANAGER: "protected_area",
    Role.EXPERT: "jurisdiction",
    Role.INDEPENDENT_REVIEWER: None,
    Role.IUCN_STAFF: None,
    Role.STANDARD_COMMITTEE: None,
    Role.ADMINISTRATOR: None,
    Role.PANEL_MEMBER: None,
    Role.PANEL_CHAIR: None,
}

# Roles held on an accreditation (with an end date staff renew): the members of a jurisdiction's
# Expert Assessment Group and the independent reviewers.
ACCREDITED_ROLES = (Role.EXPERT, Role.INDEPENDENT_REVIEWER)


class ExportStatus(models.TextChoices):
    """Where a person's download of their own data stands (accounts.export_workflow moves it)."""

    REQUESTED = "requested", _("Requested")
    BUILDING = "building", _("Being prepared")
    READY = "ready", _("Ready to download")
    FAILED = "failed", _("Failed")
    EXPIRED = "expired", _("Expired")
