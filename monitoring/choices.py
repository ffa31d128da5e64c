from django.db import models
from django.utils.translation import gettext_lazy as _


class DatasetKind(models.TextChoices):
    CAMTRAP = "camtrap", _("Camera traps (Camtrap DP)")
    FOREST = "forest", _("Forest loss (Hansen Global Forest Change)")
    OCCURRENCES = "occurrences", _("Species occurrences (Darwin Core Archive)")
    ACOUSTIC = "acoustic", _("Acoustic detections (BirdNET, Raven, Audacity)")


class DatasetStatus(models.TextChoices):
    RECEIVED = "received", _("Received")
    PROCESSING = "processing", _("Processing")
    READY = "ready", _("Ready")
    FAILED = "failed", _("Failed")


class Metric(models.TextChoices):
    DETECTION_RATE = "detection_rate", _("Detection rate (per 100 trap-nights)")
    NAIVE_OCCUPANCY = "naive_occupancy", _("Naive occupancy")
    RECORD_COUNT = "record_count", _("Records")
    SPECIES_RICHNESS = "species_richness", _("Species richness")
    DETECTIONS_PER_HOUR = "detections_per_hour", _("Detections per recording hour")
    FOREST_LOSS_HA = "forest_loss_ha", _("Forest loss (ha)")
    FOREST_LOSS_PCT = "forest_loss_pct", _("Forest loss (% of 2000 cover)")


class Zone(models.TextChoices):
    INSIDE = "inside", _("Inside the boundary")
    BUFFER = "buffer", _("Buffer ring outside the boundary")


class EffortUnit(models.TextChoices):
    TRAP_NIGHTS = "trap-nights", _("trap-nights")
    DEPLOYMENTS = "deployments", _("deployments")
    RECORDING_HOURS = "recording-hours", _("recording hours")
    RECORDS = "records", _("records")
    HA_2000_COVER = "ha-of-2000-cover", _("ha of 2000 tree cover")


class PointKind(models.TextChoices):
    DEPLOYMENT = "deployment", _("Camera deployment")
    RECORD = "record", _("Species record")
    LOSS = "loss", _("Forest loss")


class NotComparable(models.TextChoices):
    """Why a value is not to be compared with other periods (its `comparable` is false)."""

    EFFORT = "effort", _("the effort behind the value is too low")
    SITES = "sites", _("the cameras stood at other sites than in the other years")
    COVERAGE = "coverage", _("the raster covers only part of the zone")
