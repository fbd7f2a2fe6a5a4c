"""The function the fuzz hosts: an echo for HTTP events and a checker for EventBridge events.

It holds the runtime to its contract whatever arrived on the wire: every event must be
JSON; an HTTP event must be one Powertools' parser model for its format accepts (where
an AWS front door could have sent it) with a body that decodes as `isBase64Encoded`
says; a CloudEvent must arrive as an event `EventBridgeModel` parses. A breach raises
`ContractBreach`, which the runtime answers with a 5xx the fuzz reports.

A request whose path, or an event whose subject, names FAILURE_MARKER makes the handler
raise on purpose, so the fuzz also sees the documented 502 (HTTP) and 500 (CloudEvent).
"""

from __future__ import annotations

import base64
import binascii
import json
import os
from typing import Any

from aws_lambda_powertools.utilities.parser import parse
from aws_lambda_powertools.utilities.parser.models import (
    AlbModel,
    APIGatewayProxyEventModel,
    APIGatewayProxyEventV2Model,
    EventBridgeModel,
)
from pydantic import ValidationError

FAILURE_MARKER = "fuzz-raise"
EVENT_FORMAT = os.environ.get("EVENT_FORMAT", "alb")
MULTI_VALUE = os.environ.get("ALB_MULTI_VALUE_HEADERS", "false") == "true"
# The methods API Gateway routes (its models accept no other).
GATEWAY_METHODS = frozenset({"DELETE", "GET", "HEAD", "OPTIONS", "PATCH", "POST", "PUT"})


class ContractBreach(Exception):
    """The runtime handed over an event its documented contract rules out."""


def handler(event: dict[str, Any], context: Any) -> Any:
    try:
        as_json = json.dumps(event)
    except (TypeError, ValueError) as exc:
        raise ContractBreach(f"the event is not JSON: {exc}") from exc
    if "detail-type" in event:
        return on_event(event)
    check_http_event(event, EVENT_FORMAT, MULTI_VALUE)
    if FAILURE_MARKER in str(event.get("rawPath") or event.get("path") or ""):
        raise RuntimeError("deliberate failure")
    return {"statusCode": 200, "headers": {"Content-Type": "application/json"}, "body": as_json}


def on_event(event: dict[str, Any]) -> None:
    check_eventbridge_event(event)
    if FAILURE_MARKER in event["resources"]:
        raise RuntimeError("deliberate failure")


def check_eventbridge_event(event: dict[str, Any]) -> None:
    try:
        parse(event=event, model=EventBridgeModel)
    except ValidationError as exc:
        raise ContractBreach(f"EventBridgeModel refuses the event: {exc}") from exc


def check_http_event(event: dict[str, Any], event_format: str, multi_value: bool) -> None:
    body = event.get("body")
    if event.get("isBase64Encoded"):
        try:
            base64.b64decode(str(body), validate=True)
        except (binascii.Error, ValueError) as exc:
            raise ContractBreach(f"isBase64Encoded but the body is not base64: {body!r}") from exc
    if event_format == "alb":
        if multi_value:
            _check_multi_value(event)
        else:
            _check_model(event, AlbModel)
        return
    if event_format == "apigw-rest":
        if event["httpMethod"] in GATEWAY_METHODS and event.get("headers"):
            _check_model(event, APIGatewayProxyEventModel)
        return
    if event["requestContext"]["http"]["method"] in GATEWAY_METHODS:
        _check_model(event, APIGatewayProxyEventV2Model)


def _check_model(event: dict[str, Any], model: Any) -> None:
    try:
        parse(event=event, model=model)
    except ValidationError as exc:
        raise ContractBreach(f"{model.__name__} refuses the event: {exc}") from exc


def _check_multi_value(event: dict[str, Any]) -> None:
    for field in ("multiValueHeaders", "multiValueQueryStringParameters"):
        values = event.get(field)
        if not isinstance(values, dict) or not all(
            isinstance(name, str) and isinstance(items, list) and all(isinstance(i, str) for i in items)
            for name, items in values.items()
        ):
            raise ContractBreach(f"{field} is not a map of string lists: {values!r}")
