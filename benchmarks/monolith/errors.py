"""Errors as problem+json (RFC 9457), the shape TaskForge answers with."""

from __future__ import annotations

import json
from http import HTTPStatus
from typing import Any

from flask import Response

PROBLEM_JSON = "application/problem+json"


class ApiError(Exception):
    def __init__(self, status: int, detail: str, headers: dict[str, str] | None = None, **extensions: Any) -> None:
        super().__init__(detail)
        self.status = status
        self.detail = detail
        self.headers = headers or {}
        self.extensions = extensions


def unauthorized(detail: str = "authentication required") -> ApiError:
    return ApiError(401, detail, {"WWW-Authenticate": 'Bearer realm="taskforge"'})


def problem(status: int, detail: str, headers: dict[str, str] | None = None, **extensions: Any) -> Response:
    body = {"type": "about:blank", "title": HTTPStatus(status).phrase, "status": status, "detail": detail}
    return Response(json.dumps({**body, **extensions}), status=status, mimetype=PROBLEM_JSON, headers=headers or {})
