"""HTTP request → Lambda event, faithful to what each AWS front door sends.

- ALB: lower-case headers, query string passed through undecoded, last value wins
  unless the target group has multi-value headers enabled.
- API Gateway REST (v1): `headers` and `multiValueHeaders`, decoded query values,
  `path` and `pathParameters` as the client sent them, `resource` from the route.
- API Gateway HTTP API (v2): `rawPath`, untouched `rawQueryString`, lower-case
  comma-joined headers, a `cookies` array and a `routeKey`.
"""

from __future__ import annotations

import base64
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any
from urllib.parse import unquote_plus

from .routes import Route

_TEXT_TYPES = (
    "application/json",
    "application/javascript",
    "application/xml",
    "application/x-www-form-urlencoded",
    "application/graphql",
)


@dataclass(slots=True)
class HttpRequest:
    """What arrived on the wire, before any AWS front door interpreted it."""

    method: str
    raw_path: str
    raw_query: str
    headers: tuple[tuple[str, str], ...]  # (lower-case name, value), repeats kept
    body: bytes
    source_ip: str
    protocol: str
    request_id: str
    received_at: float

    def header(self, name: str) -> str | None:
        values = [value for key, value in self.headers if key == name]
        return ",".join(values) if values else None


@dataclass(slots=True)
class Target:
    """Where the request landed: the matched route and the function's identity."""

    route: Route | None
    path_parameters: dict[str, str]
    function_name: str
    region: str
    account_id: str


def alb_event(request: HttpRequest, target: Target, multi_value: bool) -> dict[str, Any]:
    body, is_base64 = _encode_body(request)
    event: dict[str, Any] = {
        "requestContext": {
            "elb": {
                "targetGroupArn": (
                    f"arn:aws:elasticloadbalancing:{target.region}:{target.account_id}:"
                    f"targetgroup/{target.function_name[:32]}/0000000000000000"
                )
            }
        },
        "httpMethod": request.method,
        "path": request.raw_path,
        "body": body,
        "isBase64Encoded": is_base64,
    }
    pairs = _query_pairs(request.raw_query, decode=None)
    if multi_value:
        event["multiValueQueryStringParameters"] = _grouped(pairs)
        event["multiValueHeaders"] = _grouped(request.headers)
    else:
        event["queryStringParameters"] = dict(pairs)
        event["headers"] = dict(request.headers)
    return event


def rest_event(request: HttpRequest, target: Target) -> dict[str, Any]:
    body, is_base64 = _encode_body(request)
    pairs = _query_pairs(request.raw_query, decode=unquote_plus)
    named = tuple((_title_case(name), value) for name, value in request.headers)
    if target.route:
        resource, path_parameters = target.route.template, target.path_parameters
    elif request.raw_path == "/":
        resource, path_parameters = "/", {}
    else:  # no routes configured: the function sits behind a catch-all proxy resource
        resource, path_parameters = "/{proxy+}", {"proxy": request.raw_path[1:]}
    return {
        "resource": resource,
        "path": request.raw_path,
        "httpMethod": request.method,
        "headers": dict(named) or None,
        "multiValueHeaders": _grouped(named) or None,
        "queryStringParameters": dict(pairs) or None,
        "multiValueQueryStringParameters": _grouped(pairs) or None,
        "pathParameters": path_parameters or None,
        "stageVariables": None,
        "requestContext": {
            "accountId": target.account_id,
            "apiId": "local",
            "domainName": request.header("host") or "localhost",
            "domainPrefix": (request.header("host") or "localhost").split(".")[0],
            "extendedRequestId": request.request_id,
            "httpMethod": request.method,
            "identity": _identity(request),
            "path": request.raw_path,
            "protocol": request.protocol,
            "requestId": request.request_id,
            "requestTime": _clf_time(request.received_at),
            "requestTimeEpoch": int(request.received_at * 1000),
            "resourceId": "local",
            "resourcePath": resource,
            "stage": "$default",
        },
        "body": body if request.body else None,
        "isBase64Encoded": is_base64,
    }


