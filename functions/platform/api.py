"""The resolver every API function starts from, and the handler wrapper around it.

One place decides how a domain error, an invalid request and an unknown route look
on the wire (problem+json), which headers every response carries (security, CORS),
how a request is logged (correlation id = request id) and which metric it emits.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

from aws_lambda_powertools import Logger
from aws_lambda_powertools.event_handler import ALBResolver, CORSConfig, Response
from aws_lambda_powertools.event_handler.openapi.exceptions import RequestValidationError
from aws_lambda_powertools.metrics import MetricUnit, single_metric

from functions.platform.errors import DomainError
from functions.platform.http import PROBLEM_JSON, NotModified, Stored, answer_unknown_routes, problem_response
from functions.platform.settings import Settings
from functions.platform.tokens import TokenVerifier, access_claims
from functions.runtime.problem import SECURITY_HEADERS

METRICS_NAMESPACE = "TaskForge"


Handler = Callable[[dict[str, Any], Any], dict[str, Any]]


def create_api(settings: Settings) -> ALBResolver:
    cors = None
    if settings.cors_allow_origin:
        cors = CORSConfig(
            allow_origin=settings.cors_allow_origin,
            allow_headers=[
                "Authorization",
                "Content-Type",
                "Idempotency-Key",
                "If-Match",
                "If-None-Match",
                "X-TaskForge-Client",
            ],
            expose_headers=["ETag", "Location", "Retry-After"],
            allow_credentials=True,
            max_age=600,
        )
    # ALB passes the query string undecoded; the resolver decodes it once.
    app = ALBResolver(cors=cors, enable_validation=True, decode_query_parameters=True)

    @app.exception_handler(DomainError)
    def _domain_error(error: DomainError) -> Response[str]:
        return problem_response(error.status, error.detail, headers=error.headers)

    @app.exception_handler(NotModified)
    def _not_modified(answer: NotModified) -> Response[None]:
        # Outside the route's response validation: a 304 has no body to validate.
        return Response(status_code=304, headers={"ETag": answer.etag})

    @app.exception_handler(Stored)
    def _stored(answer: Stored) -> Response[str]:
        # The cached body as it was sent: not decoded, validated and encoded again.
        return Response(200, "application/json", answer.body, headers=answer.headers)

    @app.exception_handler(RequestValidationError)
    def _invalid_request(error: RequestValidationError) -> Response[str]:
        # Locations and messages only: echoing the input could echo a password.
        problems = [
            {"loc": list(item.get("loc", ())), "msg": item.get("msg", ""), "type": item.get("type", "")}
            for item in error.errors()
        ]
        return problem_response(422, "the request is invalid", errors=problems)

    return answer_unknown_routes(app)


def api_handler(app: ALBResolver, logger: Logger, operation: str, verifier: TokenVerifier | None = None) -> Handler:
    """The function's `handler`: resolves the request, adds common headers, logs, measures.

    With a `verifier`, the bearer token is checked before anything else, so a caller
    without a valid token learns nothing (not even whether its body was valid): 401.
    """

    def handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
        logger.set_correlation_id(getattr(context, "aws_request_id", None))
        started = time.perf_counter()
        result = _refusal(event, verifier, app)
        if result is None:
            result = app.resolve(event, context)
        multi_value = "multiValueHeaders" in result
        headers = result.setdefault("multiValueHeaders" if multi_value else "headers", {})
        for name, value in SECURITY_HEADERS.items():
            headers.setdefault(name, [value] if multi_value else value)
        elapsed_ms = (time.perf_counter() - started) * 1000
        status = int(result.get("statusCode", 500))
        logger.info(
            "request served", extra={"operation": operation, "status": status, "duration_ms": round(elapsed_ms, 2)}
        )
        # single_metric keeps its own metric set: safe while other threads serve requests.
        with single_metric(
            name="Latency",
            unit=MetricUnit.Milliseconds,
            value=elapsed_ms,
            namespace=METRICS_NAMESPACE,
            default_dimensions={"operation": operation},
        ) as metric:
            metric.add_dimension(name="status_class", value=f"{status // 100}xx")
        return result

    return handler


def _not_one_object(body: str) -> Response[str] | None:
    """Powertools raises on deep nesting (a 502) and takes an array's first element as the
    body: both are refused here, once, for every function."""
    import json

    try:
        parsed = json.loads(body)
    except RecursionError:
        return problem_response(400, "the body is nested too deeply")
    except ValueError:
        return None  # malformed JSON: the validation's own 422 says where
    return None if isinstance(parsed, dict) else problem_response(422, "the body must be a JSON object")


def _refusal(event: dict[str, Any], verifier: TokenVerifier | None, app: ALBResolver) -> dict[str, Any] | None:
    """A finished error response when the request fails before routing; else None."""
    headers = {key.lower(): value for key, value in (event.get("headers") or {}).items()}
    problem: Response[str] | None = None
    if verifier is not None and event.get("httpMethod") != "OPTIONS":
        try:
            app.append_context(claims=access_claims(verifier, headers.get("authorization")))  # type: ignore[no-untyped-call]
        except DomainError as error:
            problem = problem_response(error.status, error.detail, headers=error.headers)
    if problem is None and event.get("body"):
        media = (headers.get("content-type") or "application/json").split(";")[0].strip().lower()
        if media != "application/json" and not media.endswith("+json"):
            problem = problem_response(415, "send the body as application/json")
        elif event.get("isBase64Encoded"):  # the runtime only base64-encodes what is not UTF-8 text
            problem = problem_response(400, "the body is not UTF-8 encoded JSON")
        else:
            problem = _not_one_object(event["body"])
    if problem is None:
        return None
    app.clear_context()  # type: ignore[no-untyped-call]  # nothing of a refused request reaches the next
    body = problem.body if isinstance(problem.body, str) else ""
    return {
        "statusCode": problem.status_code,
        "headers": {"Content-Type": PROBLEM_JSON, **problem.headers},
        "body": body,
        "isBase64Encoded": False,
    }
