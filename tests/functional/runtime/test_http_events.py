"""HTTP on the wire → the Lambda event each AWS front door would send, and the result back.

An echo handler answers with the event it received, so each test reads the event
exactly as the handler saw it. Requests are written byte for byte so repeated
header lines and percent-encoding reach the runtime untouched.
"""

from __future__ import annotations

import base64
import json
from collections.abc import Iterator
from typing import Any

import pytest

from tests.support.processes import Server

from .handlers.echo_handlers import PNG_BYTES
from .helpers import raw_request, runtime

ROUTES = "GET /items/{item_id}, POST /upload, ANY /out/{kind}"
QUERY = "tag=a&tag=b&q=hello%20world&plus=a+b"
ENCODED_PATH = "/items/caf%C3%A9%20%2F%E2%9C%93"  # "café /✓", the slash encoded
REPEATED = [("X-Multi", "a"), ("X-Multi", "b")]


def echo(
    server: Server, method: str, target: str, headers: list[tuple[str, str]] | None = None, body: bytes | None = None
) -> dict[str, Any]:
    response = raw_request(server.base_url, method, target, headers, body)
    assert response.status == 200, response.body
    assert response.header("Content-Type") == "application/json"
    event: dict[str, Any] = json.loads(response.body)
    return event


def upload_png(server: Server, target: str) -> dict[str, Any]:
    return echo(server, "POST", target, [("Content-Type", "image/png")], PNG_BYTES)


def assert_binary_result(server: Server) -> None:
    response = raw_request(server.base_url, "GET", "/out/binary")
    assert response.status == 200
    assert response.header("Content-Type") == "image/png"
    assert response.body == PNG_BYTES


def assert_separate_set_cookies(server: Server, kind: str) -> None:
    response = raw_request(server.base_url, "GET", f"/out/{kind}")
    assert response.status == 200
    assert response.all("Set-Cookie") == ["first=1; Path=/", "second=2; Path=/; HttpOnly"]
    assert response.body == b"cookies"


