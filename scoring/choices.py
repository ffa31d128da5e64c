from django.db import models
from django.utils.translation import gettext_lazy as _


class ScoreKind(models.TextChoices):
    SELF = "self", _("Self-assessment (site team)")
    EXPERT = "expert", _("Expert group findings")
