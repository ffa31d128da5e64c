"""Expected failures of business rules, each with a stable machine-readable code."""


class DomainError(Exception):
    """A business rule refused an action. Views show `message`; the API returns `code`."""

    http_status = 400

    def __init__(self, code: str, message: str, *, field: str | None = None):
        super().__init__(message)
        self.code = code
        self.message = message
        self.field = field


class NotAllowed(DomainError):
    http_status = 403


class Conflict(DomainError):
    """The object changed or is in a state that forbids the action (HTTP 409)."""

    http_status = 409
