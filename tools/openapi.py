"""The one merged OpenAPI document of every HTTP function in the catalog.

Each function's resolver describes its own routes from its type hints. This module
imports every handler module the catalog names, takes its `app`, merges their
schemas with Powertools' OpenAPIMerge and adds what type hints cannot say: the
bearer scheme, the problem+json errors each operation answers with, the headers it
reads and writes, and the links between operations.

A build tool, never a runtime dependency: building imports every handler, so no
handler may import this module. The document is committed as functions/docs/openapi.json
and served from there; a test fails when it drifts from a fresh build.

    python -m tools.openapi --write   # regenerate the committed file
    python -m tools.openapi --check   # exit 1 when it is stale
"""

from __future__ import annotations

import argparse
import copy
import importlib
import json
import os
import sys
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from aws_lambda_powertools.event_handler.openapi.merge import OpenAPIMerge
from pydantic import PydanticUserError

from functions.catalog import FUNCTIONS, Function

TITLE = "TaskForge API"
# The API's version, not the package's: raise it when a client would notice.
VERSION = "1.0.0"
REPO_ROOT = Path(__file__).resolve().parents[1]
DOCUMENT_PATH = REPO_ROOT / "functions" / "docs" / "openapi.json"
BEARER = "bearerAuth"

DESCRIPTION = """\
The JSON API of TaskForge, a multi-user task manager.

**Authentication.** Register (`POST /api/auth/register`), then log in (`POST /api/auth/login`)
for a token pair. Send the access token as `Authorization: Bearer <token>`; it lives at most
15 minutes. `POST /api/auth/refresh` exchanges the refresh token (an httpOnly cookie scoped to
`/api/auth`, or the body) for a new pair; each refresh token works once. Logging out or changing
the password ends every session at once.

**Errors.** Every error is `application/problem+json` (RFC 9457): `type`, `title`, `status` and
`detail`, plus `errors` (where a request failed validation) or other members where noted.
401 answers carry `WWW-Authenticate`; 429 and 503 answers carry `Retry-After` (seconds).

**Concurrency and retries.** A task's `ETag` is its version: send it as `If-Match` when changing
or deleting the task to be told (412) when someone else changed it first. `Idempotency-Key` makes
a create, a change or a delete safe to retry: the same key and request within 24 hours get the
first response again (a changed task's retry is not a 412, a deleted one's not a 404).
"""

# Descriptions of the operations' tags, in the order the explorer shows them; a tag not
# listed here still gets an entry, after these.
TAGS = {
    "auth": "Accounts, sessions and tokens",
    "workspaces": "Workspaces, members and invitations",
    "tasks": "Tasks and their statistics",
    "tags": "Tags, and tags on tasks",
    "checklists": "Checklists on tasks",
    "health": "Liveness and readiness",
    "docs": "This document and its explorer",
}

# What each error status means on this API: the shared responses operations refer to.
_ERRORS: dict[int, tuple[str, str, tuple[str, ...]]] = {
    400: (
        "BadRequest",
        "A value the request schema cannot constrain is not valid (a cursor, an Idempotency-Key, "
        "a body that is not UTF-8 JSON)",
        (),
    ),
    401: (
        "Unauthorized",
        "Authentication is missing, invalid, expired or revoked, or the credentials are wrong",
        ("WWW-Authenticate",),
    ),
    403: (
        "Forbidden",
        "The caller's role in the workspace does not allow this (a viewer changing something, "
        "an invitation for another address), or the refresh cookie came from another page",
        (),
    ),
    404: ("NotFound", "No such resource, or one the caller may not see: the two are indistinguishable", ()),
    409: (
        "Conflict",
        "The request conflicts with the current state (a name or e-mail address already taken, "
        "a request with the same Idempotency-Key still in progress)",
        (),
    ),
    410: ("Gone", "The invitation or link is no longer valid (expired, revoked or used)", ()),
    412: ("PreconditionFailed", "If-Match does not name the current version: reload it and try again", ()),
    428: ("PreconditionRequired", "The change needs If-Match: the ETag of the version it is based on", ()),
    415: ("UnsupportedMediaType", "A request body must be application/json", ()),
    422: (
        "UnprocessableContent",
        "The request does not validate: `errors` says where (or an Idempotency-Key was reused with a different"
        " body; or an imported file has problems, each with its line)",
        (),
    ),
    429: (
        "TooManyRequests",
        "Too many requests (or failed logins); Retry-After says when to try again",
        ("Retry-After",),
    ),
    503: (
        "ServiceUnavailable",
        "The database is unavailable or busy; Retry-After says when to try again",
        ("Retry-After",),
    ),
}

