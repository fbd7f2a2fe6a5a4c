"""The runtime as a WSGI application, called directly with hand-built environs and fake handlers."""

from __future__ import annotations

import threading
import time
import uuid
from collections.abc import Iterator
from dataclasses import replace
from typing import Any

import pytest
from cloudevents.core.bindings.http import to_binary_event, to_structured_event
from cloudevents.core.v1.event import CloudEvent

from functions.runtime import app as app_module
from functions.runtime.app import LIVENESS_PATH, READINESS_PATH, RuntimeApp
from functions.runtime.config import RuntimeConfig
from functions.runtime.routes import parse_routes

from .support import ACCOUNT_ID, FUNCTION_NAME, REGION, call_wsgi, make_environ

TRACEPARENT = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"
BASE = RuntimeConfig(
    handler_path="tests.unit.runtime.handler_module.handler",
    function_name=FUNCTION_NAME,
    function_timeout=3.0,
    memory_mb=512,
    region=REGION,
    account_id=ACCOUNT_ID,
)


def configured(event_format: str = "alb", routes: str | None = None, **changes: Any) -> RuntimeConfig:
    return replace(BASE, event_format=event_format, routes=parse_routes(routes) if routes else (), **changes)


class RecordingHandler:
    """A handler that records what it was given and answers with a fixed result."""

    def __init__(self, result: Any = None, error: Exception | None = None) -> None:
        self.result = {"statusCode": 200, "body": "ok"} if result is None else result
        self.error = error
        self.calls: list[tuple[dict[str, Any], Any]] = []

    def __call__(self, event: dict[str, Any], context: Any) -> Any:
        self.calls.append((event, context))
        if self.error:
            raise self.error
        return self.result

    @property
    def event(self) -> dict[str, Any]:
        assert len(self.calls) == 1
        return self.calls[0][0]

    @property
    def context(self) -> Any:
        assert len(self.calls) == 1
        return self.calls[0][1]


@pytest.fixture(autouse=True)
def no_wire_headers_left_behind() -> Iterator[None]:
    yield
    app_module.wire_headers.value = None


def cloudevent_environ(mode: str = "binary", data: Any = None, **attributes: Any) -> dict[str, Any]:
    attributes = {
        "type": "com.taskforge.reminder.due",
        "source": "/taskforge/reminders",
        "id": "evt-77",
        "datacontenttype": "application/json",
        **attributes,
    }
    build = to_binary_event if mode == "binary" else to_structured_event
    http = build(CloudEvent(attributes, {"task_id": 42} if data is None else data))
    return make_environ("POST", "/", headers=dict(http.headers), body=http.body)


# ---------------------------------------------------------------------------------------------
# Probes
# ---------------------------------------------------------------------------------------------


class TestProbes:
    def test_liveness_and_readiness(self) -> None:
        handler = RecordingHandler()
        app = RuntimeApp(configured(), handler)

        live = call_wsgi(app, make_environ("GET", LIVENESS_PATH))
        ready = call_wsgi(app, make_environ("GET", READINESS_PATH))

        assert (live.status, live.body) == (200, b"live\n")
        assert (ready.status, ready.body) == (200, b"ready\n")
        assert handler.calls == []

    def test_readiness_fails_once_draining_but_liveness_holds(self) -> None:
        draining = threading.Event()
        app = RuntimeApp(configured(), RecordingHandler(), draining)

        draining.set()

        assert call_wsgi(app, make_environ("GET", READINESS_PATH)).status == 503
        assert call_wsgi(app, make_environ("GET", LIVENESS_PATH)).status == 200

    def test_unknown_runtime_path_is_404_and_never_reaches_the_handler(self) -> None:
        handler = RecordingHandler()
        app = RuntimeApp(configured(routes="ANY /{proxy+}"), handler)

        response = call_wsgi(app, make_environ("GET", "/__runtime/other"))

        assert response.status == 404
        assert response.header("Content-Type") == "application/problem+json"
        assert handler.calls == []


# ---------------------------------------------------------------------------------------------
# Body limit
# ---------------------------------------------------------------------------------------------


