"""Reports the Lambda context it was invoked with, through Powertools' Logger as well."""

from __future__ import annotations

import json
import time
from typing import Any

from aws_lambda_powertools import Logger

logger = Logger(service="context-probe")


@logger.inject_lambda_context
def report(event: dict[str, Any], context: Any) -> dict[str, Any]:
    first = context.get_remaining_time_in_millis()
    time.sleep(0.01)  # simulated work, so the deadline visibly approaches
    second = context.get_remaining_time_in_millis()
    logger.info("context reported")
    seen = {
        "aws_request_id": context.aws_request_id,
        "function_name": context.function_name,
        "memory_limit_in_mb": context.memory_limit_in_mb,
        "invoked_function_arn": context.invoked_function_arn,
        "remaining_first": first,
        "remaining_second": second,
        "trace_parent": context.trace_parent,
        "traceparent_header": (event.get("headers") or {}).get("traceparent"),
        "request_context_id": event.get("requestContext", {}).get("requestId"),
    }
    return {"statusCode": 200, "headers": {"Content-Type": "application/json"}, "body": json.dumps(seen)}
