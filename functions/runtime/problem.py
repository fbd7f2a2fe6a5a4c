"""RFC 9457 problem details: the one error body the runtime ever writes."""

from __future__ import annotations

import json
from http import HTTPStatus

from .http_results import HttpResponse

PROBLEM_JSON = "application/problem+json"


# What every answer of ours carries, including the runtime's own (413, 502...); the API
# wrapper (functions/platform/api.py) adds the same to every function's answers.
SECURITY_HEADERS = {
    "Strict-Transport-Security": "max-age=63072000; includeSubDomains",
    "X-Content-Type-Options": "nosniff",
    "Content-Security-Policy": "default-src 'none'; frame-ancestors 'none'",
    "Referrer-Policy": "no-referrer",
    "Cache-Control": "no-store",
}


def problem(
    status: int, detail: str, request_id: str | None = None, headers: list[tuple[str, str]] | None = None
) -> HttpResponse:
    body = {"type": "about:blank", "title": HTTPStatus(status).phrase, "status": status, "detail": detail}
    if request_id:
        body["request_id"] = request_id
    return HttpResponse(
        status=status,
        headers=[("Content-Type", PROBLEM_JSON), *SECURITY_HEADERS.items(), *(headers or [])],
        body=json.dumps(body).encode(),
    )
