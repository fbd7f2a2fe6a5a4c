"""A handler result whose body is an iterator of str goes out chunk by chunk, as the server runs it."""

from __future__ import annotations

import http.client
import socket
from collections.abc import Iterator

import pytest

from tests.support.processes import Server

from .handlers.echo_handlers import FAILURE_MESSAGE, STREAM_CHUNKS
from .helpers import raw_request, runtime, wait_for


@pytest.fixture(scope="module", params=["alb", "apigw-rest"])
def server(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    env = {"HANDLER": "echo_handlers.handler", "EVENT_FORMAT": request.param, "ROUTES": "ANY /out/{kind}"}
    with runtime(tmp_path_factory, f"stream-{request.param}", env) as started:
        yield started


def test_an_iterator_body_is_sent_chunked_without_a_length(server: Server) -> None:
    response = raw_request(server.base_url, "GET", "/out/stream")
    assert response.status == 200
    assert response.header("Content-Type") == "text/csv"
    assert response.header("Content-Length") is None
    assert response.header("Transfer-Encoding") == "chunked"
    assert response.body == "".join(STREAM_CHUNKS).encode("utf-8")


def test_a_stream_failing_half_way_ends_the_response_incomplete_and_is_logged(server: Server) -> None:
    host, port = server.base_url.removeprefix("http://").split(":")
    with socket.create_connection((host, int(port)), timeout=30) as connection:
        connection.sendall(b"GET /out/stream-fails HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
        response = http.client.HTTPResponse(connection)
        response.begin()
        assert response.status == 200  # the status went out before the failure
        with pytest.raises(http.client.IncompleteRead) as incomplete:
            response.read()
    assert incomplete.value.partial == STREAM_CHUNKS[0].encode("utf-8")  # no final chunk: visibly cut short
    assert wait_for(lambda: f"{FAILURE_MESSAGE} while streaming" in server.log())
    assert raw_request(server.base_url, "GET", "/out/stream").status == 200  # and the process serves on