_HEADERS: dict[str, dict[str, Any]] = {
    "ETag": {
        "description": "The version, to send back as If-Match",
        "required": True,
        "schema": {"type": "string", "pattern": '^"[0-9]+"$'},
    },
    "Location": {"description": "The URL of the created resource", "required": True, "schema": {"type": "string"}},
    "Retry-After": {
        "description": "Seconds to wait before retrying",
        "required": True,
        "schema": {"type": "integer", "minimum": 1},
    },
    "Set-Cookie": {
        "description": "The refresh token as an httpOnly cookie for /api/auth (cleared by logout and password changes)",
        "required": True,
        "schema": {"type": "string"},
    },
    "WWW-Authenticate": {
        "description": "The scheme to authenticate with",
        "required": True,
        "schema": {"type": "string"},
    },
}

_PARAMETERS: dict[str, dict[str, Any]] = {
    "IfMatch": {
        "name": "If-Match",
        "in": "header",
        "required": False,
        "description": "The ETag the change is based on (or `*`); a task with another version is left alone (412)",
        "schema": {"type": "string"},
    },
    "IfMatchRequired": {
        "name": "If-Match",
        "in": "header",
        "required": True,
        "description": "The task's current ETag (or `*`): without it 428, with another version 412",
        "schema": {"type": "string"},
    },
    "IdempotencyKey": {
        "name": "Idempotency-Key",
        "in": "header",
        "required": False,
        "description": "1 to 255 printable characters, unique per intended write; a retry with the same key "
        "and request gets the first response",
        # Printable Latin-1, as header values are: what the API accepts, no more and no less.
        "schema": {"type": "string", "pattern": r"^[\u0020-\u007e\u00a1-\u00ac\u00ae-\u00ff]{1,255}$"},
    },
}

_PROBLEM_SCHEMAS: dict[str, dict[str, Any]] = {
    "Problem": {
        "title": "Problem",
        "description": "Problem details (RFC 9457). Members other than these four may be present.",
        "type": "object",
        "required": ["type", "title", "status", "detail"],
        "properties": {
            "type": {"type": "string", "description": "A URI reference naming the problem type"},
            "title": {"type": "string", "description": "The status code's reason phrase"},
            "status": {"type": "integer", "minimum": 400, "maximum": 599},
            "detail": {"type": "string", "description": "What went wrong, for a person to read"},
            "errors": {
                "type": "array",
                "items": {
                    "anyOf": [
                        {"$ref": "#/components/schemas/ProblemError"},
                        {"$ref": "#/components/schemas/FileProblem"},
                    ]
                },
                "description": "Where the request failed validation, or (POST /api/import) the file (422 only)",
            },
        },
        "additionalProperties": True,
    },
    "FileProblem": {
        "title": "FileProblem",
        "type": "object",
        "required": ["line", "detail"],
        "properties": {
            "line": {"type": "integer", "minimum": 0, "description": "the file's line (CSV), the task's number (JSON)"},
            "detail": {"type": "string"},
        },
        "additionalProperties": False,
    },
    "ProblemError": {
        "title": "ProblemError",
        "type": "object",
        "required": ["loc", "msg", "type"],
        "properties": {
            "loc": {
                "type": "array",
                "items": {"anyOf": [{"type": "string"}, {"type": "integer"}]},
                "description": "Where: the part of the request, then the path to the value",
            },
            "msg": {"type": "string"},
            "type": {"type": "string"},
        },
        "additionalProperties": False,
    },
}

