from django.contrib.auth.backends import ModelBackend

from . import rules


class RoleBackend(ModelBackend):
    """E-mail login; Django admin permissions follow the person's roles (accounts.rules.admin_permission).

    IUCN staff may edit the allow-listed domain apps and view people, roles, the audit trail and
    the outbox; everything else (tokens, second factors, sessions, groups...) is administrators'.
    """

    def authenticate(self, request, username=None, password=None, **kwargs):
        if username:
            username = username.strip().lower()
        return super().authenticate(request, username=username, password=password, **kwargs)

    def has_perm(self, user_obj, perm, obj=None):
        return rules.admin_permission(user_obj, perm)

    def has_module_perms(self, user_obj, app_label):
        return rules.admin_module_visible(user_obj, app_label)