def http_api_event(request: HttpRequest, target: Target) -> dict[str, Any]:
    body, is_base64 = _encode_body(request)
    route_key = target.route.key if target.route else "$default"
    headers: dict[str, str] = {}
    cookies: list[str] = []
    for name, value in request.headers:
        if name == "cookie":
            cookies.extend(part.strip() for part in value.split(";") if part.strip())
            continue
        headers[name] = f"{headers[name]},{value}" if name in headers else value
    event: dict[str, Any] = {
        "version": "2.0",
        "routeKey": route_key,
        "rawPath": request.raw_path,
        "rawQueryString": request.raw_query,
        "headers": headers,
        "requestContext": {
            "accountId": target.account_id,
            "apiId": "local",
            "domainName": request.header("host") or "localhost",
            "domainPrefix": (request.header("host") or "localhost").split(".")[0],
            "http": {
                "method": request.method,
                "path": request.raw_path,
                "protocol": request.protocol,
                "sourceIp": request.source_ip,
                "userAgent": request.header("user-agent") or "",
            },
            "requestId": request.request_id,
            "routeKey": route_key,
            "stage": "$default",
            "time": _clf_time(request.received_at),
            "timeEpoch": int(request.received_at * 1000),
        },
        "isBase64Encoded": is_base64,
    }
    if cookies:
        event["cookies"] = cookies
    query: dict[str, str] = {}
    for name, value in _query_pairs(request.raw_query, decode=unquote_plus):
        query[name] = f"{query[name]},{value}" if name in query else value
    if query:
        event["queryStringParameters"] = query
    if target.route and target.path_parameters:
        event["pathParameters"] = target.path_parameters
    if request.body:
        event["body"] = body
    return event


def is_text(content_type: str | None, content_encoding: str | None) -> bool:
    """Whether a body of this type travels as text (else base64), as API Gateway decides."""
    if content_encoding and content_encoding.strip().lower() not in ("", "identity"):
        return False
    if not content_type:
        return True
    media = content_type.split(";")[0].strip().lower()
    return media.startswith("text/") or media in _TEXT_TYPES or media.endswith("+json") or media.endswith("+xml")


def _encode_body(request: HttpRequest) -> tuple[str, bool]:
    if not request.body:
        return "", False
    if is_text(request.header("content-type"), request.header("content-encoding")):
        try:
            return request.body.decode("utf-8"), False
        except UnicodeDecodeError:
            pass  # declared text but is not: deliver the bytes intact
    return base64.b64encode(request.body).decode("ascii"), True


def _query_pairs(raw_query: str, decode: Callable[[str], str] | None) -> list[tuple[str, str]]:
    pairs = []
    for part in raw_query.split("&"):
        if not part:
            continue
        name, _, value = part.partition("=")
        if decode is not None:
            name, value = decode(name), decode(value)
        pairs.append((name, value))
    return pairs


def _grouped(pairs: Iterable[tuple[str, str]]) -> dict[str, list[str]]:
    grouped: dict[str, list[str]] = {}
    for name, value in pairs:
        grouped.setdefault(name, []).append(value)
    return grouped


def _title_case(name: str) -> str:
    # WSGI servers fold header case; API Gateway keeps the client's, which is
    # almost always the canonical form.
    return "-".join(word[:1].upper() + word[1:] for word in name.split("-"))


def _identity(request: HttpRequest) -> dict[str, Any]:
    keys = (
        "accessKey",
        "accountId",
        "caller",
        "cognitoAuthenticationProvider",
        "cognitoAuthenticationType",
        "cognitoIdentityId",
        "cognitoIdentityPoolId",
        "principalOrgId",
        "user",
        "userArn",
        "apiKey",
        "apiKeyId",
        "clientCert",
    )
    identity: dict[str, Any] = dict.fromkeys(keys)
    identity["sourceIp"] = request.source_ip
    identity["userAgent"] = request.header("user-agent")
    return identity


def _clf_time(epoch: float) -> str:
    return datetime.fromtimestamp(epoch, tz=UTC).strftime("%d/%b/%Y:%H:%M:%S +0000")
