"""Header fields a WSGI server takes from a proxy it trusts are plain headers to the runtime.

gunicorn, the runtime's server before granian, trusted peers on the loopback, where a Knative
queue-proxy connects from, to set SCRIPT_NAME, PATH_INFO and the URL scheme. The runtime trusts
no peer for them, whatever its server: a client that sends them gets its request handled
(found by tests/fuzz: SCRIPT_NAME cost a 500).
"""

from __future__ import annotations

import json
from collections.abc import Iterator

import pytest

from tests.support.processes import Server

from .helpers import raw_request, runtime

ROUTES = "GET /items/{item_id}"


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    env = {"HANDLER": "echo_handlers.handler", "EVENT_FORMAT": "apigw-http", "ROUTES": ROUTES}
    with runtime(tmp_path_factory, "proxy-headers", env) as server:
        yield server


@pytest.mark.parametrize(
    "headers",
    [
        [("SCRIPT_NAME", "/elsewhere")],
        [("SCRIPT_NAME", "/items")],
        [("PATH_INFO", "/__runtime/live")],
        [("X-Forwarded-Proto", "https"), ("X-Forwarded-Ssl", "off")],
    ],
    ids=["script-name-elsewhere", "script-name-prefix", "path-info", "contradictory-scheme"],
)
def test_proxy_headers_from_a_loopback_client_are_plain_headers(server: Server, headers: list[tuple[str, str]]) -> None:
    response = raw_request(server.base_url, "GET", "/items/7", headers)

    assert response.status == 200, response.body
    event = json.loads(response.body)
    assert event["rawPath"] == "/items/7"
    assert event["pathParameters"] == {"item_id": "7"}
    assert server.process.poll() is None


def test_script_name_cannot_turn_a_probe_path_into_a_handler_request(server: Server) -> None:
    response = raw_request(server.base_url, "GET", "/__runtime/live", [("SCRIPT_NAME", "/__runtime")])

    assert (response.status, response.body) == (200, b"live\n")