class TestBodyLimit:
    def test_content_length_over_the_limit_is_413(self) -> None:
        handler = RecordingHandler()
        app = RuntimeApp(configured(max_body_bytes=10), handler)
        environ = make_environ("POST", "/upload", headers={"X-Request-Id": "big-1"}, body=b"x" * 11)

        response = call_wsgi(app, environ)

        assert response.status == 413
        assert response.header("Content-Type") == "application/problem+json"
        assert response.header("Connection") == "close"
        assert response.json()["status"] == 413
        assert response.json()["request_id"] == "big-1"
        assert handler.calls == []

    def test_declared_length_alone_decides(self) -> None:
        # The limit is enforced before reading: a large Content-Length is refused unread.
        app = RuntimeApp(configured(max_body_bytes=10), RecordingHandler())
        environ = make_environ("POST", "/upload", headers={"Content-Length": "1000000"}, body=b"")

        assert call_wsgi(app, environ).status == 413

    def test_body_without_content_length_over_the_limit_is_413(self) -> None:
        handler = RecordingHandler()
        app = RuntimeApp(configured(max_body_bytes=10), handler)
        environ = make_environ("POST", "/upload", body=b"x" * 11, send_content_length=False)

        assert call_wsgi(app, environ).status == 413
        assert handler.calls == []

    @pytest.mark.parametrize("send_content_length", [True, False])
    def test_body_at_the_limit_reaches_the_handler(self, send_content_length: bool) -> None:
        handler = RecordingHandler()
        app = RuntimeApp(configured(max_body_bytes=10), handler)
        environ = make_environ(
            "POST",
            "/upload",
            headers={"Content-Type": "text/plain"},
            body=b"x" * 10,
            send_content_length=send_content_length,
        )

        assert call_wsgi(app, environ).status == 200
        assert handler.event["body"] == "x" * 10


# ---------------------------------------------------------------------------------------------
# HTTP invocations
# ---------------------------------------------------------------------------------------------


