from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "accounts"
    verbose_name = "Accounts and roles"

    def ready(self):
        # Connects the login signal that starts a session's idle and absolute clocks.
        from . import sessions  # noqa: F401
