"""Every catalog route reaches its function through the VirtualService, as Istio matches.

Istio tries the http routes in order and takes the first whose match holds: `exact` and
`regex` (RE2, whole path) against the path without its query string, `method` exactly.
The simulation below does the same and is checked against the runtime's own routing."""

from __future__ import annotations

import itertools
import re
from typing import Any

import pytest

from functions import catalog
from functions.runtime.routes import Route, find_route, parse_routes

from .manifests import ENVIRONMENTS, Doc, all_committed, of_kind, render

METHODS = ("GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS")


def string_matches(matcher: dict[str, str], value: str) -> bool:
    if "exact" in matcher:
        return value == matcher["exact"]
    if "prefix" in matcher:
        return value.startswith(matcher["prefix"])
    return re.fullmatch(matcher["regex"], value) is not None


def first_match(virtual_service: Doc, method: str, path: str) -> dict[str, Any] | None:
    path = path.split("?", 1)[0]
    for entry in virtual_service["spec"]["http"]:
        for match in entry["match"]:
            if string_matches(match["uri"], path) and (
                "method" not in match or string_matches(match["method"], method)
            ):
                return entry  # type: ignore[no-any-return]
    return None


def sample_path(route: Route) -> str:
    return "/" + "/".join("x" if segment.startswith("{") else segment for segment in route.segments)


def routed_functions() -> list[tuple[str, Route]]:
    return [(function.name, route) for function in catalog.FUNCTIONS for route in function.parsed_routes()]


def namespace_of(origin: str) -> str:
    return ENVIRONMENTS[origin].namespace if origin in ENVIRONMENTS else render.BASE_NAMESPACE


VIRTUAL_SERVICES = [
    pytest.param(origin, doc, id=origin)
    for origin, docs in all_committed().items()
    for doc in of_kind(docs, "VirtualService")
]


def test_there_is_one_virtual_service_per_rendering() -> None:
    assert len(VIRTUAL_SERVICES) == 1 + len(ENVIRONMENTS)


@pytest.mark.parametrize(("origin", "virtual_service"), VIRTUAL_SERVICES)
def test_every_catalog_route_reaches_its_function_first(origin: str, virtual_service: Doc) -> None:
    for name, route in routed_functions():
        methods = METHODS if route.method == "ANY" else (route.method,)
        for method in methods:
            entry = first_match(virtual_service, method, sample_path(route))
            assert entry is not None, f"{route.key} ({name}) is not routed"
            expected = f"{name}.{namespace_of(origin)}.svc.cluster.local"
            assert entry["rewrite"]["authority"] == expected, (
                f"{method} {sample_path(route)} goes to {entry['rewrite']['authority']}, not {expected}"
            )


@pytest.mark.parametrize(("origin", "virtual_service"), VIRTUAL_SERVICES)
def test_every_route_goes_through_knatives_cluster_local_gateway(origin: str, virtual_service: Doc) -> None:
    assert virtual_service["spec"]["gateways"] == [render.INGRESS_GATEWAY]
    for entry in virtual_service["spec"]["http"]:
        assert entry["route"] == [
            {"destination": {"host": "knative-local-gateway.istio-system.svc.cluster.local", "port": {"number": 80}}}
        ]


@pytest.mark.parametrize(("origin", "virtual_service"), VIRTUAL_SERVICES)
def test_the_gateway_routes_exactly_as_the_runtime_does(origin: str, virtual_service: Doc) -> None:
    # Every path the catalog can produce, with parameters filled by "x" or by another
    # route's literal (GET /api/tasks/batch must reach get-task, as on API Gateway).
    routes = [route for _, route in routed_functions()]
    owner = {route.key: name for name, route in routed_functions()}
    runtime_routes = parse_routes(", ".join(route.key for route in routes))
    literals = sorted({segment for route in routes for segment in route.segments if not segment.startswith("{")})
    paths = {sample_path(route) for route in routes}
    for route in routes:
        for position, segment in enumerate(route.segments):
            if segment.startswith("{"):
                for literal in literals:
                    segments = ["x" if s.startswith("{") else s for s in route.segments]
                    segments[position] = literal or "x"
                    paths.add("/" + "/".join(segments))
    for method, path in itertools.product(METHODS, sorted(paths)):
        found = find_route(runtime_routes, method, path)
        expected = owner[found[0].key] if found else None
        entry = first_match(virtual_service, method, path)
        actual = entry["rewrite"]["authority"].split(".")[0] if entry else None
        assert actual == expected, f"{method} {path}: gateway → {actual}, runtime → {expected}"


@pytest.mark.parametrize(
    "path",
    ["/__runtime/live", "/__runtime/ready", "/api/tasks/", "/api/nothing-here", "/api/tasks/x/y/z/w", "/", "/health/"],
)
def test_what_no_route_names_is_not_routed(path: str) -> None:
    (virtual_service,) = of_kind(all_committed()["base"], "VirtualService")
    for method in METHODS:
        assert first_match(virtual_service, method, path) is None, f"{method} {path} is routed"


def test_query_strings_do_not_change_the_route() -> None:
    (virtual_service,) = of_kind(all_committed()["base"], "VirtualService")
    entry = first_match(virtual_service, "GET", "/api/tasks?limit=5&cursor=abc")
    assert entry is not None
    assert entry["rewrite"]["authority"].startswith("list-tasks.")


def test_path_templates_become_anchored_regexes_and_plain_paths_exact_matches() -> None:
    assert render.http_match(Route("GET", "/api/tasks/{task_id}", ("api", "tasks", "{task_id}"))) == {
        "uri": {"regex": "^/api/tasks/[^/]+$"},
        "method": {"exact": "GET"},
    }
    assert render.http_match(Route("POST", "/api/tasks", ("api", "tasks"))) == {
        "uri": {"exact": "/api/tasks"},
        "method": {"exact": "POST"},
    }
    assert render.http_match(Route("ANY", "/files/{path+}", ("files", "{path+}"))) == {"uri": {"regex": "^/files/.+$"}}
    assert (
        render.regex_for(Route("GET", "/api/openapi.json/{v}", ("api", "openapi.json", "{v}")))
        == r"^/api/openapi\.json/[^/]+$"
    )


def test_more_specific_routes_come_first() -> None:
    (virtual_service,) = of_kind(all_committed()["base"], "VirtualService")
    kinds = [0 if "exact" in entry["match"][0]["uri"] else 1 for entry in virtual_service["spec"]["http"]]
    assert kinds == sorted(kinds), "every exact match precedes every regex match"
