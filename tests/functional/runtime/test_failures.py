"""A handler that raises or returns garbage costs one 502; the process keeps serving."""

from __future__ import annotations

import json
from collections.abc import Iterator

import pytest

from tests.support.processes import Server

from .handlers.echo_handlers import FAILURE_MESSAGE
from .helpers import RawResponse, raw_request, runtime, wait_for

ROUTES = "GET /items/{item_id}, ANY /out/{kind}"


@pytest.fixture(scope="module")
def rest(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    env = {"HANDLER": "echo_handlers.handler", "EVENT_FORMAT": "apigw-rest", "ROUTES": ROUTES}
    with runtime(tmp_path_factory, "failures-rest", env) as server:
        yield server


@pytest.fixture(scope="module")
def http_api(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    env = {"HANDLER": "echo_handlers.handler", "EVENT_FORMAT": "apigw-http", "ROUTES": ROUTES}
    with runtime(tmp_path_factory, "failures-http", env) as server:
        yield server


def assert_problem(response: RawResponse, status: int) -> dict[str, object]:
    assert response.status == status, response.body
    assert response.header("Content-Type") == "application/problem+json"
    problem: dict[str, object] = json.loads(response.body)
    assert problem["status"] == status
    return problem


def assert_still_serving(server: Server) -> None:
    response = raw_request(server.base_url, "GET", "/items/after-failure")
    assert response.status == 200
    assert json.loads(response.body)["pathParameters"] == {"item_id": "after-failure"}
    assert server.process.poll() is None


def test_handler_that_raises_is_502_with_the_stack_trace_logged(rest: Server) -> None:
    response = raw_request(rest.base_url, "GET", "/out/raise", [("X-Request-Id", "fail-raise-1")])
    problem = assert_problem(response, 502)
    assert problem["request_id"] == "fail-raise-1"
    assert FAILURE_MESSAGE not in response.body.decode()  # internals stay in the log
    assert wait_for(lambda: f"RuntimeError: {FAILURE_MESSAGE}" in rest.log())
    log = rest.log()
    assert "Traceback (most recent call last)" in log
    assert 'echo_handlers.py", line' in log
    assert_still_serving(rest)


def test_log_of_a_failure_names_its_request_id(rest: Server) -> None:
    # The 502 tells the caller to look the request id up in the log, so the log must carry it.
    response = raw_request(rest.base_url, "GET", "/out/raise", [("X-Request-Id", "fail-raise-2")])
    assert assert_problem(response, 502)["request_id"] == "fail-raise-2"
    assert wait_for(lambda: "fail-raise-2" in rest.log(), timeout=1), rest.log()


@pytest.mark.parametrize("kind", ["int", "bad-status", "bad-base64"])
def test_handler_returning_garbage_is_502(rest: Server, kind: str) -> None:
    response = raw_request(rest.base_url, "GET", f"/out/{kind}")
    problem = assert_problem(response, 502)
    assert "invalid response" in str(problem["detail"])
    assert_still_serving(rest)


def test_unrouted_path_is_404_problem(rest: Server) -> None:
    problem = assert_problem(raw_request(rest.base_url, "GET", "/nowhere/at/all"), 404)
    assert "/nowhere/at/all" in str(problem["detail"])


def test_route_with_another_method_is_404_problem(rest: Server) -> None:
    assert_problem(raw_request(rest.base_url, "DELETE", "/items/1"), 404)


def test_http_api_infers_200_json_from_a_plain_value(http_api: Server) -> None:
    # Payload format 2.0: a result without statusCode is the JSON body of a 200.
    response = raw_request(http_api.base_url, "GET", "/out/int")
    assert response.status == 200
    assert response.header("Content-Type") == "application/json"
    assert json.loads(response.body) == 42


def test_http_api_rejects_a_non_integer_status(http_api: Server) -> None:
    assert_problem(raw_request(http_api.base_url, "GET", "/out/bad-status"), 502)
    assert_problem(raw_request(http_api.base_url, "GET", "/out/raise"), 502)
    assert_still_serving(http_api)
