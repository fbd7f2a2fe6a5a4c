"""Handlers that the runtime's configuration tests import by name."""

from __future__ import annotations

from typing import Any

NOT_CALLABLE = {"statusCode": 200}


def handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    return {"statusCode": 200, "body": "ok"}
