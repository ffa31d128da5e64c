from django.db import models
from django.utils.translation import gettext_lazy as _


class Sensitivity(models.TextChoices):
    PUBLIC = "public", _("Public")
    REVIEWERS = "reviewers", _("Site team and reviewers")
    SITE_TEAM = "site_team", _("Site team only")


class ProcessingStatus(models.TextChoices):
    PENDING = "pending", _("Pending")
    PROCESSING = "processing", _("Processing")
    READY = "ready", _("Ready")
    FAILED = "failed", _("Failed")


class Kind(models.TextChoices):
    """What the content turned out to be (sniffed from the bytes, not the name)."""

    UNKNOWN = "unknown", _("Not yet known")
    IMAGE = "image", _("Image")
    PDF = "pdf", _("PDF document")
    OFFICE = "office", _("Office document")
    TEXT = "text", _("Text")
    GEODATA = "geodata", _("Geodata")
    RASTER = "raster", _("Raster")
    CAMERA_TRAP = "camera_trap", _("Camera-trap package")
    ARCHIVE = "archive", _("Archive")
    REJECTED = "rejected", _("Rejected")


class LocationCheck(models.TextChoices):
    INSIDE = "inside", _("Inside the site")
    OUTSIDE = "outside", _("Outside the site")
    NONE = "none", _("No location")


class Duplicate(models.TextChoices):
    # No "same file as another site's evidence": it told a site team what another site holds.
    NONE = "", _("Not a duplicate")
    SAME_SITE = "same_site", _("Same file already evidence of this site")