_ID = "$response.body#/id"
_ETAG = "$response.header.ETag"
_LINKS: dict[str, dict[str, Any]] = {
    "GetTask": {"operationId": "get-task", "parameters": {"task_id": _ID}},
    "PatchTask": {"operationId": "patch-task", "parameters": {"task_id": _ID, "header.If-Match": _ETAG}},
    "DeleteTask": {"operationId": "delete-task", "parameters": {"task_id": _ID, "header.If-Match": _ETAG}},
    "SkipOccurrence": {"operationId": "skip-occurrence", "parameters": {"task_id": _ID, "header.If-Match": _ETAG}},
    "ListChecklist": {"operationId": "list-checklist", "parameters": {"task_id": _ID}},
    "AddChecklistItem": {"operationId": "add-checklist-item", "parameters": {"task_id": _ID}},
    "PatchChecklistItem": {
        "operationId": "patch-checklist-item",
        "parameters": {"task_id": "$request.path.task_id", "item_id": _ID},
    },
    "DeleteChecklistItem": {
        "operationId": "delete-checklist-item",
        "parameters": {"task_id": "$request.path.task_id", "item_id": _ID},
    },
    "PatchTag": {"operationId": "patch-tag", "parameters": {"tag_id": _ID}},
    "DeleteTag": {"operationId": "delete-tag", "parameters": {"tag_id": _ID}},
    "CreateInvitation": {"operationId": "create-invitation", "parameters": {"workspace_id": _ID}},
    "ListMembers": {"operationId": "list-members", "parameters": {"workspace_id": _ID}},
}
_TASK_LINKS = ("GetTask", "PatchTask", "DeleteTask", "SkipOccurrence", "ListChecklist", "AddChecklistItem")

# A function without the verify key cannot check a bearer token, so anyone may call it;
# of those holding the key, these two issue tokens rather than require one.
ISSUERS = frozenset({"post-login", "post-refresh"})


def is_public(function: Function) -> bool:
    return "verify-key" not in function.uses or function.name in ISSUERS


@dataclass(frozen=True)
class Operation:
    """What the document says about one function beyond its type hints and the derived errors.

    Derived for every function (see `_errors`): 401 when it needs the token; 404 when its
    path names a resource; 422 when it takes a body or a query; 429 for the per-caller
    limit of the authenticated functions that use Redis; 503 when it uses the database.
    """

    errors: tuple[int, ...] = ()  # beyond the derived ones
    parameters: tuple[str, ...] = ()  # keys of _PARAMETERS
    success_headers: tuple[str, ...] = ()  # keys of _HEADERS
    links: tuple[str, ...] = ()  # keys of _LINKS
    tag: str | None = None  # for operations whose decorator names none


_IDEMPOTENT_CREATE = Operation(errors=(400, 403, 404, 409), parameters=("IdempotencyKey",))
_GUARDED = ("IfMatch",)
# A single task's change or delete: guarded, and safe to retry (400 for a bad key, 409 while in
# progress, 422 for a key used before with another request).
_IDEMPOTENT_GUARDED = Operation(errors=(400, 403, 409, 412, 422), parameters=(*_GUARDED, "IdempotencyKey"))

