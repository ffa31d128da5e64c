from . import rules
from .choices import Role


def roles(request):
    """Expose the person's active roles to templates (navigation by role)."""
    user = getattr(request, "user", None)
    active = rules.active_roles(user)
    return {"roles": active, "role_names": active.names, "role_labels": [Role(name).label for name in active.names]}
