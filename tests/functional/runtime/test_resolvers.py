"""Powertools resolvers run unchanged behind the runtime, in every event format."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator
from dataclasses import dataclass

import pytest

from tests.support.processes import Server

from .handlers.resolver_handlers import PNG_BYTES
from .helpers import raw_request, runtime

ROUTES = "GET /items/{item_id}, POST /upload, GET /image, GET /cookies"
FIRST_COOKIE = "first=1; Secure"
SECOND_COOKIE = "second=2; HttpOnly; Secure"


@dataclass(frozen=True)
class Flavour:
    name: str
    handler: str
    event_format: str
    multi_value: bool  # whether the event can carry repeated headers, query keys and cookies


FLAVOURS = [
    Flavour("alb", "alb_handler", "alb", multi_value=False),
    Flavour("alb-multi-value", "alb_handler", "alb", multi_value=True),
    Flavour("apigw-rest", "rest_handler", "apigw-rest", multi_value=True),
    Flavour("apigw-http", "http_handler", "apigw-http", multi_value=True),
]


@pytest.fixture(scope="module", params=FLAVOURS, ids=[flavour.name for flavour in FLAVOURS])
def flavour_server(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[tuple[Flavour, Server]]:
    flavour: Flavour = request.param
    env = {
        "HANDLER": f"resolver_handlers.{flavour.handler}",
        "EVENT_FORMAT": flavour.event_format,
        "ALB_MULTI_VALUE_HEADERS": "true" if flavour.name == "alb-multi-value" else "false",
        "ROUTES": ROUTES,
    }
    with runtime(tmp_path_factory, f"resolver-{flavour.name}", env) as server:
        yield flavour, server


def test_route_with_path_parameter_query_and_repeated_headers(flavour_server: tuple[Flavour, Server]) -> None:
    flavour, server = flavour_server
    response = raw_request(server.base_url, "GET", "/items/caf%C3%A9?tag=a&tag=b", [("X-Multi", "a"), ("X-Multi", "b")])
    assert response.status == 200, response.body
    assert response.header("Content-Type") == "application/json"
    body = json.loads(response.body)
    assert body["item_id"] == "caf%C3%A9"
    assert body["path"] == "/items/caf%C3%A9"
    if flavour.multi_value:
        assert body["tags"] == ["a", "b"]
        assert body["multi"] == ["a", "b"]
    else:  # ALB without multi-value headers delivers the last value only
        assert body["tags"] == ["b"]
        assert body["multi"] == "b"


def test_binary_upload_reaches_the_route_intact(flavour_server: tuple[Flavour, Server]) -> None:
    _, server = flavour_server
    response = raw_request(server.base_url, "POST", "/upload", [("Content-Type", "image/png")], PNG_BYTES)
    assert response.status == 200, response.body
    assert json.loads(response.body) == {"base64": True, "sha256": hashlib.sha256(PNG_BYTES).hexdigest()}


def test_bytes_response_is_sent_as_binary(flavour_server: tuple[Flavour, Server]) -> None:
    _, server = flavour_server
    response = raw_request(server.base_url, "GET", "/image")
    assert response.status == 200
    assert response.header("Content-Type") == "image/png"
    assert response.body == PNG_BYTES


def test_cookies_are_separate_set_cookie_headers(flavour_server: tuple[Flavour, Server]) -> None:
    flavour, server = flavour_server
    response = raw_request(server.base_url, "GET", "/cookies")
    assert response.status == 200
    assert response.body == b"cookies"
    if flavour.multi_value:
        assert response.all("Set-Cookie") == [FIRST_COOKIE, SECOND_COOKIE]
    else:  # a single-value ALB response can carry one cookie; Powertools keeps the last
        assert response.all("Set-Cookie") == [SECOND_COOKIE]


def test_unknown_route_is_answered_by_the_resolver_or_the_runtime(flavour_server: tuple[Flavour, Server]) -> None:
    flavour, server = flavour_server
    response = raw_request(server.base_url, "GET", "/nowhere")
    assert response.status == 404
    if flavour.event_format == "alb":  # ALB forwards everything; Powertools answers
        assert json.loads(response.body)["statusCode"] == 404
    else:  # API Gateway answers unrouted requests itself
        assert response.header("Content-Type") == "application/problem+json"
