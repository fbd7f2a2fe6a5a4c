"""Domain errors, defined once. `api.py` maps each to one HTTP status and a problem+json body."""

from __future__ import annotations


class DomainError(Exception):
    status = 400
    headers: dict[str, str]

    def __init__(self, detail: str, headers: dict[str, str] | None = None) -> None:
        super().__init__(detail)
        self.detail = detail
        self.headers = headers or {}


class BadRequest(DomainError):
    status = 400


class Unauthorized(DomainError):
    status = 401

    def __init__(self, detail: str = "authentication required") -> None:
        super().__init__(detail, {"WWW-Authenticate": 'Bearer realm="taskforge"'})


class Forbidden(DomainError):
    status = 403


class NotFound(DomainError):
    status = 404


class Conflict(DomainError):
    status = 409


class Gone(DomainError):
    status = 410


class PreconditionFailed(DomainError):
    status = 412


class Unprocessable(DomainError):
    status = 422


class PreconditionRequired(DomainError):
    status = 428


class RateLimited(DomainError):
    status = 429

    def __init__(self, detail: str, retry_after_seconds: int) -> None:
        super().__init__(detail, {"Retry-After": str(max(1, retry_after_seconds))})


class ServiceUnavailable(DomainError):
    status = 503

    def __init__(
        self, detail: str = "the database is unavailable; retry shortly", retry_after_seconds: int = 5
    ) -> None:
        super().__init__(detail, {"Retry-After": str(retry_after_seconds)})