# Functions with more to say than the derived errors; a name the catalog lacks fails the build.
OPERATIONS: dict[str, Operation] = {
    "get-health": Operation(tag="health"),
    "get-ready": Operation(tag="health"),
    "post-register": Operation(errors=(409,)),
    "post-login": Operation(errors=(401, 429), success_headers=("Set-Cookie",)),
    "post-refresh": Operation(errors=(401, 403), success_headers=("Set-Cookie",)),
    "post-logout": Operation(errors=(403,), success_headers=("Set-Cookie",)),
    "post-password": Operation(success_headers=("Set-Cookie",)),
    "list-tasks": Operation(errors=(400, 404)),
    "create-task": Operation(
        errors=_IDEMPOTENT_CREATE.errors,
        parameters=_IDEMPOTENT_CREATE.parameters,
        success_headers=("Location", "ETag"),
        links=_TASK_LINKS,
    ),
    "create-tasks-batch": _IDEMPOTENT_CREATE,
    # Per-item failures are in the 207 body; the request itself fails only as a whole.
    "batch-tasks": Operation(errors=(400, 409), parameters=("IdempotencyKey",)),
    "get-task": Operation(success_headers=("ETag",), links=_TASK_LINKS[1:]),
    "patch-task": Operation(
        errors=_IDEMPOTENT_GUARDED.errors,
        parameters=_IDEMPOTENT_GUARDED.parameters,
        success_headers=("ETag",),
        links=_TASK_LINKS,
    ),
    "delete-task": _IDEMPOTENT_GUARDED,
    "skip-occurrence": Operation(
        errors=(403, 409, 412), parameters=_GUARDED, success_headers=("ETag",), links=_TASK_LINKS
    ),
    "list-task-versions": Operation(errors=(400,)),
    "restore-task-version": Operation(
        errors=(403, 409, 412, 428), parameters=("IfMatchRequired",), success_headers=("ETag",), links=_TASK_LINKS
    ),
    "get-stats": Operation(errors=(404,)),
    "get-stats-history": Operation(errors=(404,)),
    "create-workspace": Operation(links=("CreateInvitation", "ListMembers")),
    "create-invitation": Operation(errors=(403, 409)),
    "change-member-role": Operation(errors=(403, 409)),
    "remove-member": Operation(errors=(403, 409)),
    "accept-invitation": Operation(errors=(403, 409, 410)),
    "get-invitation": Operation(errors=(410, 429)),
    "request-password-reset": Operation(errors=(429,)),
    "reset-password": Operation(errors=(400, 410), success_headers=("Set-Cookie",)),
    "revoke-invitation": Operation(errors=(403, 409)),
    "request-email-verification": Operation(errors=(409,)),
    "verify-email": Operation(errors=(400, 410)),
    "create-tag": Operation(errors=(403, 404, 409), links=("PatchTag", "DeleteTag")),
    "list-tags": Operation(errors=(404,)),
    "patch-tag": Operation(errors=(403, 409)),
    "delete-tag": Operation(errors=(403,)),
    "attach-tag": Operation(errors=(403,), success_headers=("ETag",)),
    "detach-tag": Operation(errors=(403,), success_headers=("ETag",)),
    "add-checklist-item": Operation(
        errors=(403,), success_headers=("ETag",), links=("PatchChecklistItem", "DeleteChecklistItem")
    ),
    "patch-checklist-item": Operation(errors=(403, 412), parameters=_GUARDED, success_headers=("ETag",)),
    "delete-checklist-item": Operation(errors=(403,), success_headers=("ETag",)),
    "list-activity": Operation(errors=(400, 404)),
    "task-activity": Operation(errors=(400,)),
    "delete-calendar-feed": Operation(errors=(404,)),
    "export-tasks": Operation(errors=(404,)),
    "import-tasks": Operation(errors=(403, 404)),
    "get-openapi": Operation(tag="docs"),
    "get-docs": Operation(tag="docs"),
}

# Functions described here rather than by their own resolver: the two that serve the
# document (one of them reads the file this module writes), and those whose type
# hints Powertools cannot turn into a schema yet. When such a function starts
# describing itself, the build fails until its entry here is removed.
DOCS_FUNCTIONS = frozenset({"get-openapi", "get-docs"})
_DESCRIBED_HERE: dict[str, dict[str, Any]] = {
    "get-openapi": {
        "/api/openapi.json": {
            "get": {
                "summary": "This document",
                "responses": {
                    "200": {
                        "description": "The merged OpenAPI document of the API",
                        "content": {"application/json": {"schema": {"type": "object"}}},
                    }
                },
            }
        },
    },
    "get-docs": {
        "/api/docs": {
            "get": {
                "summary": "The API explorer (Swagger UI) for this document",
                "responses": {
                    "200": {
                        "description": "A self-contained HTML page",
                        "content": {"text/html": {"schema": {"type": "string"}}},
                    }
                },
            }
        },
    },
}
_EXTRA_SCHEMAS: dict[str, dict[str, Any]] = {}


class OpenAPIBuildError(RuntimeError):
    pass


def http_functions() -> tuple[Function, ...]:
    return tuple(function for function in FUNCTIONS if function.routes)


def build_document() -> dict[str, Any]:
    """The merged document; imports every HTTP handler module (their environment must be set)."""
    functions = http_functions()
    names = {function.name for function in functions}
    stale = (set(OPERATIONS) | ISSUERS | DOCS_FUNCTIONS) - names
    if stale:
        raise OpenAPIBuildError(f"tools/openapi.py names functions the catalog lacks: {sorted(stale)}")
    merge = OpenAPIMerge(title=TITLE, version=VERSION, description=DESCRIPTION, on_conflict="error")
    components: dict[str, dict[str, Any]] = {}
    owners: dict[tuple[str, str], str] = {}
    for function in functions:
        schema = _function_schema(function)
        for kind, entries in schema.get("components", {}).items():
            for name, entry in entries.items():
                known = components.setdefault(kind, {}).setdefault(name, entry)
                if known != entry:
                    raise OpenAPIBuildError(
                        f"components.{kind}.{name} differs between "
                        f"{owners[kind, name]!r} and {function.name!r}: rename one"
                    )
                owners.setdefault((kind, name), function.name)
        for path_item in schema.get("paths", {}).values():
            for operation in path_item.values():
                _describe(operation, function)
        merge.add_schema(schema)
    document = copy.deepcopy(merge.get_openapi_schema())
    document["tags"] = _tags(document)
    document["components"] = _components(document.get("components", {}))
    _prune_unused_schemas(document)
    ordered: dict[str, Any] = _sorted(document)
    return ordered


