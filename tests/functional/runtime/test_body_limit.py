"""MAX_BODY_BYTES: bodies above it are refused with 413 before the handler runs."""

from __future__ import annotations

import json
from collections.abc import Iterator

import pytest
import requests

from tests.support.processes import Server

from .helpers import runtime

LIMIT = 1024


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    env = {"HANDLER": "echo_handlers.handler", "MAX_BODY_BYTES": str(LIMIT)}
    with runtime(tmp_path_factory, "body-limit", env) as server:
        yield server


def chunks(size: int, piece: int = 100) -> Iterator[bytes]:
    """A generator body, which requests sends with Transfer-Encoding: chunked."""
    sent = 0
    while sent < size:
        part = min(piece, size - sent)
        sent += part
        yield b"c" * part


def post(server: Server, body: bytes | Iterator[bytes]) -> requests.Response:
    return requests.post(f"{server.base_url}/upload", data=body, headers={"Content-Type": "text/plain"}, timeout=30)


def assert_too_large(response: requests.Response) -> None:
    assert response.status_code == 413
    assert response.headers["Content-Type"] == "application/problem+json"
    problem = response.json()
    assert problem["status"] == 413
    assert str(LIMIT) in problem["detail"]


def test_body_at_the_limit_reaches_the_handler(server: Server) -> None:
    body = b"x" * LIMIT
    response = post(server, body)
    assert response.status_code == 200
    assert response.json()["body"] == body.decode()


def test_body_one_byte_over_the_limit_is_413(server: Server) -> None:
    assert_too_large(post(server, b"x" * (LIMIT + 1)))


def test_body_far_over_the_limit_is_413_not_a_reset(server: Server) -> None:
    assert_too_large(post(server, b"x" * (4 * 1024 * 1024)))


def test_chunked_body_at_the_limit_reaches_the_handler(server: Server) -> None:
    response = post(server, chunks(LIMIT))
    assert response.status_code == 200
    event = response.json()
    assert event["headers"]["transfer-encoding"] == "chunked"
    assert event["body"] == "c" * LIMIT


def test_chunked_body_over_the_limit_is_413(server: Server) -> None:
    assert_too_large(post(server, chunks(LIMIT + 1)))
    assert_too_large(post(server, chunks(256 * 1024, piece=4096)))


def test_process_keeps_serving_after_refusals(server: Server) -> None:
    assert_too_large(post(server, b"x" * (LIMIT * 8)))
    response = post(server, b"small")
    assert response.status_code == 200
    assert json.loads(response.content)["body"] == "small"
