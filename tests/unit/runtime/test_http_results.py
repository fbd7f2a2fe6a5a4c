"""Lambda result → HTTP response, as API Gateway and ALB translate one into the other."""

from __future__ import annotations

import base64
import json
from http import HTTPStatus
from typing import Any

import pytest

from functions.runtime.http_results import MalformedResult, to_http_response

FORMATS = ["alb", "apigw-rest", "apigw-http"]


@pytest.mark.parametrize("event_format", FORMATS)
@pytest.mark.parametrize(
    ("status_code", "expected"), [(201, 201), ("204", 204), (100, 100), ("599", 599), (HTTPStatus.CREATED, 201)]
)
def test_status_code_int_or_digit_string(event_format: str, status_code: Any, expected: int) -> None:
    response = to_http_response({"statusCode": status_code}, event_format)

    assert response.status == expected
    assert response.body == b""


@pytest.mark.parametrize("event_format", FORMATS)
def test_text_body_and_headers(event_format: str) -> None:
    result = {"statusCode": 200, "headers": {"Content-Type": "text/plain; charset=utf-8", "X-Count": 3}, "body": "café"}

    response = to_http_response(result, event_format)

    assert response.headers == [("Content-Type", "text/plain; charset=utf-8"), ("X-Count", "3")]
    assert response.body == "café".encode()


@pytest.mark.parametrize("event_format", FORMATS)
def test_base64_body_is_decoded(event_format: str) -> None:
    png = b"\x89PNG\r\n\x1a\n\x00\xff"
    result = {
        "statusCode": 200,
        "body": base64.b64encode(png).decode(),
        "isBase64Encoded": True,
        "headers": {"Content-Type": "image/png"},
    }

    assert to_http_response(result, event_format).body == png


@pytest.mark.parametrize("event_format", FORMATS)
def test_headers_and_multi_value_headers_merge(event_format: str) -> None:
    result = {
        "statusCode": 200,
        "headers": {"Content-Type": "application/json", "X-Trace": "from-headers", "Cache-Control": "no-store"},
        # Same key in a different case: multiValueHeaders wins.
        "multiValueHeaders": {"x-trace": ["one", "two"], "Set-Cookie": ["a=1", "b=2"]},
    }

    response = to_http_response(result, event_format)

    assert sorted(response.headers) == sorted(
        [
            ("Content-Type", "application/json"),
            ("Cache-Control", "no-store"),
            ("x-trace", "one"),
            ("x-trace", "two"),
            ("Set-Cookie", "a=1"),
            ("Set-Cookie", "b=2"),
        ]
    )


def test_v2_cookies_become_set_cookie_headers() -> None:
    result = {
        "statusCode": 200,
        "cookies": ["session=abc; HttpOnly", "theme=dark"],
        "headers": {"Content-Type": "text/plain"},
        "body": "ok",
    }

    response = to_http_response(result, "apigw-http")

    assert [value for name, value in response.headers if name == "Set-Cookie"] == [
        "session=abc; HttpOnly",
        "theme=dark",
    ]


@pytest.mark.parametrize(
    "result",
    [{"tasks": [1, 2]}, [1, 2, 3], "hello", 42, None, {"message": "no statusCode here"}],
    ids=["dict", "list", "string", "number", "null", "dict-with-message"],
)
def test_v2_infers_a_200_json_response(result: Any) -> None:
    response = to_http_response(result, "apigw-http")

    assert response.status == 200
    assert response.headers == [("Content-Type", "application/json")]
    assert json.loads(response.body) == result


def test_v2_rejects_a_result_that_is_not_json() -> None:
    with pytest.raises(MalformedResult):
        to_http_response({"when": object()}, "apigw-http")


@pytest.mark.parametrize("event_format", ["alb", "apigw-rest"])
@pytest.mark.parametrize("result", [[1, 2], "hello", None, 200], ids=["list", "string", "null", "number"])
def test_non_dict_result_is_malformed_in_v1_and_alb(event_format: str, result: Any) -> None:
    with pytest.raises(MalformedResult):
        to_http_response(result, event_format)


@pytest.mark.parametrize("event_format", FORMATS)
@pytest.mark.parametrize(
    "result",
    [
        {"statusCode": None},
        {"statusCode": "OK"},
        {"statusCode": ""},
        {"statusCode": "20x"},
        {"statusCode": 200.0},
        {"statusCode": [200]},
        {"statusCode": 99},
        {"statusCode": 600},
        {"statusCode": "700"},
        {"statusCode": -200},
        {"statusCode": True},
        {"statusCode": False},
        {"statusCode": 200, "body": {"not": "a string"}},
        {"statusCode": 200, "body": b"bytes"},
        {"statusCode": 200, "body": 12},
        {"statusCode": 200, "headers": {"X-Evil": "a\r\nSet-Cookie: stolen=1"}},
        {"statusCode": 200, "headers": {"X-Evil": "line\nbreak"}},
        {"statusCode": 200, "multiValueHeaders": {"X-Evil": ["ok", "bad\r\n"]}},
        {"statusCode": 200, "multiValueHeaders": {"X-One": "not-a-list"}},
        {"statusCode": 200, "headers": ["X-One", "1"]},
        {"statusCode": 200, "headers": {"X-Nested": {"a": 1}}},
        {"statusCode": 200, "headers": {"Bad Name": "v"}},
        {"statusCode": 200, "headers": {"X-Name\n": "v"}},
        {"statusCode": 200, "headers": {"X-Control": "bell\x07"}},
        {"statusCode": 200, "headers": {"X-Delete": "a\x7f"}},
        {"statusCode": 200, "headers": {"X-Wide": "日本"}},
        {"statusCode": 200, "multiValueHeaders": {"X-Nul": ["a\x00b"]}},
        {"statusCode": 200, "body": "not base64!!", "isBase64Encoded": True},
    ],
    ids=lambda result: json.dumps(result, default=repr),
)
def test_garbage_is_malformed(event_format: str, result: dict[str, Any]) -> None:
    with pytest.raises(MalformedResult):
        to_http_response(result, event_format)