class TestHttp:
    def test_handler_result_becomes_the_response(self) -> None:
        handler = RecordingHandler(
            {
                "statusCode": 201,
                "headers": {"Content-Type": "application/json"},
                "multiValueHeaders": {"Set-Cookie": ["a=1", "b=2"]},
                "body": '{"id": 7}',
            }
        )
        app = RuntimeApp(configured(), handler)

        response = call_wsgi(app, make_environ("POST", "/tasks", body=b"{}"))

        assert response.status == 201
        assert response.json() == {"id": 7}
        assert [value for name, value in response.headers if name == "Set-Cookie"] == ["a=1", "b=2"]
        assert response.header("Content-Length") == str(len(response.body))

    @pytest.mark.parametrize("event_format", ["alb", "apigw-rest", "apigw-http"])
    def test_handler_that_raises_costs_a_502_problem(self, event_format: str) -> None:
        app = RuntimeApp(configured(event_format), RecordingHandler(error=RuntimeError("boom")))

        response = call_wsgi(app, make_environ("GET", "/tasks", headers={"X-Request-Id": "req-502"}))

        assert response.status == 502
        assert response.header("Content-Type") == "application/problem+json"
        problem = response.json()
        assert problem["status"] == 502
        assert problem["request_id"] == "req-502"
        assert "boom" not in problem["detail"]  # internals stay in the log

    @pytest.mark.parametrize(
        ("event_format", "result"),
        [
            ("alb", "not a dict"),
            ("apigw-rest", {"statusCode": "abc"}),
            ("apigw-http", {"statusCode": 1000}),
            ("alb", {"statusCode": 200, "body": {"not": "text"}}),
        ],
    )
    def test_handler_returning_garbage_costs_a_502_problem(self, event_format: str, result: Any) -> None:
        app = RuntimeApp(configured(event_format), RecordingHandler(result))

        response = call_wsgi(app, make_environ("GET", "/tasks"))

        assert response.status == 502
        assert response.header("Content-Type") == "application/problem+json"
        assert uuid.UUID(response.json()["request_id"])

    def test_process_keeps_serving_after_a_failure(self) -> None:
        handler = RecordingHandler(error=RuntimeError("boom"))
        app = RuntimeApp(configured(), handler)
        assert call_wsgi(app, make_environ("GET", "/")).status == 502

        handler.error = None

        assert call_wsgi(app, make_environ("GET", "/")).status == 200

    @pytest.mark.parametrize("event_format", ["apigw-rest", "apigw-http"])
    def test_unrouted_request_is_404_without_calling_the_handler(self, event_format: str) -> None:
        handler = RecordingHandler()
        app = RuntimeApp(configured(event_format, "GET /tasks, GET /tasks/{task_id}"), handler)

        unrouted_path = call_wsgi(app, make_environ("GET", "/projects"))
        unrouted_method = call_wsgi(app, make_environ("DELETE", "/tasks"))

        assert unrouted_path.status == unrouted_method.status == 404
        assert unrouted_path.header("Content-Type") == "application/problem+json"
        assert handler.calls == []

    def test_alb_has_no_routes_to_enforce(self) -> None:
        handler = RecordingHandler()
        app = RuntimeApp(configured("alb", "GET /tasks"), handler)

        assert call_wsgi(app, make_environ("GET", "/projects")).status == 200
        assert handler.event["path"] == "/projects"

    def test_rest_routes_a_trailing_slash_but_keeps_it_in_the_event(self) -> None:
        handler = RecordingHandler()
        app = RuntimeApp(configured("apigw-rest", "GET /tasks/{task_id}"), handler)

        assert call_wsgi(app, make_environ("GET", "/tasks/42/")).status == 200
        assert handler.event["path"] == "/tasks/42/"
        assert handler.event["pathParameters"] == {"task_id": "42"}
        assert handler.event["resource"] == "/tasks/{task_id}"

    def test_http_api_does_not_route_a_trailing_slash(self) -> None:
        handler = RecordingHandler()
        app = RuntimeApp(configured("apigw-http", "GET /tasks/{task_id}"), handler)

        assert call_wsgi(app, make_environ("GET", "/tasks/42/")).status == 404
        assert handler.calls == []

    def test_event_uses_the_raw_target_not_the_decoded_path_info(self) -> None:
        handler = RecordingHandler()
        app = RuntimeApp(configured("apigw-http", "GET /files/{name}"), handler)

        call_wsgi(app, make_environ("GET", "/files/a%2Fb?q=x%20y"))

        assert handler.event["rawPath"] == "/files/a%2Fb"
        assert handler.event["rawQueryString"] == "q=x%20y"
        assert handler.event["pathParameters"] == {"name": "a%2Fb"}

    def test_absolute_form_target(self) -> None:
        handler = RecordingHandler()
        app = RuntimeApp(configured(), handler)
        environ = make_environ("GET", "/ignored")
        environ["RAW_URI"] = "http://tasks.example.com/tasks?done=1"

        call_wsgi(app, environ)

        assert handler.event["path"] == "/tasks"
        assert handler.event["queryStringParameters"] == {"done": "1"}

    def test_environ_without_raw_uri_is_re_encoded(self) -> None:
        handler = RecordingHandler()
        app = RuntimeApp(configured("apigw-http"), handler)
        environ = make_environ("GET", "/files/a%20b?x=1")
        del environ["RAW_URI"]

        call_wsgi(app, environ)

        assert handler.event["rawPath"] == "/files/a%20b"
        assert handler.event["rawQueryString"] == "x=1"

    def test_repeated_headers_from_the_server_reach_a_multi_value_event(self) -> None:
        handler = RecordingHandler()
        app = RuntimeApp(configured(alb_multi_value_headers=True), handler)
        app_module.wire_headers.value = [("Host", "h"), ("X-Tag", "a"), ("X-Tag", "b")]

        call_wsgi(app, make_environ("GET", "/", headers={"Host": "h", "X-Tag": "a,b"}))

        assert handler.event["multiValueHeaders"] == {"host": ["h"], "x-tag": ["a", "b"]}
        assert app_module.wire_headers.value is None  # consumed: never reused for another request

    @pytest.mark.parametrize(
        ("headers", "source_ip"),
        [({"X-Forwarded-For": "198.51.100.4, 10.0.0.1"}, "198.51.100.4"), ({}, "10.1.2.3")],
    )
    def test_source_ip(self, headers: dict[str, str], source_ip: str) -> None:
        handler = RecordingHandler()
        app = RuntimeApp(configured("apigw-http"), handler)

        call_wsgi(app, make_environ("GET", "/", headers=headers))

        assert handler.event["requestContext"]["http"]["sourceIp"] == source_ip

    def test_function_with_routes_treats_ce_headers_as_plain_http(self) -> None:
        handler = RecordingHandler()
        app = RuntimeApp(configured("apigw-rest", "POST /tasks"), handler)
        environ = cloudevent_environ()
        environ["RAW_URI"] = environ["PATH_INFO"] = "/tasks"

        response = call_wsgi(app, environ)

        assert response.status == 200
        assert handler.event["httpMethod"] == "POST"
        assert handler.event["resource"] == "/tasks"
        assert "detail-type" not in handler.event
        assert handler.event["headers"]["Ce-Id"] == "evt-77"


# ---------------------------------------------------------------------------------------------
# CloudEvent invocations
# ---------------------------------------------------------------------------------------------


