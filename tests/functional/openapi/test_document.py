"""The committed OpenAPI document: fresh, complete against the catalog, and well-formed."""

from __future__ import annotations

import ast
import json
from pathlib import Path

import pytest
import schemathesis

from functions.catalog import FUNCTIONS
from tools import openapi

REPO = Path(__file__).resolve().parents[3]
STALE = (
    "functions/docs/openapi.json is out of date with the handlers; run `make openapi` "
    "(python -m tools.openapi --write) and commit the result"
)


@pytest.fixture(scope="module")
def document() -> dict:
    return openapi.build_document()


def _operations(document: dict) -> dict[tuple[str, str], dict]:
    return {
        (method.upper(), path): operation
        for path, item in document["paths"].items()
        for method, operation in item.items()
    }


def test_the_committed_document_is_a_fresh_build(document):
    committed = openapi.DOCUMENT_PATH.read_text(encoding="utf-8")
    if committed != openapi.render(document):
        stored = _operations(json.loads(committed))
        fresh = _operations(document)
        changed = sorted(
            f"{method} {path}"
            for method, path in stored.keys() | fresh.keys()
            if stored.get((method, path)) != fresh.get((method, path))
        )
        pytest.fail(f"{STALE}. Operations that differ: {', '.join(changed) or 'none (components or info)'}")


def test_every_catalog_route_is_documented_and_nothing_else(document):
    # Every route, the docs functions' own included: the document describes them by hand.
    routes = {route.key: function.name for function in FUNCTIONS for route in function.parsed_routes()}
    documented = {
        f"{method} {path}": operation["operationId"] for (method, path), operation in _operations(document).items()
    }
    assert documented == routes


def test_only_the_public_operations_go_without_the_bearer_token(document):
    public = {operation["operationId"] for operation in _operations(document).values() if not operation.get("security")}
    keyless = {function.name for function in FUNCTIONS if function.routes and "verify-key" not in function.uses}
    # Whatever cannot verify a token is public; of the rest, only the two that issue tokens.
    assert public == keyless | {"post-login", "post-refresh"}
    assert {"get-health", "get-ready", "post-register", "get-openapi", "get-docs"} <= keyless
    assert document["components"]["securitySchemes"]["bearerAuth"] == {
        "type": "http",
        "scheme": "bearer",
        "bearerFormat": "JWT",
        "description": "The access token from POST /api/auth/login or /api/auth/refresh",
    }
    for operation in _operations(document).values():
        if operation.get("security"):
            assert operation["security"] == [{"bearerAuth": []}]
            assert "401" in operation["responses"], operation["operationId"]


def test_every_error_is_problem_json(document):
    responses = document["components"]["responses"]
    for (method, path), operation in _operations(document).items():
        for status, response in operation["responses"].items():
            if status.startswith(("4", "5")):
                name = response["$ref"].removeprefix("#/components/responses/")
                content = responses[name]["content"]
                assert content == {"application/problem+json": {"schema": {"$ref": "#/components/schemas/Problem"}}}, (
                    f"{method} {path} {status}"
                )
    assert document["components"]["schemas"]["Problem"]["required"] == ["type", "title", "status", "detail"]


def test_the_document_is_valid_openapi(document):
    assert document["openapi"].startswith("3.")
    assert document["info"]["title"] == "TaskForge API"
    schemathesis.openapi.from_dict(document).validate()


def test_the_build_is_deterministic(document):
    assert openapi.render(openapi.build_document()) == openapi.render(document)


def test_check_fails_with_one_line_when_the_file_is_stale(tmp_path, monkeypatch, capsys):
    target = tmp_path / "openapi.json"
    monkeypatch.setattr(openapi, "DOCUMENT_PATH", target)

    assert openapi.main(["--write"]) == 0
    assert openapi.main(["--check"]) == 0
    target.write_text(target.read_text().replace("TaskForge API", "Something else"))
    capsys.readouterr()

    assert openapi.main(["--check"]) == 1
    assert capsys.readouterr().err.strip().count("\n") == 0


def test_no_function_imports_the_builder():
    """Building imports every handler; a handler importing the builder would import them all."""
    builder = "tools.openapi"
    offenders = []
    for source in (REPO / "functions").rglob("*.py"):
        package = list(source.relative_to(REPO).with_suffix("").parts[:-1])
        for node in ast.walk(ast.parse(source.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                modules = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom):
                base = ".".join(package[: len(package) - node.level + 1] if node.level else [])
                module = ".".join(part for part in (base, node.module or "") if part)
                modules = [module, *(f"{module}.{alias.name}" for alias in node.names)]
            else:
                continue
            if builder in modules:
                offenders.append(str(source.relative_to(REPO)))
    assert offenders == []