def test_status_code_string_with_an_underscore_is_malformed() -> None:
    # Python's int() accepts "2_00" (PEP 515 digit grouping); "2_00" is not a digit string.
    with pytest.raises(MalformedResult, match="statusCode"):
        to_http_response({"statusCode": "2_00"}, "apigw-rest")


def test_missing_status_code_is_malformed_outside_v2() -> None:
    with pytest.raises(MalformedResult, match="statusCode"):
        to_http_response({"body": "hi"}, "apigw-rest")
    with pytest.raises(MalformedResult, match="statusCode"):
        to_http_response({"body": "hi"}, "alb")


def test_v2_cookie_with_a_line_break_is_malformed() -> None:
    with pytest.raises(MalformedResult):
        to_http_response({"statusCode": 200, "cookies": ["a=1\r\nX-Evil: 1"]}, "apigw-http")


def test_v2_cookies_must_be_a_list() -> None:
    with pytest.raises(MalformedResult):
        to_http_response({"statusCode": 200, "cookies": "a=1"}, "apigw-http")


@pytest.mark.parametrize("event_format", FORMATS)
def test_hop_by_hop_headers_from_the_handler_are_dropped(event_format: str) -> None:
    result = {
        "statusCode": 200,
        "headers": {
            "Connection": "close",
            "Transfer-Encoding": "chunked",
            "Content-Length": "999",
            "Keep-Alive": "timeout=5",
            "Content-Type": "text/plain",
            "X-Kept": "yes",
        },
        "multiValueHeaders": {"content-length": ["1"], "Upgrade": ["h2c"]},
        "body": "short",
    }

    response = to_http_response(result, event_format)

    assert response.headers == [("Content-Type", "text/plain"), ("X-Kept", "yes")]
    assert response.body == b"short"


def test_rest_defaults_the_content_type_to_json() -> None:
    response = to_http_response({"statusCode": 200, "body": "{}"}, "apigw-rest")

    assert response.headers == [("Content-Type", "application/json")]


@pytest.mark.parametrize(
    "headers", [{"headers": {"content-type": "text/csv"}}, {"multiValueHeaders": {"CONTENT-TYPE": ["text/csv"]}}]
)
def test_rest_keeps_a_content_type_given_in_any_case(headers: dict[str, Any]) -> None:
    response = to_http_response({"statusCode": 200, "body": "a,b", **headers}, "apigw-rest")

    assert [value for name, value in response.headers if name.lower() == "content-type"] == ["text/csv"]


def test_alb_adds_no_content_type() -> None:
    assert to_http_response({"statusCode": 200, "body": "{}"}, "alb").headers == []


@pytest.mark.parametrize("event_format", FORMATS)
def test_an_iterator_body_is_streamed_not_joined(event_format: str) -> None:
    chunks = iter(["a,b\r\n", "c,d\r\n"])
    response = to_http_response(
        {"statusCode": 200, "headers": {"Content-Type": "text/csv"}, "body": chunks}, event_format
    )

    assert response.stream is chunks  # untouched: the runtime sends it as it comes
    assert response.body == b""


def test_a_streamed_body_cannot_claim_base64() -> None:
    with pytest.raises(MalformedResult, match="streamed"):
        to_http_response({"statusCode": 200, "body": iter(["x"]), "isBase64Encoded": True}, "alb")


@pytest.mark.parametrize("body", [["a", "b"], ("a",), {"a": 1}, b"bytes"])
def test_a_list_or_bytes_body_is_still_malformed(body: Any) -> None:
    with pytest.raises(MalformedResult):
        to_http_response({"statusCode": 200, "body": body}, "alb")


@pytest.mark.parametrize("event_format", FORMATS)
def test_a_tab_and_latin_1_text_are_valid_header_values(event_format: str) -> None:
    result = {"statusCode": 200, "headers": {"X-Tab": "a\tb", "X-Latin": "café"}}

    assert to_http_response(result, event_format).headers[:2] == [("X-Tab", "a\tb"), ("X-Latin", "café")]


def test_a_header_name_is_checked_every_time_it_comes_back() -> None:
    # Names are remembered once checked; a hop-by-hop one must still be dropped the second time.
    for _ in range(2):
        response = to_http_response({"statusCode": 200, "headers": {"Connection": "close", "X-Kept": "1"}}, "alb")
        assert response.headers == [("X-Kept", "1")]
