"""The Lambda context: request id, identity, memory, a real deadline and the trace parent."""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterator
from typing import Any

import pytest
import requests

from tests.support.processes import Server

from .helpers import runtime, wait_for

TIMEOUT_SECONDS = 5
TRACE_PARENT = "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01"


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    env = {
        "HANDLER": "context_handlers.report",
        "EVENT_FORMAT": "apigw-http",
        "FUNCTION_NAME": "reminder-sender",
        "FUNCTION_MEMORY_MB": "256",
        "FUNCTION_TIMEOUT": str(TIMEOUT_SECONDS),
    }
    with runtime(tmp_path_factory, "context", env) as server:
        yield server


def report(server: Server, headers: dict[str, str] | None = None) -> dict[str, Any]:
    response = requests.get(f"{server.base_url}/report", headers=headers or {}, timeout=30)
    assert response.status_code == 200, response.text
    seen: dict[str, Any] = response.json()
    return seen


def test_request_id_comes_from_x_request_id(server: Server) -> None:
    seen = report(server, {"X-Request-Id": "req-7f3a9c"})
    assert seen["aws_request_id"] == "req-7f3a9c"
    assert seen["request_context_id"] == "req-7f3a9c"


def test_request_id_is_a_fresh_uuid_without_the_header(server: Server) -> None:
    first, second = report(server), report(server)
    assert uuid.UUID(first["aws_request_id"]).version == 4
    assert first["aws_request_id"] != second["aws_request_id"]
    assert first["request_context_id"] == first["aws_request_id"]


@pytest.mark.parametrize("unusable", ["has spaces in it", "x" * 129, "semi;colon"])
def test_unusable_x_request_id_is_replaced_by_a_uuid(server: Server, unusable: str) -> None:
    seen = report(server, {"X-Request-Id": unusable})
    assert seen["aws_request_id"] != unusable
    assert uuid.UUID(seen["aws_request_id"])


def test_identity_and_memory_come_from_the_environment(server: Server) -> None:
    seen = report(server)
    assert seen["function_name"] == "reminder-sender"
    assert seen["memory_limit_in_mb"] == 256
    assert seen["invoked_function_arn"].startswith("arn:aws:lambda:")
    assert seen["invoked_function_arn"].endswith(":function:reminder-sender")


def test_remaining_time_is_a_real_deadline(server: Server) -> None:
    seen = report(server)
    assert 0 < seen["remaining_first"] <= TIMEOUT_SECONDS * 1000
    assert seen["remaining_second"] < seen["remaining_first"]


def test_traceparent_reaches_the_handler(server: Server) -> None:
    seen = report(server, {"traceparent": TRACE_PARENT})
    assert seen["traceparent_header"] == TRACE_PARENT
    assert seen["trace_parent"] == TRACE_PARENT


def test_no_traceparent_means_none(server: Server) -> None:
    assert report(server)["trace_parent"] is None


def test_powertools_logger_sees_the_lambda_context(server: Server) -> None:
    report(server, {"X-Request-Id": "req-logger-1"})

    def logged() -> list[dict[str, Any]]:
        entries = []
        for line in server.log().splitlines():
            if line.startswith("{") and "req-logger-1" in line:
                entries.append(json.loads(line))
        return entries

    assert wait_for(lambda: bool(logged()), timeout=5), server.log()
    [entry] = logged()
    assert entry["message"] == "context reported"
    assert entry["function_request_id"] == "req-logger-1"
    assert entry["function_name"] == "reminder-sender"
    assert entry["function_memory_size"] == 256
    assert entry["cold_start"] in (True, False)
