"""HTTP request → Lambda event: shape against AWS samples, Powertools compatibility, per-format semantics.

The samples under aws_events/ follow the events AWS publishes (Elastic Load Balancing
"Lambda functions as targets", API Gateway proxy integration input formats) and the copies
Powertools for AWS Lambda (Python) keeps in tests/events/.
"""

from __future__ import annotations

import base64
import gzip
import json
from typing import Any

import pytest
from aws_lambda_powertools.event_handler import ALBResolver, APIGatewayHttpResolver, APIGatewayRestResolver
from aws_lambda_powertools.utilities.parser.models import (
    AlbModel,
    APIGatewayProxyEventModel,
    APIGatewayProxyEventV2Model,
)

from functions.runtime.http_events import alb_event, http_api_event, is_text, rest_event
from functions.runtime.http_results import to_http_response

from .support import ACCOUNT_ID, FUNCTION_NAME, REGION, aws_sample, make_context, make_request, target_for

# A request that exercises every part of an event: route with a parameter, repeated query
# keys, an encoded query value, cookies, a JSON body.
ROUTES = "POST /tasks/{task_id}, GET /tasks"
FULL_REQUEST = make_request(
    "POST",
    "/tasks/42?tag=home&tag=work&q=milk%20and%20eggs",
    headers=[
        ("Host", "tasks.example.com"),
        ("User-Agent", "curl/8.5.0"),
        ("Accept", "*/*"),
        ("Content-Type", "application/json"),
        ("Cookie", "session=abc123; theme=dark"),
        ("X-Forwarded-For", "198.51.100.4"),
    ],
    body=b'{"title": "Buy milk"}',
)


def build(event_format: str, request: Any = FULL_REQUEST, routes: str | None = ROUTES) -> dict[str, Any]:
    target = target_for(request, routes)
    if event_format == "alb":
        return alb_event(request, target, multi_value=False)
    if event_format == "alb-multi":
        return alb_event(request, target, multi_value=True)
    if event_format == "apigw-rest":
        return rest_event(request, target)
    return http_api_event(request, target)


# ---------------------------------------------------------------------------------------------
# 1. Every key of the AWS sample is in our event, recursively, with a compatible type.
# ---------------------------------------------------------------------------------------------

# Name → value maps: their keys are request data, not structure, so only value types compare.
DATA_MAPS = {
    "headers",
    "multiValueHeaders",
    "queryStringParameters",
    "multiValueQueryStringParameters",
    "pathParameters",
    "stageVariables",
}

# Keys of a sample that AWS only sends in special set-ups, which our runtime does not have.
ALLOWED_MISSING: dict[str, dict[str, str]] = {
    "alb.json": {},
    "alb_multi_value_headers.json": {},
    "apigw_rest_proxy.json": {
        # Sent by HTTP APIs using payload format 1.0; REST APIs leave it out.
        "version": "payload format 1.0 of HTTP APIs only",
        # Present only when a Cognito or Lambda authorizer is attached to the method.
        "requestContext.authorizer": "authorizer configured",
    },
    "apigw_http_v2.json": {
        # Present only with mutual TLS on a custom domain.
        "requestContext.authentication": "mutual TLS",
        # Present only when a JWT, Lambda or IAM authorizer is attached to the route.
        "requestContext.authorizer": "authorizer configured",
        # Present only when the stage defines stage variables.
        "stageVariables": "stage variables defined",
    },
}

# Paths where our event may carry null although the sample has a value, because AWS sends
# null in the set-up our runtime reproduces.
NULL_ALLOWED: dict[str, set[str]] = {
    "alb.json": set(),
    "alb_multi_value_headers.json": set(),
    # clientCert is null unless mutual TLS is enabled.
    "apigw_rest_proxy.json": {"requestContext.identity.clientCert"},
    "apigw_http_v2.json": set(),
}

SAMPLES = [
    ("alb.json", "alb"),
    ("alb_multi_value_headers.json", "alb-multi"),
    ("apigw_rest_proxy.json", "apigw-rest"),
    ("apigw_http_v2.json", "apigw-http"),
]


