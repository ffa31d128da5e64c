from django.contrib.auth.backends import ModelBackend

from . import rules


class RoleBackend(ModelBackend):
    """E-mail login; Django admin permissions follow the person's roles.

    IUCN staff may view and edit the domain through the admin; the audit trail and role
    assignments stay view-only for them (administrators may do everything).
    """

    _STAFF_READ_ONLY_APPS = {"audit", "accounts"}

    def authenticate(self, request, username=None, password=None, **kwargs):
        if username:
            username = username.strip().lower()
        return super().authenticate(request, username=username, password=password, **kwargs)

    def has_perm(self, user_obj, perm, obj=None):
        if not user_obj.is_active:
            return False
        if rules.is_administrator(user_obj):
            return True
        if rules.is_iucn_staff(user_obj):
            app_label, _, codename = perm.partition(".")
            if app_label in self._STAFF_READ_ONLY_APPS:
                return codename.startswith("view_")
            return not codename.startswith("delete_")
        return False

    def has_module_perms(self, user_obj, app_label):
        return user_obj.is_active and rules.is_iucn_staff(user_obj)
