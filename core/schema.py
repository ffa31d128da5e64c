"""The API schema's class: drf-spectacular's, documenting every operation's error answers.

Apart from core.api because drf-spectacular's module imports DRF's views, whose settings import
core.api (the parser): core.api must not import it back.
"""

from drf_spectacular import openapi
from drf_spectacular.utils import OpenApiResponse
from rest_framework import permissions

from .api import ErrorSerializer


class AutoSchema(openapi.AutoSchema):
    """drf-spectacular's schema class, documenting every operation's error answers with the one
    `ErrorSerializer`, as far as the view's shape tells them: 400 for writes and for operations
    with query parameters (filters, `page`), 401 where the first authentication asks for it, 403
    always (refused, or two-factor login unfinished), 404 on paths with an id or a `page`, 429
    where the view throttles. A view that declares a status itself (a 409 of a lifecycle, a 404
    with its own wording) keeps its declaration.

    `_get_response_bodies` is drf-spectacular's own step (pinned in requirements.txt): overriding
    it adds the errors after the view's declared responses, whatever shape those take."""

    WRITES = {"POST", "PUT", "PATCH", "DELETE"}

    def _get_response_bodies(self, direction="response"):
        responses = super()._get_response_bodies(direction)
        for code, description in self._error_statuses():
            if str(code) not in responses:
                responses[str(code)] = self._get_response_for_code(
                    OpenApiResponse(ErrorSerializer, description=description), str(code), direction=direction
                )
        return dict(sorted(responses.items()))

    def _error_statuses(self):
        view = self.view
        query = {p["name"] for p in self._get_parameters() if p["in"] == "query"}
        if self.method in self.WRITES or query:
            yield 400, "Invalid input or a refused rule (stable `code`)"
        authenticators = view.get_authenticators()
        if authenticators and authenticators[0].authenticate_header(view.request):
            yield 401, "Not authenticated, or the token is invalid"
        public = all(isinstance(p, permissions.AllowAny) for p in view.get_permissions())
        if not public or authenticators:
            # A token that is refused counts on public operations too, when they read credentials.
            yield 403, "Not allowed, or not authenticated (no credentials, or a token refused)"
        else:
            # accounts.two_factor answers before any view: a browser session whose two-factor
            # login is unfinished gets 403 even where no credentials are needed.
            yield 403, "A browser session whose two-factor login is unfinished (code `two_factor_required`)"
        if "{" in self.path:
            yield 404, "Not found, or not visible to you" + (" (or no such page)" if "page" in query else "")
        elif "page" in query:
            yield 404, "No such page: past the last one"
        if view.get_throttles():
            yield 429, "Too many requests: try again later"