class TestAlbSingleValue:
    @pytest.fixture(scope="class")
    @classmethod
    def server(cls, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
        with runtime(tmp_path_factory, "alb-single", {"HANDLER": "echo_handlers.handler"}) as server:
            yield server

    def test_repeated_header_keeps_the_last_value(self, server: Server) -> None:
        event = echo(server, "GET", "/anything", REPEATED)
        assert event["headers"]["x-multi"] == "b"
        assert "multiValueHeaders" not in event

    def test_query_is_passed_undecoded_and_the_last_repeat_wins(self, server: Server) -> None:
        event = echo(server, "GET", f"/anything?{QUERY}")
        assert event["queryStringParameters"] == {"tag": "b", "q": "hello%20world", "plus": "a+b"}
        assert "multiValueQueryStringParameters" not in event

    def test_percent_encoded_unicode_path_is_kept_as_sent(self, server: Server) -> None:
        event = echo(server, "GET", ENCODED_PATH)
        assert event["path"] == ENCODED_PATH
        assert event["httpMethod"] == "GET"
        assert "elb" in event["requestContext"]

    def test_json_body_arrives_as_text(self, server: Server) -> None:
        body = json.dumps({"title": "écrire"}, ensure_ascii=False).encode()
        event = echo(server, "POST", "/anything", [("Content-Type", "application/json")], body)
        assert event["isBase64Encoded"] is False
        assert event["body"] == body.decode()

    def test_binary_body_arrives_base64(self, server: Server) -> None:
        event = upload_png(server, "/upload")
        assert event["isBase64Encoded"] is True
        assert base64.b64decode(event["body"]) == PNG_BYTES

    def test_base64_result_is_decoded_on_the_wire(self, server: Server) -> None:
        assert_binary_result(server)


class TestAlbMultiValue:
    @pytest.fixture(scope="class")
    @classmethod
    def server(cls, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
        env = {"HANDLER": "echo_handlers.handler", "ALB_MULTI_VALUE_HEADERS": "true"}
        with runtime(tmp_path_factory, "alb-multi", env) as server:
            yield server

    def test_repeated_header_lines_are_two_entries(self, server: Server) -> None:
        event = echo(server, "GET", "/anything", REPEATED)
        assert event["multiValueHeaders"]["x-multi"] == ["a", "b"]
        assert "headers" not in event

    def test_repeated_query_keys_are_kept_undecoded(self, server: Server) -> None:
        event = echo(server, "GET", f"/anything?{QUERY}")
        assert event["multiValueQueryStringParameters"] == {
            "tag": ["a", "b"],
            "q": ["hello%20world"],
            "plus": ["a+b"],
        }
        assert "queryStringParameters" not in event

    def test_binary_body_arrives_base64(self, server: Server) -> None:
        event = upload_png(server, "/upload")
        assert event["isBase64Encoded"] is True
        assert base64.b64decode(event["body"]) == PNG_BYTES

    def test_set_cookie_from_multi_value_headers_are_separate_headers(self, server: Server) -> None:
        assert_separate_set_cookies(server, "multi-cookies")

    def test_base64_result_is_decoded_on_the_wire(self, server: Server) -> None:
        assert_binary_result(server)


class TestApiGatewayRest:
    @pytest.fixture(scope="class")
    @classmethod
    def server(cls, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
        env = {"HANDLER": "echo_handlers.handler", "EVENT_FORMAT": "apigw-rest", "ROUTES": ROUTES}
        with runtime(tmp_path_factory, "rest", env) as server:
            yield server

    def test_repeated_header_lines_are_two_entries(self, server: Server) -> None:
        event = echo(server, "GET", "/items/1", REPEATED)
        assert event["multiValueHeaders"]["X-Multi"] == ["a", "b"]
        assert event["headers"]["X-Multi"] == "b"

    def test_repeated_query_keys_are_decoded_and_grouped(self, server: Server) -> None:
        event = echo(server, "GET", f"/items/1?{QUERY}")
        assert event["queryStringParameters"] == {"tag": "b", "q": "hello world", "plus": "a b"}
        assert event["multiValueQueryStringParameters"] == {
            "tag": ["a", "b"],
            "q": ["hello world"],
            "plus": ["a b"],
        }

    def test_path_and_path_parameters_are_kept_as_sent(self, server: Server) -> None:
        event = echo(server, "GET", ENCODED_PATH)
        assert event["path"] == ENCODED_PATH
        assert event["pathParameters"] == {"item_id": "caf%C3%A9%20%2F%E2%9C%93"}
        assert event["resource"] == "/items/{item_id}"
        assert event["requestContext"]["resourcePath"] == "/items/{item_id}"
        assert event["requestContext"]["path"] == ENCODED_PATH

    def test_request_without_query_or_body_has_nulls(self, server: Server) -> None:
        event = echo(server, "GET", "/items/1")
        assert event["queryStringParameters"] is None
        assert event["multiValueQueryStringParameters"] is None
        assert event["body"] is None
        assert event["isBase64Encoded"] is False

    def test_binary_body_arrives_base64(self, server: Server) -> None:
        event = upload_png(server, "/upload")
        assert event["isBase64Encoded"] is True
        assert base64.b64decode(event["body"]) == PNG_BYTES
        assert event["resource"] == "/upload"

    def test_set_cookie_from_multi_value_headers_are_separate_headers(self, server: Server) -> None:
        assert_separate_set_cookies(server, "multi-cookies")

    def test_base64_result_is_decoded_on_the_wire(self, server: Server) -> None:
        assert_binary_result(server)


class TestHttpApi:
    @pytest.fixture(scope="class")
    @classmethod
    def server(cls, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
        env = {"HANDLER": "echo_handlers.handler", "EVENT_FORMAT": "apigw-http", "ROUTES": ROUTES}
        with runtime(tmp_path_factory, "http-api", env) as server:
            yield server

    def test_repeated_header_lines_are_comma_joined(self, server: Server) -> None:
        event = echo(server, "GET", "/items/1", REPEATED)
        assert event["headers"]["x-multi"] == "a,b"
        assert event["version"] == "2.0"

    def test_raw_query_string_is_untouched(self, server: Server) -> None:
        query = f"{QUERY}&flag&empty=&odd=%zz&sp=%20+x"
        event = echo(server, "GET", f"/items/1?{query}")
        assert event["rawQueryString"] == query
        assert event["queryStringParameters"]["tag"] == "a,b"
        assert event["queryStringParameters"]["q"] == "hello world"

    def test_raw_path_and_path_parameters_are_kept_as_sent(self, server: Server) -> None:
        event = echo(server, "GET", ENCODED_PATH)
        assert event["rawPath"] == ENCODED_PATH
        assert event["pathParameters"] == {"item_id": "caf%C3%A9%20%2F%E2%9C%93"}
        assert event["routeKey"] == "GET /items/{item_id}"
        assert event["requestContext"]["http"]["method"] == "GET"

    def test_cookie_headers_become_the_cookies_array(self, server: Server) -> None:
        event = echo(server, "GET", "/items/1", [("Cookie", "a=1; b=2"), ("Cookie", "c=3")])
        assert event["cookies"] == ["a=1", "b=2", "c=3"]
        assert "cookie" not in event["headers"]

    def test_binary_body_arrives_base64(self, server: Server) -> None:
        event = upload_png(server, "/upload")
        assert event["isBase64Encoded"] is True
        assert base64.b64decode(event["body"]) == PNG_BYTES
        assert event["routeKey"] == "POST /upload"

    def test_cookies_in_the_result_are_separate_set_cookie_headers(self, server: Server) -> None:
        assert_separate_set_cookies(server, "v2-cookies")

    def test_base64_result_is_decoded_on_the_wire(self, server: Server) -> None:
        assert_binary_result(server)