def render(document: Mapping[str, Any]) -> str:
    return json.dumps(document, indent=2, sort_keys=True, ensure_ascii=False) + "\n"


def _function_schema(function: Function) -> dict[str, Any]:
    if function.name in DOCS_FUNCTIONS:
        return {"paths": copy.deepcopy(_DESCRIBED_HERE[function.name])}
    module_name = function.handler.rpartition(".")[0]
    app = getattr(importlib.import_module(module_name), "app", None)
    if app is None or not hasattr(app, "get_openapi_schema"):
        raise OpenAPIBuildError(f"{module_name} has no module-level resolver `app`")
    try:
        generated = app.get_openapi_schema().model_dump(by_alias=True, exclude_none=True, mode="json")
    except PydanticUserError as exc:
        if function.name not in _DESCRIBED_HERE:
            raise OpenAPIBuildError(f"{module_name}: its type hints have no OpenAPI schema: {exc}") from exc
        return {"paths": copy.deepcopy(_DESCRIBED_HERE[function.name])}
    if function.name in _DESCRIBED_HERE:
        raise OpenAPIBuildError(
            f"{module_name} now describes itself: remove {function.name!r} from _DESCRIBED_HERE in tools/openapi.py"
        )
    return {"paths": generated.get("paths", {}), "components": generated.get("components", {})}


def _describe(operation: dict[str, Any], function: Function) -> None:
    """Adds to one generated operation what its type hints cannot say."""
    spec = OPERATIONS.get(function.name, Operation())
    operation["operationId"] = function.name
    if spec.tag and not operation.get("tags"):
        operation["tags"] = [spec.tag]
    responses: dict[str, Any] = operation.setdefault("responses", {})
    responses.pop("422", None)  # Powertools' own validation error shape; ours is problem+json
    # 207 (Multi-Status) is a batch's other answer, beside its 200: the success described here.
    successes = [status for status in responses if status.startswith("2") and status != "207"]
    if len(successes) != 1:
        raise OpenAPIBuildError(f"{function.name}: expected one success response, found {successes}")
    success = responses[successes[0]]
    if successes[0] == "204":
        success.pop("content", None)  # no body, whatever the annotation says
    if spec.success_headers:
        success["headers"] = {header: {"$ref": f"#/components/headers/{header}"} for header in spec.success_headers}
    if spec.links:
        success["links"] = {link: copy.deepcopy(_LINKS[link]) for link in spec.links}
    for status in sorted(_errors(operation, function, spec)):
        responses[str(status)] = {"$ref": f"#/components/responses/{_ERRORS[status][0]}"}
    if spec.parameters:
        operation.setdefault("parameters", []).extend(
            {"$ref": f"#/components/parameters/{parameter}"} for parameter in spec.parameters
        )
    if not is_public(function):
        operation["security"] = [{BEARER: []}]


def _errors(operation: dict[str, Any], function: Function, spec: Operation) -> set[int]:
    authenticated = not is_public(function)
    locations = {parameter.get("in") for parameter in operation.get("parameters", [])}
    body = "requestBody" in operation
    derived = {
        400: body,
        401: authenticated,
        415: body,
        404: "path" in locations,
        422: body or bool(locations - {"path"}),
        429: authenticated and "redis" in function.uses,
        503: "database" in function.uses,
    }
    return {status for status, applies in derived.items() if applies} | set(spec.errors)


