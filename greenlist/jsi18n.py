"""The JavaScript message catalogue (Django's JavaScriptCatalog) for the platform's own scripts.

The page names its language in the address (`?l=fr`), so that a cached catalogue is always the one the
page was drawn in, whatever the cookie says by the time the script loads.
"""

from django.conf import settings
from django.utils import translation
from django.utils.decorators import method_decorator
from django.views.decorators.cache import cache_control
from django.views.i18n import JavaScriptCatalog

LANGUAGE_CODES = {code for code, _name in settings.LANGUAGES}


@method_decorator(cache_control(max_age=3600, public=True), name="get")
class PlatformJavaScriptCatalog(JavaScriptCatalog):
    # djangojs catalogues of every app (the project's own locale/ and the apps' locale/ dirs).
    packages = None

    def get(self, request, *args, **kwargs):
        language = request.GET.get("l", "")
        if language in LANGUAGE_CODES:
            with translation.override(language):
                return super().get(request, *args, **kwargs)
        return super().get(request, *args, **kwargs)