class TestCloudEvents:
    @pytest.mark.parametrize("mode", ["binary", "structured"])
    def test_cloudevent_becomes_an_eventbridge_event_and_answers_204(self, mode: str) -> None:
        handler = RecordingHandler()
        app = RuntimeApp(configured(), handler)

        response = call_wsgi(app, cloudevent_environ(mode))

        assert (response.status, response.body) == (204, b"")
        event = handler.event
        assert event["id"] == "evt-77"
        assert event["detail-type"] == "com.taskforge.reminder.due"
        assert event["source"] == "/taskforge/reminders"
        assert event["detail"] == {"task_id": 42}
        assert (event["account"], event["region"]) == (ACCOUNT_ID, REGION)

    def test_ping_source_tick_arrives_as_a_scheduled_event(self) -> None:
        handler = RecordingHandler()
        app = RuntimeApp(configured(), handler)

        call_wsgi(
            app,
            cloudevent_environ(
                type="dev.knative.sources.ping", source="/apis/v1/namespaces/taskforge/pingsources/reminders"
            ),
        )

        assert handler.event["detail-type"] == "Scheduled Event"
        assert handler.event["source"] == "aws.events"

    @pytest.mark.parametrize(
        "environ",
        [
            make_environ(
                "POST",
                "/",
                headers={"Ce-Specversion": "1.0", "Ce-Id": "1", "Ce-Type": "t", "Content-Type": "application/json"},
                body=b"{}",
            ),
            make_environ(
                "POST",
                "/",
                headers={
                    "Ce-Specversion": "1.0",
                    "Ce-Id": "1",
                    "Ce-Type": "t",
                    "Ce-Source": "/s",
                    "Content-Type": "application/json",
                },
                body=b"{not json",
            ),
            make_environ("POST", "/", headers={"Content-Type": "application/cloudevents+json"}, body=b"nope"),
            make_environ("POST", "/", headers={"Content-Type": "application/cloudevents-batch+json"}, body=b"[]"),
        ],
        ids=["missing-source", "invalid-json", "structured-garbage", "batch"],
    )
    def test_malformed_cloudevent_is_400_and_never_reaches_the_handler(self, environ: dict[str, Any]) -> None:
        handler = RecordingHandler()
        app = RuntimeApp(configured(), handler)

        response = call_wsgi(app, environ)

        assert response.status == 400
        assert response.header("Content-Type") == "application/problem+json"
        assert handler.calls == []

    def test_handler_that_raises_answers_500_so_knative_retries(self) -> None:
        app = RuntimeApp(configured(), RecordingHandler(error=RuntimeError("db down")))

        response = call_wsgi(app, cloudevent_environ())

        assert response.status == 500
        assert response.json()["request_id"] == "evt-77"

    def test_get_with_ce_headers_is_plain_http(self) -> None:
        handler = RecordingHandler()
        app = RuntimeApp(configured(), handler)
        environ = cloudevent_environ()
        environ["REQUEST_METHOD"] = "GET"

        assert call_wsgi(app, environ).status == 200
        assert handler.event["httpMethod"] == "GET"


# ---------------------------------------------------------------------------------------------
# The Lambda context
# ---------------------------------------------------------------------------------------------


