"""The Lambda context object: what Powertools' Logger, Metrics and Idempotency read."""

from __future__ import annotations

import functools
import time
import uuid
from typing import Any

# One log stream per execution environment, as on Lambda: this container.
_LOG_STREAM = f"{time.strftime('%Y/%m/%d')}/[$LATEST]{uuid.uuid4().hex}"


class LambdaContext:
    """Mirrors `awslambdaric`'s LambdaContext, with a deadline from FUNCTION_TIMEOUT."""

    __slots__ = (
        "_deadline",
        "aws_request_id",
        "client_context",
        "function_name",
        "function_version",
        "identity",
        "invoked_function_arn",
        "log_group_name",
        "log_stream_name",
        "memory_limit_in_mb",
        "tenant_id",
        "trace_parent",
    )

    def __init__(
        self,
        *,
        function_name: str,
        request_id: str,
        timeout_seconds: float,
        memory_mb: int,
        region: str,
        account_id: str,
        trace_parent: str | None = None,
    ) -> None:
        self.function_name = function_name
        self.function_version = "$LATEST"
        self.invoked_function_arn = _arn(region, account_id, function_name)
        self.memory_limit_in_mb = memory_mb
        self.aws_request_id = request_id
        self.log_group_name = _log_group(function_name)
        self.log_stream_name = _LOG_STREAM
        self.identity: Any = None
        self.client_context: Any = None
        self.tenant_id: str | None = None
        # W3C trace context of the request, for handlers that propagate it.
        self.trace_parent = trace_parent
        self._deadline = time.monotonic() + timeout_seconds

    def get_remaining_time_in_millis(self) -> int:
        return max(0, int((self._deadline - time.monotonic()) * 1000))

    def __repr__(self) -> str:
        return f"LambdaContext(function_name={self.function_name!r}, aws_request_id={self.aws_request_id!r})"


@functools.cache
def _arn(region: str, account_id: str, function_name: str) -> str:
    return f"arn:aws:lambda:{region}:{account_id}:function:{function_name}"


@functools.cache
def _log_group(function_name: str) -> str:
    return f"/aws/lambda/{function_name}"
