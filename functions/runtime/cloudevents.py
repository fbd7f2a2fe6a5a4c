"""CloudEvent (HTTP binary or structured mode) → EventBridge-shaped event.

Knative delivers events as CloudEvents; Lambda handlers expect EventBridge events.
The mapping keeps every attribute a Powertools `EventBridgeModel` requires and puts
the original CloudEvent attributes under `cloudevent` for handlers that want them.
A Knative PingSource tick becomes a "Scheduled Event", as an EventBridge rule sends.
"""

from __future__ import annotations

import base64
import binascii
import json
import re
from datetime import UTC, datetime
from typing import Any

PING_TYPE = "dev.knative.sources.ping"
REQUIRED_ATTRIBUTES = frozenset({"id", "source", "type", "specversion"})
_JSON_MEDIA = re.compile(r"^(application|text)/([a-z0-9.+-]*\+)?json(;.*)?$", re.IGNORECASE)


class MalformedCloudEvent(Exception):
    """Not a valid CloudEvent: the sender must not retry it (HTTP 400)."""


def is_cloudevent(headers: dict[str, str]) -> bool:
    """Binary mode carries ce-specversion; structured mode a cloudevents media type."""
    content_type = headers.get("content-type", "").lower()
    return "ce-specversion" in headers or content_type.startswith("application/cloudevents")


def to_eventbridge(headers: dict[str, str], body: bytes, region: str, account_id: str) -> dict[str, Any]:
    if headers.get("content-type", "").lower().startswith("application/cloudevents-batch"):
        raise MalformedCloudEvent("batched CloudEvents are not accepted; send one event per request")
    _require_attributes(headers, body)
    declared_json = _JSON_MEDIA.match(headers.get("content-type") or "application/json")
    if "ce-specversion" in headers and body and declared_json:
        _parse_json(body, "data is declared JSON but does not parse as JSON")
    # Imported here: HTTP functions never take CloudEvents, so they do not pay for the SDK at start.
    from cloudevents.core.bindings.http import HTTPMessage, from_http_event

    try:
        event = from_http_event(HTTPMessage(headers=headers, body=body))
    except Exception as exc:  # the SDK raises several types for one meaning: invalid input
        raise MalformedCloudEvent(f"{type(exc).__name__}: {exc}") from None
    attributes = event.get_attributes()
    time = event.get_time() or datetime.now(UTC)
    if time.tzinfo is None:
        time = time.replace(tzinfo=UTC)
    try:
        utc_time = time.astimezone(UTC)
    except OverflowError:  # 0001-01-01T00:00:00+01:00 is in year 0 in UTC
        raise MalformedCloudEvent(f"time {time.isoformat()} falls outside years 1-9999 in UTC") from None
    is_ping = event.get_type() == PING_TYPE
    return {
        "version": "0",
        "id": event.get_id(),
        "detail-type": "Scheduled Event" if is_ping else event.get_type(),
        "source": "aws.events" if is_ping else event.get_source(),
        "account": account_id,
        # isoformat, not strftime: %Y writes year 1 as "1", which no datetime parser reads back.
        "time": utc_time.replace(tzinfo=None).isoformat(timespec="seconds") + "Z",
        "region": region,
        "resources": [event.get_source()] if is_ping else _resources(event.get_subject()),
        "detail": _detail(event.get_data()),
        "cloudevent": {name: _plain(value) for name, value in attributes.items()},
    }


def _require_attributes(headers: dict[str, str], body: bytes) -> None:
    # The SDK would invent a missing id or specversion; a redelivered event must keep its id.
    if "ce-specversion" in headers:
        present = {name[3:] for name, value in headers.items() if name.startswith("ce-") and value.strip()}
    else:
        envelope = _parse_json(body, "structured-mode body is not JSON")
        if not isinstance(envelope, dict):
            raise MalformedCloudEvent("structured-mode body is not a JSON object")
        present = {name for name, value in envelope.items() if value not in (None, "")}
        # The SDK decodes data_base64 leniently ("!!!" becomes no data at all).
        if envelope.get("data_base64") is not None and not _is_base64(envelope["data_base64"]):
            raise MalformedCloudEvent("data_base64 is not base64")
    missing = sorted(REQUIRED_ATTRIBUTES - present)
    if missing:
        raise MalformedCloudEvent(f"missing required attribute(s): {', '.join(missing)}")


def _parse_json(body: bytes, complaint: str) -> Any:
    try:
        return json.loads(body)
    except ValueError:
        raise MalformedCloudEvent(complaint) from None
    except RecursionError:  # nested deeper than the interpreter's stack: no handler could take it
        raise MalformedCloudEvent(f"{complaint}: nested too deeply") from None


def _is_base64(value: Any) -> bool:
    if not isinstance(value, str):
        return False
    try:
        base64.b64decode(value, validate=True)
    except (binascii.Error, ValueError):
        return False
    return True


def _detail(data: Any) -> dict[str, Any]:
    if data is None:
        return {}
    if isinstance(data, dict):
        return data
    if isinstance(data, bytes):
        return {"data_base64": base64.b64encode(data).decode("ascii")}
    return {"data": data}


def _resources(subject: str | None) -> list[str]:
    return [subject] if subject else []


def _plain(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.isoformat()
    return value