class TestContext:
    def test_identity_fields(self) -> None:
        handler = RecordingHandler()
        app = RuntimeApp(configured(), handler)

        call_wsgi(app, make_environ("GET", "/", headers={"X-Request-Id": "req-abc.123"}))

        context = handler.context
        assert context.aws_request_id == "req-abc.123"
        assert context.function_name == FUNCTION_NAME
        assert context.memory_limit_in_mb == 512
        assert context.invoked_function_arn == f"arn:aws:lambda:{REGION}:{ACCOUNT_ID}:function:{FUNCTION_NAME}"
        assert context.function_version == "$LATEST"
        assert context.log_group_name == f"/aws/lambda/{FUNCTION_NAME}"

    def test_request_id_also_reaches_the_event(self) -> None:
        handler = RecordingHandler()
        app = RuntimeApp(configured("apigw-rest"), handler)

        call_wsgi(app, make_environ("GET", "/", headers={"X-Request-Id": "req-abc"}))

        assert handler.event["requestContext"]["requestId"] == handler.context.aws_request_id == "req-abc"

    @pytest.mark.parametrize("request_id", [None, "", "has spaces", "x" * 129, "semi;colon"])
    def test_missing_or_unsafe_request_id_is_replaced_by_a_uuid(self, request_id: str | None) -> None:
        handler = RecordingHandler()
        app = RuntimeApp(configured(), handler)
        headers = {} if request_id is None else {"X-Request-Id": request_id}

        call_wsgi(app, make_environ("GET", "/", headers=headers))

        assert uuid.UUID(handler.context.aws_request_id).version == 4

    def test_each_request_gets_its_own_generated_id(self) -> None:
        handler = RecordingHandler()
        app = RuntimeApp(configured(), handler)

        call_wsgi(app, make_environ("GET", "/"))
        call_wsgi(app, make_environ("GET", "/"))

        first, second = (context.aws_request_id for _, context in handler.calls)
        assert first != second

    def test_event_request_id_is_the_cloudevent_id(self) -> None:
        handler = RecordingHandler()
        app = RuntimeApp(configured(), handler)

        call_wsgi(app, cloudevent_environ())

        assert handler.context.aws_request_id == "evt-77"

    def test_remaining_time_is_within_the_timeout_and_decreasing(self) -> None:
        readings: list[int] = []

        def handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
            readings.append(context.get_remaining_time_in_millis())
            give_up = time.monotonic() + 1.0
            while context.get_remaining_time_in_millis() == readings[0] and time.monotonic() < give_up:
                pass  # poll until the clock has moved by a millisecond
            readings.append(context.get_remaining_time_in_millis())
            return {"statusCode": 200}

        app = RuntimeApp(configured(function_timeout=3.0), handler)

        call_wsgi(app, make_environ("GET", "/"))

        first, second = readings
        assert 0 < second < first <= 3000

    def test_trace_parent_from_the_traceparent_header(self) -> None:
        handler = RecordingHandler()
        app = RuntimeApp(configured(), handler)

        call_wsgi(app, make_environ("GET", "/", headers={"traceparent": TRACEPARENT}))

        assert handler.context.trace_parent == TRACEPARENT

    def test_no_trace_parent_without_the_header(self) -> None:
        handler = RecordingHandler()
        app = RuntimeApp(configured(), handler)

        call_wsgi(app, make_environ("GET", "/"))

        assert handler.context.trace_parent is None

    @pytest.mark.parametrize("mode", ["binary", "structured"])
    def test_trace_parent_from_the_cloudevent_extension(self, mode: str) -> None:
        handler = RecordingHandler()
        app = RuntimeApp(configured(), handler)

        call_wsgi(app, cloudevent_environ(mode, traceparent=TRACEPARENT))

        assert handler.context.trace_parent == TRACEPARENT
        assert handler.event["cloudevent"]["traceparent"] == TRACEPARENT

    def test_trace_parent_from_the_http_header_of_a_cloudevent(self) -> None:
        handler = RecordingHandler()
        app = RuntimeApp(configured(), handler)
        environ = cloudevent_environ()
        environ["HTTP_TRACEPARENT"] = TRACEPARENT

        call_wsgi(app, environ)

        assert handler.context.trace_parent == TRACEPARENT


# ---------------------------------------------------------------------------------------------
# Concurrency
# ---------------------------------------------------------------------------------------------


class OverlapProbe:
    """A handler that records how many invocations run at once and gives a second one the chance to start."""

    def __init__(self, wait_seconds: float) -> None:
        self._lock = threading.Lock()
        self._active = 0
        self.most_at_once = 0
        self._both_inside = threading.Barrier(2, timeout=wait_seconds)

    def __call__(self, event: dict[str, Any], context: Any) -> dict[str, Any]:
        with self._lock:
            self._active += 1
            self.most_at_once = max(self.most_at_once, self._active)
        try:
            self._both_inside.wait()  # passes only if a second invocation arrives meanwhile
        except threading.BrokenBarrierError:
            pass
        finally:
            with self._lock:
                self._active -= 1
        return {"statusCode": 200}


def run_two_requests_at_once(app: RuntimeApp) -> list[int]:
    statuses: list[int] = []
    start = threading.Barrier(2, timeout=5)

    def request() -> None:
        start.wait()
        statuses.append(call_wsgi(app, make_environ("GET", "/")).status)

    threads = [threading.Thread(target=request) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=5)
    assert not any(thread.is_alive() for thread in threads)
    return statuses


def test_strict_mode_never_runs_the_handler_twice_at_once() -> None:
    probe = OverlapProbe(wait_seconds=0.3)
    config = configured(concurrency=1, workers=1)
    assert config.strict

    statuses = run_two_requests_at_once(RuntimeApp(config, probe))

    assert statuses == [200, 200]
    assert probe.most_at_once == 1


def test_concurrent_mode_runs_invocations_side_by_side() -> None:
    # The same probe detects overlap when the runtime allows it.
    probe = OverlapProbe(wait_seconds=5)

    statuses = run_two_requests_at_once(RuntimeApp(configured(concurrency=8), probe))

    assert statuses == [200, 200]
    assert probe.most_at_once == 2
