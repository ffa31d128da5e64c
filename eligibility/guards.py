"""What the assessment lifecycle needs from this app: the guard on application → candidate.

assessments sits below eligibility (docs/architecture.md), so its workflow cannot read the gate;
this app hands the guard over when Django starts (eligibility.apps), and the engine refuses the
move if it never did (core.workflow, `provided_guards`). Pages, the API and services all move
through that one engine, so all of them obey it.
"""

from __future__ import annotations

from django.utils.translation import gettext as _

from assessments.models import Assessment
from core.errors import Conflict

from . import error_codes
from .selectors import gate_state


def guard_eligibility_established(assessment: Assessment, target: str) -> None:
    """The group found the site eligible and the independent reviewer confirmed it, or IUCN staff
    recorded an override."""
    state = gate_state(assessment, with_details=False)
    if state.established:
        return
    raise Conflict(
        error_codes.ELIGIBILITY_NOT_ESTABLISHED,
        " ".join(
            [
                _("The site cannot become a candidate yet:"),
                *(str(m.text) for m in state.missing),
                _("(Or IUCN staff record an override with a reason on the eligibility page.)"),
            ]
        ),
        data={"missing": [m.code for m in state.missing]},
    )
