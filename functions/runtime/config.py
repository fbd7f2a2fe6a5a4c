"""Runtime configuration, read once from the environment and validated at start-up.

Every error names the variable at fault, so a misconfigured pod fails its first
start with one readable line instead of failing its first request.
"""

from __future__ import annotations

import importlib
import os
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from .routes import Route, parse_routes

EVENT_FORMATS = ("alb", "apigw-rest", "apigw-http")
LAMBDA_MAX_BODY = 6 * 1024 * 1024

Handler = Callable[[dict[str, Any], Any], Any]


class ConfigError(Exception):
    """A start-up configuration problem; the message names the variable."""


@dataclass(frozen=True)
class RuntimeConfig:
    handler_path: str
    event_format: str = "alb"
    # The target group attribute lambda.multi_value_headers.enabled.
    alb_multi_value_headers: bool = False
    port: int = 8080
    host: str = "0.0.0.0"
    function_name: str = "function"
    function_timeout: float = 30.0
    memory_mb: int = 1024
    concurrency: int = 8
    workers: int = 1
    max_body_bytes: int = LAMBDA_MAX_BODY
    region: str = "us-east-1"
    account_id: str = "000000000000"
    routes: tuple[Route, ...] = field(default_factory=tuple)

    @property
    def strict(self) -> bool:
        """One invocation at a time per process, as on Lambda."""
        return self.concurrency == 1

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> RuntimeConfig:
        env = os.environ if env is None else env
        handler_path = env.get("HANDLER", "").strip()
        if not handler_path:
            raise ConfigError("HANDLER is not set: give the handler as package.module.function")
        if handler_path.count(".") < 1 or handler_path.startswith(".") or handler_path.endswith("."):
            raise ConfigError(f"HANDLER={handler_path!r} must be package.module.function")
        event_format = env.get("EVENT_FORMAT", "alb").strip().lower()
        if event_format not in EVENT_FORMATS:
            raise ConfigError(f"EVENT_FORMAT={event_format!r} is not one of {', '.join(EVENT_FORMATS)}")
        # Both come from the deployment (the rendered manifests, the local stack): the runtime
        # hosts any handler and knows nothing of the one it serves.
        function_name = env.get("FUNCTION_NAME") or handler_path.rsplit(".", 2)[-2]
        routes_text = env.get("ROUTES", "")
        try:
            routes = parse_routes(routes_text) if routes_text else ()
        except ValueError as exc:
            raise ConfigError(f"ROUTES is invalid: {exc}") from None
        return cls(
            handler_path=handler_path,
            event_format=event_format,
            alb_multi_value_headers=_flag(env, "ALB_MULTI_VALUE_HEADERS"),
            port=_integer(env, "PORT", 8080, low=1, high=65535),
            host=env.get("HOST", "0.0.0.0"),
            function_name=function_name,
            function_timeout=_number(env, "FUNCTION_TIMEOUT", 30.0, low=0.001),
            memory_mb=_integer(env, "FUNCTION_MEMORY_MB", 0, low=1) or _cgroup_memory_mb(),
            concurrency=_integer(env, "CONCURRENCY", 8, low=1, high=1024),
            workers=_integer(env, "WORKERS", 1, low=1, high=64),
            max_body_bytes=_integer(env, "MAX_BODY_BYTES", LAMBDA_MAX_BODY, low=0),
            region=env.get("AWS_REGION", "us-east-1"),
            account_id=env.get("AWS_ACCOUNT_ID", "000000000000"),
            routes=routes,
        )


def load_handler(handler_path: str) -> Handler:
    """Import `package.module.function` as Lambda does; ConfigError when it cannot."""
    module_name, _, attribute = handler_path.rpartition(".")
    if not module_name or not attribute:
        raise ConfigError(f"HANDLER={handler_path!r} must be package.module.function")
    try:
        module = importlib.import_module(module_name)
    except Exception as exc:  # any import-time failure is a configuration failure
        raise ConfigError(
            f"HANDLER={handler_path!r}: cannot import {module_name!r}: {type(exc).__name__}: {exc}"
        ) from exc
    handler = getattr(module, attribute, None)
    if handler is None:
        raise ConfigError(f"HANDLER={handler_path!r}: {module_name!r} has no {attribute!r}")
    if not callable(handler):
        raise ConfigError(f"HANDLER={handler_path!r}: {attribute!r} is not callable")
    return handler  # type: ignore[no-any-return]


def _integer(env: Mapping[str, str], name: str, default: int, low: int, high: int | None = None) -> int:
    raw = env.get(name)
    if raw is None or raw.strip() == "":
        return default
    try:
        value = int(raw)
    except ValueError:
        raise ConfigError(f"{name}={raw!r} is not an integer") from None
    if value < low or (high is not None and value > high):
        bounds = f"{low}..{high}" if high is not None else f">= {low}"
        raise ConfigError(f"{name}={raw!r} is out of range ({bounds})")
    return value


def _flag(env: Mapping[str, str], name: str) -> bool:
    raw = env.get(name, "").strip().lower()
    if raw in ("", "0", "false", "no", "off"):
        return False
    if raw in ("1", "true", "yes", "on"):
        return True
    raise ConfigError(f"{name}={raw!r} is not a boolean (true or false)")


def _number(env: Mapping[str, str], name: str, default: float, low: float) -> float:
    raw = env.get(name)
    if raw is None or raw.strip() == "":
        return default
    try:
        value = float(raw)
    except ValueError:
        raise ConfigError(f"{name}={raw!r} is not a number") from None
    if not value >= low or value == float("inf"):
        raise ConfigError(f"{name}={raw!r} must be a finite number >= {low}")
    return value


def _cgroup_memory_mb() -> int:
    """The container's memory limit, as Lambda reports its configured memory."""
    try:
        with open("/sys/fs/cgroup/memory.max") as limit_file:
            raw = limit_file.read().strip()
        return max(1, int(raw) // (1024 * 1024))
    except (OSError, ValueError):
        return 1024
