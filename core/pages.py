"""Helpers shared by the server-rendered pages (the API's counterpart is core.api).

A page answers a refused action as the API does: `NotAllowed` (the person may see the object but
their role does not allow this) is a 403 with the rule's message, through
core.middleware.NotAllowedMiddleware and templates/403.html. A form error (400) or a redirect back
(302) would hide that nothing can be done. An impossible move of a lifecycle
(`core.workflow.ImpossibleMove`: nothing leads from this phase to that one) is a 409 page, as on the
API. Other `DomainError`s (invalid input, a guard's reason, someone else's edit) stay with the view:
shown beside the field or flashed.
"""

from django.contrib import messages

from .errors import DomainError, NotAllowed
from .workflow import ImpossibleMove


def refuse_if_not_allowed(exc: DomainError) -> None:
    """Raise `exc` again when it is a `NotAllowed` (the answer becomes the 403 page) or an
    `ImpossibleMove` (the 409 page, as the API answers); else return, and the view shows the
    message as it does for any refused form."""
    if isinstance(exc, NotAllowed | ImpossibleMove):
        raise exc


def flash_error(request, exc: DomainError) -> None:
    """For a view that redirects back after a refused action: flash the message, unless the
    person's role does not allow the action at all (then 403, see `refuse_if_not_allowed`)."""
    refuse_if_not_allowed(exc)
    messages.error(request, exc.message)
