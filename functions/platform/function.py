"""The prologue of every handler module: what it needs, made from its catalog entry.

A handler module passes its own `__name__`. The catalog entry whose handler lives there
is the function, and the entry's name is the one name the code uses for it: the
`operation` its requests are logged and measured under, and the name its `handler`
carries. Its logger's service is its area (the handler package). A new HTTP endpoint is
its route function and one line:

    app, deps, handler = authenticated_api(__name__)

Everything here runs at import, once per process, as a handler's own set-up did.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, NamedTuple

from aws_lambda_powertools import Logger
from aws_lambda_powertools.event_handler import ALBResolver

from functions.catalog import Function, by_module
from functions.platform.api import api_handler, create_api
from functions.platform.dependencies import Dependencies
from functions.platform.http import create_resolver
from functions.platform.settings import Settings

Invoke = Callable[[dict[str, Any], Any], Any]


class FunctionHandler:
    """A function's `handler`: what the runtime calls, carrying the catalog entry it was made for."""

    __slots__ = ("_invoke", "function")

    def __init__(self, function: Function, invoke: Invoke) -> None:
        self.function = function
        self._invoke = invoke

    @property
    def name(self) -> str:
        return self.function.name

    def __call__(self, event: dict[str, Any], context: Any) -> Any:
        return self._invoke(event, context)

    def __repr__(self) -> str:
        return f"<handler of {self.function.name}>"


class AuthenticatedApi(NamedTuple):
    app: ALBResolver
    deps: Dependencies
    handler: FunctionHandler


class Api(NamedTuple):
    app: ALBResolver
    settings: Settings
    handler: FunctionHandler


class Probe(NamedTuple):
    app: ALBResolver
    handler: FunctionHandler


def authenticated_api(module: str) -> AuthenticatedApi:
    """An API function that takes a bearer token: its resolver, its Dependencies (settings,
    database, cache, token verifier, rate-limit counters) and its `handler`, which refuses a
    request without a valid token (401) before routing."""
    function = by_module(module)
    deps = Dependencies.from_settings(Settings.from_env())
    app = create_api(deps.settings)
    return AuthenticatedApi(app, deps, _api_handler(function, app, deps))


def api(module: str) -> Api:
    """An API function that takes no bearer token, or reads its own (logout): its resolver,
    its settings (to build what else it needs) and its `handler`."""
    function = by_module(module)
    settings = Settings.from_env()
    app = create_api(settings)
    return Api(app, settings, _api_handler(function, app, None))


def probe(module: str) -> Probe:
    """GET /health and GET /ready: a bare resolver (a problem+json 404 for any other path) whose
    answers go out as they are, with no request log or metric: probes are frequent and cheap."""
    function = by_module(module)
    app = create_resolver()
    return Probe(app, FunctionHandler(function, _logger(function).inject_lambda_context(app.resolve)))


@dataclass(frozen=True)
class EventFunction:
    """A scheduled or event function's settings and logger; `handler` makes the module's
    `handler` out of the function that does the work, with the Lambda context in its logs."""

    function: Function
    settings: Settings
    logger: Logger

    @property
    def name(self) -> str:
        """The `operation` of the metrics it emits."""
        return self.function.name

    def handler(self, work: Invoke) -> FunctionHandler:
        return FunctionHandler(self.function, self.logger.inject_lambda_context(work))


def event_function(module: str) -> EventFunction:
    function = by_module(module)
    return EventFunction(function, Settings.from_env(), _logger(function))


def _logger(function: Function) -> Logger:
    return Logger(service=function.area)


def _api_handler(function: Function, app: ALBResolver, deps: Dependencies | None) -> FunctionHandler:
    verifier = deps.verifier if deps is not None else None
    return FunctionHandler(function, api_handler(app, _logger(function), function.name, verifier))