def _kind(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "bool"
    if isinstance(value, int | float):
        return "number"
    return {dict: "object", list: "array", str: "string"}.get(type(value), type(value).__name__)


def _data_map_problems(where: str, expected: dict[str, Any], actual: Any) -> list[str]:
    if not isinstance(actual, dict):
        return [f"{where}: expected object, got {_kind(actual)}"]
    value_kinds = {_kind(value) for value in expected.values()}
    problems = [
        f"{where}[{key!r}]: expected {'/'.join(sorted(value_kinds))}, got {_kind(value)}"
        for key, value in actual.items()
        if value_kinds and _kind(value) not in value_kinds
    ]
    if value_kinds == {"array"}:
        problems += [
            f"{where}[{key!r}]: list items must be strings"
            for key, values in actual.items()
            if not all(isinstance(item, str) for item in values)
        ]
    return problems


def shape_problems(
    sample: dict[str, Any], ours: dict[str, Any], allowed_missing: set[str], null_allowed: set[str], prefix: str = ""
) -> list[str]:
    problems: list[str] = []
    for key, expected in sample.items():
        where = f"{prefix}{key}"
        if where in allowed_missing:
            continue
        if key not in ours:
            problems.append(f"missing {where}")
            continue
        actual = ours[key]
        if expected is None:
            continue  # AWS sends null here: any value will do
        if actual is None:
            if where not in null_allowed:
                problems.append(f"{where}: null where AWS sends {_kind(expected)}")
            continue
        if not prefix and key in DATA_MAPS:
            problems += _data_map_problems(where, expected, actual)
        elif _kind(actual) != _kind(expected):
            problems.append(f"{where}: expected {_kind(expected)}, got {_kind(actual)}")
        elif isinstance(expected, dict):
            problems += shape_problems(expected, actual, allowed_missing, null_allowed, f"{where}.")
    return problems


@pytest.mark.parametrize(("sample_name", "event_format"), SAMPLES)
def test_event_carries_every_key_of_the_aws_sample(sample_name: str, event_format: str) -> None:
    sample = aws_sample(sample_name)

    ours = build(event_format)

    assert shape_problems(sample, ours, set(ALLOWED_MISSING[sample_name]), NULL_ALLOWED[sample_name]) == []


@pytest.mark.parametrize(("sample_name", "event_format"), SAMPLES)
def test_allow_lists_name_keys_the_sample_really_has(sample_name: str, event_format: str) -> None:
    # Keeps the allow-lists honest: an entry that no longer names a sample key is stale.
    sample = aws_sample(sample_name)
    for path in [*ALLOWED_MISSING[sample_name], *NULL_ALLOWED[sample_name]]:
        node: Any = sample
        for part in path.split("."):
            assert isinstance(node, dict), f"{sample_name}: {path} is not under an object"
            assert part in node, f"{sample_name} has no {path}"
            node = node[part]


def test_shape_check_reports_a_missing_nested_key_and_a_wrong_type() -> None:
    sample = {"requestContext": {"elb": {"targetGroupArn": "arn"}}, "body": "", "headers": {"a": "b"}}
    ours = {"requestContext": {"elb": {}}, "body": [], "headers": {"a": ["b"]}}

    assert shape_problems(sample, ours, set(), set()) == [
        "missing requestContext.elb.targetGroupArn",
        "body: expected string, got array",
        "headers['a']: expected string, got array",
    ]


# ---------------------------------------------------------------------------------------------
# 2. Powertools resolvers route our events; Powertools parser models validate them.
# ---------------------------------------------------------------------------------------------


def _echo_app(resolver: Any) -> Any:
    app = resolver

    @app.post("/tasks/<task_id>")
    def create_task(task_id: str) -> dict[str, Any]:
        event = app.current_event
        return {
            "task_id": task_id,
            # The fields Powertools itself reads when it validates parameters.
            "query": event.resolved_query_string_parameters,
            "user_agent": event.resolved_headers_field.get("user-agent"),
            "body": event.json_body,
        }

    return app


@pytest.mark.parametrize(
    ("event_format", "resolver", "query", "user_agent"),
    [
        # ALB passes the query through undecoded, and the resolver keeps it so by default.
        ("alb", ALBResolver(), {"tag": ["work"], "q": ["milk%20and%20eggs"]}, "curl/8.5.0"),
        ("alb-multi", ALBResolver(), {"tag": ["home", "work"], "q": ["milk%20and%20eggs"]}, ["curl/8.5.0"]),
        ("apigw-rest", APIGatewayRestResolver(), {"tag": ["home", "work"], "q": ["milk and eggs"]}, ["curl/8.5.0"]),
        ("apigw-http", APIGatewayHttpResolver(), {"tag": ["home", "work"], "q": ["milk and eggs"]}, "curl/8.5.0"),
    ],
    ids=["alb", "alb-multi", "apigw-rest", "apigw-http"],
)
def test_powertools_resolver_routes_our_event(
    event_format: str, resolver: Any, query: dict[str, list[str]], user_agent: Any
) -> None:
    app = _echo_app(resolver)

    result = app.resolve(build(event_format), make_context())

    assert result["statusCode"] == 200
    assert json.loads(result["body"]) == {
        "task_id": "42",
        "query": query,
        "user_agent": user_agent,
        "body": {"title": "Buy milk"},
    }


@pytest.mark.parametrize("event_format", ["alb", "alb-multi"])
def test_alb_resolver_decodes_the_query_when_asked(event_format: str) -> None:
    app = _echo_app(ALBResolver(decode_query_parameters=True))

    result = app.resolve(build(event_format), make_context())

    assert json.loads(result["body"])["query"]["q"] == ["milk and eggs"]


def test_http_resolver_sees_cookies() -> None:
    app = APIGatewayHttpResolver()

    @app.get("/tasks")
    def list_tasks() -> dict[str, Any]:
        return {"cookies": app.current_event.cookies}

    request = make_request("GET", "/tasks", headers=[("Host", "h"), ("Cookie", "a=1; b=2")])
    result = app.resolve(build("apigw-http", request), make_context())

    assert json.loads(result["body"]) == {"cookies": ["a=1", "b=2"]}


@pytest.mark.parametrize("event_format", ["alb", "alb-multi", "apigw-rest", "apigw-http"])
def test_resolver_response_goes_back_to_http(event_format: str) -> None:
    app = _echo_app(
        {
            "alb": ALBResolver,
            "alb-multi": ALBResolver,
            "apigw-rest": APIGatewayRestResolver,
            "apigw-http": APIGatewayHttpResolver,
        }[event_format]()
    )

    result = app.resolve(build(event_format), make_context())
    response = to_http_response(result, "alb" if event_format == "alb-multi" else event_format)

    assert response.status == 200
    assert ("Content-Type", "application/json") in response.headers
    assert json.loads(response.body)["task_id"] == "42"


def test_alb_model_validates_our_event() -> None:
    # AlbModel requires `headers` and `queryStringParameters`, so it only fits single-value mode;
    # the multi-value mode is covered by the ALBResolver tests above.
    model = AlbModel.model_validate(build("alb"))

    assert model.path == "/tasks/42"
    assert model.headers["user-agent"] == "curl/8.5.0"
    assert model.queryStringParameters["q"] == "milk%20and%20eggs"
    assert model.requestContext.elb.targetGroupArn.startswith(f"arn:aws:elasticloadbalancing:{REGION}:")


def test_rest_model_validates_our_event() -> None:
    model = APIGatewayProxyEventModel.model_validate(build("apigw-rest"))

    assert model.resource == "/tasks/{task_id}"
    assert model.pathParameters == {"task_id": "42"}
    assert model.multiValueQueryStringParameters == {"tag": ["home", "work"], "q": ["milk and eggs"]}
    assert model.requestContext.requestId == FULL_REQUEST.request_id
    assert model.requestContext.requestTimeEpoch.timestamp() == pytest.approx(FULL_REQUEST.received_at, abs=0.001)


def test_http_api_model_validates_our_event() -> None:
    model = APIGatewayProxyEventV2Model.model_validate(build("apigw-http"))

    assert model.routeKey == "POST /tasks/{task_id}"
    assert model.cookies == ["session=abc123", "theme=dark"]
    assert model.requestContext.http.method == "POST"
    assert str(model.requestContext.http.sourceIp).startswith(FULL_REQUEST.source_ip)
    assert model.requestContext.accountId == ACCOUNT_ID


# ---------------------------------------------------------------------------------------------
# 3. Semantics per format.
# ---------------------------------------------------------------------------------------------


class TestAlb:
    def test_query_string_is_passed_through_undecoded(self) -> None:
        request = make_request("GET", "/search?x=a%20b&y=c+d&z=%2F")

        event = alb_event(request, target_for(request), multi_value=False)

        assert event["queryStringParameters"] == {"x": "a%20b", "y": "c+d", "z": "%2F"}

    def test_last_repeated_value_wins_in_single_value_mode(self) -> None:
        request = make_request("GET", "/search?tag=a&tag=b", headers=[("X-Tag", "1"), ("X-Tag", "2")])

        event = alb_event(request, target_for(request), multi_value=False)

        assert event["queryStringParameters"] == {"tag": "b"}
        assert event["headers"]["x-tag"] == "2"
        assert "multiValueHeaders" not in event
        assert "multiValueQueryStringParameters" not in event

    def test_multi_value_mode_gives_lists_for_headers_and_query(self) -> None:
        request = make_request(
            "GET", "/search?tag=a&tag=b%20c&one=1", headers=[("X-Tag", "1"), ("X-Tag", "2"), ("Host", "h")]
        )

        event = alb_event(request, target_for(request), multi_value=True)

        assert event["multiValueQueryStringParameters"] == {"tag": ["a", "b%20c"], "one": ["1"]}
        assert event["multiValueHeaders"] == {"x-tag": ["1", "2"], "host": ["h"]}
        assert "headers" not in event
        assert "queryStringParameters" not in event

    def test_header_names_are_lower_case(self) -> None:
        request = make_request("GET", "/", headers=[("X-Request-ID", "abc"), ("Content-Type", "text/plain")])

        event = alb_event(request, target_for(request), multi_value=False)

        assert set(event["headers"]) == {"x-request-id", "content-type"}

    def test_request_without_query_or_body(self) -> None:
        request = make_request("GET", "/health")

        event = alb_event(request, target_for(request), multi_value=False)

        assert event["queryStringParameters"] == {}
        assert event["body"] == ""
        assert event["isBase64Encoded"] is False
        assert event["path"] == "/health"
        assert event["httpMethod"] == "GET"

    def test_target_group_arn_names_region_account_and_function(self) -> None:
        request = make_request()

        event = alb_event(request, target_for(request), multi_value=False)

        arn = event["requestContext"]["elb"]["targetGroupArn"]
        assert arn.startswith(f"arn:aws:elasticloadbalancing:{REGION}:{ACCOUNT_ID}:targetgroup/{FUNCTION_NAME}/")


class TestRest:
    def test_query_values_are_decoded_with_plus_as_space(self) -> None:
        request = make_request("GET", "/search?q=milk+and%20eggs&path=%2Fa%2Fb&k%C3%A9y=v")

        event = rest_event(request, target_for(request))

        assert event["queryStringParameters"] == {"q": "milk and eggs", "path": "/a/b", "kéy": "v"}

    def test_repeated_query_keys(self) -> None:
        request = make_request("GET", "/search?tag=a&tag=b&one=1")

        event = rest_event(request, target_for(request))

        assert event["multiValueQueryStringParameters"] == {"tag": ["a", "b"], "one": ["1"]}
        assert event["queryStringParameters"] == {"tag": "b", "one": "1"}

    def test_headers_and_multi_value_headers(self) -> None:
        request = make_request("GET", "/", headers=[("Accept", "a/b"), ("X-Tag", "1"), ("X-Tag", "2")])

        event = rest_event(request, target_for(request))

        assert event["headers"] == {"Accept": "a/b", "X-Tag": "2"}
        assert event["multiValueHeaders"] == {"Accept": ["a/b"], "X-Tag": ["1", "2"]}

    def test_path_and_path_parameters_keep_percent_encoding(self) -> None:
        request = make_request("GET", "/files/report%202024%2Fq1.pdf")

        event = rest_event(request, target_for(request, "GET /files/{name}"))

        assert event["path"] == "/files/report%202024%2Fq1.pdf"
        assert event["requestContext"]["path"] == "/files/report%202024%2Fq1.pdf"
        assert event["pathParameters"] == {"name": "report%202024%2Fq1.pdf"}

    def test_resource_comes_from_the_matched_route(self) -> None:
        request = make_request("DELETE", "/tasks/9/notes/3")

        event = rest_event(request, target_for(request, "ANY /tasks/{task_id}/notes/{note_id}, ANY /{proxy+}"))

        assert event["resource"] == "/tasks/{task_id}/notes/{note_id}"
        assert event["requestContext"]["resourcePath"] == "/tasks/{task_id}/notes/{note_id}"
        assert event["pathParameters"] == {"task_id": "9", "note_id": "3"}
        assert event["httpMethod"] == event["requestContext"]["httpMethod"] == "DELETE"

    def test_without_a_route_the_event_is_a_greedy_proxy(self) -> None:
        request = make_request("GET", "/a/b")

        event = rest_event(request, target_for(request))

        assert event["resource"] == "/{proxy+}"
        assert event["pathParameters"] == {"proxy": "a/b"}

    def test_root_without_a_route_has_no_empty_proxy_parameter(self) -> None:
        # API Gateway never sends an empty greedy parameter: "/" is the root resource, not /{proxy+}.
        request = make_request("GET", "/")

        event = rest_event(request, target_for(request))

        assert event["pathParameters"] is None
        assert event["resource"] == event["requestContext"]["resourcePath"] == "/"

    def test_request_id_and_request_time(self) -> None:
        request = make_request("GET", "/", request_id="abc-123")

        event = rest_event(request, target_for(request))

        context = event["requestContext"]
        assert context["requestId"] == "abc-123"
        assert context["requestTime"] == "01/May/2024:08:00:00 +0000"
        assert context["requestTimeEpoch"] == 1_714_550_400_250
        assert context["identity"]["sourceIp"] == request.source_ip

    def test_empty_parts_are_null_as_api_gateway_sends_them(self) -> None:
        request = make_request("GET", "/tasks")

        event = rest_event(request, target_for(request, "GET /tasks"))

        assert event["headers"] is None
        assert event["multiValueHeaders"] is None
        assert event["queryStringParameters"] is None
        assert event["multiValueQueryStringParameters"] is None
        assert event["pathParameters"] is None
        assert event["stageVariables"] is None
        assert event["body"] is None
        assert event["isBase64Encoded"] is False


class TestHttpApi:
    def test_raw_path_and_raw_query_string_are_untouched(self) -> None:
        request = make_request("GET", "/files/a%2Fb?q=milk+and%20eggs&q=x&z=%2F")

        event = http_api_event(request, target_for(request))

        assert event["rawPath"] == "/files/a%2Fb"
        assert event["rawQueryString"] == "q=milk+and%20eggs&q=x&z=%2F"

    def test_query_string_parameters_are_decoded_and_comma_joined(self) -> None:
        request = make_request("GET", "/search?q=milk+and%20eggs&q=x&z=%2F")

        event = http_api_event(request, target_for(request))

        assert event["queryStringParameters"] == {"q": "milk and eggs,x", "z": "/"}

    def test_repeated_headers_are_lower_case_and_comma_joined(self) -> None:
        request = make_request("GET", "/", headers=[("X-Tag", "1"), ("Accept", "a/b"), ("X-Tag", "2")])

        event = http_api_event(request, target_for(request))

        assert event["headers"] == {"x-tag": "1,2", "accept": "a/b"}

    def test_cookie_header_becomes_cookies_array(self) -> None:
        request = make_request("GET", "/", headers=[("Cookie", "a=1; b=2"), ("Cookie", "c=3"), ("Host", "h")])

        event = http_api_event(request, target_for(request))

        assert event["cookies"] == ["a=1", "b=2", "c=3"]
        assert "cookie" not in event["headers"]

    def test_route_key_from_the_route(self) -> None:
        request = make_request("PATCH", "/tasks/7")

        event = http_api_event(request, target_for(request, "PATCH /tasks/{task_id}"))

        assert event["routeKey"] == event["requestContext"]["routeKey"] == "PATCH /tasks/{task_id}"
        assert event["pathParameters"] == {"task_id": "7"}

    def test_route_key_default_without_a_route(self) -> None:
        request = make_request("GET", "/anything")

        event = http_api_event(request, target_for(request))

        assert event["routeKey"] == event["requestContext"]["routeKey"] == "$default"
        assert "pathParameters" not in event

    def test_optional_parts_are_left_out_when_empty(self) -> None:
        request = make_request("GET", "/")

        event = http_api_event(request, target_for(request))

        for key in ("cookies", "queryStringParameters", "pathParameters", "body"):
            assert key not in event
        assert event["rawQueryString"] == ""
        assert event["isBase64Encoded"] is False

    def test_request_context(self) -> None:
        request = make_request(
            "PUT", "/x", headers=[("Host", "api.example.com"), ("User-Agent", "ua/1")], request_id="rid-9"
        )

        event = http_api_event(request, target_for(request))

        context = event["requestContext"]
        assert context["requestId"] == "rid-9"
        assert context["domainName"] == "api.example.com"
        assert context["domainPrefix"] == "api"
        assert context["http"] == {
            "method": "PUT",
            "path": "/x",
            "protocol": "HTTP/1.1",
            "sourceIp": request.source_ip,
            "userAgent": "ua/1",
        }
        assert context["timeEpoch"] == 1_714_550_400_250
        assert event["version"] == "2.0"


BUILDERS = ["alb", "alb-multi", "apigw-rest", "apigw-http"]
PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR"


@pytest.mark.parametrize("event_format", BUILDERS)
@pytest.mark.parametrize(
    ("headers", "body"),
    [
        ([("Content-Type", "image/png")], PNG),
        ([("Content-Type", "application/json"), ("Content-Encoding", "gzip")], gzip.compress(b'{"a": 1}')),
        ([("Content-Type", "application/octet-stream")], b"plain ascii but declared binary"),
        ([("Content-Type", "text/plain")], b"caf\xe9 is latin-1, not UTF-8"),
    ],
    ids=["png", "gzip-json", "octet-stream", "text-not-utf8"],
)
def test_non_text_bodies_arrive_base64(event_format: str, headers: list[tuple[str, str]], body: bytes) -> None:
    request = make_request("POST", "/upload", headers=headers, body=body)

    event = build(event_format, request, routes=None)

    assert event["isBase64Encoded"] is True
    assert base64.b64decode(event["body"]) == body


@pytest.mark.parametrize("event_format", BUILDERS)
@pytest.mark.parametrize(
    "content_type",
    [
        "application/json",
        "application/json; charset=utf-8",
        "text/plain",
        "text/csv",
        "application/vnd.api+json",
        "application/x-www-form-urlencoded",
        "application/xml",
    ],
)
def test_text_bodies_arrive_as_text(event_format: str, content_type: str) -> None:
    body = '{"title": "café ☕"}'.encode()
    request = make_request("POST", "/upload", headers=[("Content-Type", content_type)], body=body)

    event = build(event_format, request, routes=None)

    assert event["isBase64Encoded"] is False
    assert event["body"] == '{"title": "café ☕"}'


@pytest.mark.parametrize(
    ("content_type", "content_encoding", "expected"),
    [
        (None, None, True),
        ("TEXT/HTML; charset=UTF-8", None, True),
        ("application/problem+json", None, True),
        ("application/atom+xml", None, True),
        ("image/svg+xml", None, True),
        ("application/json", "identity", True),
        ("application/json", "br", False),
        ("application/pdf", None, False),
        ("multipart/form-data; boundary=x", None, False),
    ],
)
def test_is_text(content_type: str | None, content_encoding: str | None, expected: bool) -> None:
    assert is_text(content_type, content_encoding) is expected
