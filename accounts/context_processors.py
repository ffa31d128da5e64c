from . import rules


def roles(request):
    """Expose the person's active roles to templates (navigation by role)."""
    user = getattr(request, "user", None)
    active = rules.active_roles(user)
    return {"roles": active, "role_names": active.names}