def _components(generated: dict[str, Any]) -> dict[str, Any]:
    components = copy.deepcopy(generated)
    schemas = components.setdefault("schemas", {})
    for name, schema in {**_PROBLEM_SCHEMAS, **_EXTRA_SCHEMAS}.items():
        if name in schemas and schemas[name] != schema:
            raise OpenAPIBuildError(f"components.schemas.{name} is reserved for the document's own schema")
        schemas[name] = copy.deepcopy(schema)
    components["responses"] = {
        name: {
            "description": description,
            "headers": {header: {"$ref": f"#/components/headers/{header}"} for header in headers},
            "content": {"application/problem+json": {"schema": {"$ref": "#/components/schemas/Problem"}}},
        }
        for name, description, headers in _ERRORS.values()
    }
    for response in components["responses"].values():
        if not response["headers"]:
            del response["headers"]
    components["headers"] = copy.deepcopy(_HEADERS)
    components["parameters"] = copy.deepcopy(_PARAMETERS)
    components["securitySchemes"] = {
        BEARER: {
            "type": "http",
            "scheme": "bearer",
            "bearerFormat": "JWT",
            "description": "The access token from POST /api/auth/login or /api/auth/refresh",
        },
    }
    return components


def _tags(document: dict[str, Any]) -> list[dict[str, str]]:
    used = {
        tag
        for path_item in document.get("paths", {}).values()
        for operation in path_item.values()
        for tag in operation.get("tags", [])
    }
    ordered = [tag for tag in TAGS if tag in used] + sorted(used - set(TAGS))
    return [{"name": tag, "description": TAGS[tag]} if tag in TAGS else {"name": tag} for tag in ordered]


def _refs(node: Any) -> Iterator[str]:
    if isinstance(node, dict):
        for key, value in node.items():
            if key == "$ref" and isinstance(value, str):
                yield value
            else:
                yield from _refs(value)
    elif isinstance(node, list):
        for item in node:
            yield from _refs(item)


def _prune_unused_schemas(document: dict[str, Any]) -> None:
    """Drops the schemas nothing refers to (Powertools adds its validation error shapes to every app)."""
    schemas: dict[str, Any] = document["components"]["schemas"]
    prefix = "#/components/schemas/"
    roots = {key: value for key, value in document.items() if key != "components"}
    roots["components"] = {key: value for key, value in document["components"].items() if key != "schemas"}
    reachable: set[str] = set()
    pending = [ref.removeprefix(prefix) for ref in _refs(roots) if ref.startswith(prefix)]
    while pending:
        name = pending.pop()
        if name in reachable:
            continue
        if name not in schemas:
            raise OpenAPIBuildError(f"a $ref names components.schemas.{name}, which does not exist")
        reachable.add(name)
        pending.extend(ref.removeprefix(prefix) for ref in _refs(schemas[name]) if ref.startswith(prefix))
    for name in set(schemas) - reachable:
        del schemas[name]


def _sorted(node: Any) -> Any:
    if isinstance(node, dict):
        return {key: _sorted(node[key]) for key in sorted(node)}
    if isinstance(node, list):
        return [_sorted(item) for item in node]
    return node


def _prepare_environment() -> None:
    """Handler modules read their settings at import; a build needs no real secrets or servers."""
    if not os.environ.get("JWT_PRIVATE_KEY") and not os.environ.get("JWT_PUBLIC_KEY"):
        from cryptography.hazmat.primitives import serialization
        from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

        throwaway = Ed25519PrivateKey.generate().private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        )
        os.environ["JWT_PRIVATE_KEY"] = throwaway.decode()


def _display(path: Path) -> str:
    root = REPO_ROOT
    return str(path.relative_to(root)) if path.is_relative_to(root) else str(path)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m tools.openapi", description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    action = parser.add_mutually_exclusive_group(required=True)
    action.add_argument("--write", action="store_true", help="write the committed document afresh")
    action.add_argument("--check", action="store_true", help="exit 1 when the committed document is stale")
    args = parser.parse_args(argv)
    _prepare_environment()
    fresh = render(build_document())
    if args.write:
        DOCUMENT_PATH.write_text(fresh, encoding="utf-8")
        print(f"wrote {_display(DOCUMENT_PATH)}")
        return 0
    committed = DOCUMENT_PATH.read_text(encoding="utf-8") if DOCUMENT_PATH.exists() else None
    if committed != fresh:
        print(
            f"{_display(DOCUMENT_PATH)} is out of date with the handlers; run `make openapi` "
            f"(python -m tools.openapi --write)",
            file=sys.stderr,
        )
        return 1
    print(f"{_display(DOCUMENT_PATH)} is up to date")
    return 0


if __name__ == "__main__":
    sys.exit(main())
