"""The API keeps the promises of its document: schemathesis against the in-process gateway.

Every operation of /api/openapi.json, with every check schemathesis has (`--checks all`):
no 5xx, status codes, content types, bodies and headers as documented, schema-valid
input accepted, invalid input refused, authentication enforced, unsupported methods
refused, and, along the document's links, what was created readable, changeable and
deletable, then gone. All phases run: examples, coverage, fuzzing and stateful.

The budget is SCHEMATHESIS_MAX_EXAMPLES examples per operation and phase (small by
default, so the folder stays fast; a longer run raises it). SCHEMATHESIS_SEED replays
a run.
"""

from __future__ import annotations

import os
import random
import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any
from zoneinfo import ZoneInfo

import psycopg
import pytest
import schemathesis
from schemathesis.engine import Status, events, from_schema
from schemathesis.generation import GenerationMode
from schemathesis.transport.wsgi import WSGITransport

MAX_EXAMPLES = int(os.environ.get("SCHEMATHESIS_MAX_EXAMPLES", "3"))
MAX_STEPS = int(os.environ.get("SCHEMATHESIS_MAX_STEPS", "5"))
SEED = int(os.environ.get("SCHEMATHESIS_SEED") or random.randrange(2**32))
# The operations whose bodies carry an RRULE and an IANA timezone, and those that take an
# Idempotency-Key (see _semantically_valid).
TASK_WRITES = frozenset({"create-task", "create-tasks-batch", "patch-task"})
IDEMPOTENT = frozenset({"create-task", "create-tasks-batch"})


@dataclass(frozen=True)
class Finding:
    operation: str
    check: str
    title: str
    message: str
    status: int | None
    reproduce: str

    def __str__(self) -> str:
        return (
            f"{self.operation}: [{self.check}] {self.title} (answered {self.status})\n{self.message}\n"
            f"Reproduce with:\n{self.reproduce}\n"
        )


def with_query_in_raw_uri(app: Any) -> Any:
    """The gateway reads the request target from RAW_URI, as gunicorn writes it (path and
    query). werkzeug's test client writes the path alone there, so the query is added back
    as a real server would send it."""

    def wsgi(environ: dict[str, Any], start_response: Any) -> Iterable[bytes]:
        raw_uri, query = environ.get("RAW_URI"), environ.get("QUERY_STRING")
        if raw_uri and query and "?" not in raw_uri:
            environ = {**environ, "RAW_URI": f"{raw_uri}?{query}", "REQUEST_URI": f"{raw_uri}?{query}"}
        return app(environ, start_response)

    return wsgi


@pytest.fixture
def wsgi_probes_without_socket_options(monkeypatch):
    """schemathesis 4.32.5 hands requests-only options (max_redirects, verify, cert) to
    werkzeug when a check re-sends a request without credentials over WSGI, and werkzeug
    refuses them; they mean nothing in process, so they are dropped there."""
    send = WSGITransport.send

    def send_in_process(self, case, *, session=None, **kwargs):
        if session is None:
            for name in ("max_redirects", "verify", "cert", "proxies"):
                kwargs.pop(name, None)
        return send(self, case, session=session, **kwargs)

    monkeypatch.setattr(WSGITransport, "send", send_in_process)


def _semantically_valid(context, case):
    """What JSON Schema cannot say, made true in the cases meant to be valid (invalid cases
    keep what they were given): which strings are RRULEs the API supports or IANA zone
    names, that a recurring task needs a due date, and that an Idempotency-Key is meant
    for one request body (hypothesis reuses its favourite strings; a reused key with
    another body is refused with 422, as documented)."""
    operation_id = case.operation.definition.raw.get("operationId")
    if case.meta is None or case.meta.generation.mode != GenerationMode.POSITIVE:
        return case
    key = (case.headers or {}).get("Idempotency-Key")
    if operation_id in IDEMPOTENT and isinstance(key, str):
        case.headers["Idempotency-Key"] = f"{key[:200]}-{uuid.uuid4()}"
    if operation_id not in TASK_WRITES or not isinstance(case.body, dict):
        return case
    for task in case.body.get("tasks", [case.body]):
        if not isinstance(task, dict):
            continue
        if isinstance(task.get("timezone"), str) and not _is_zone(task["timezone"]):
            task["timezone"] = "UTC"
        if isinstance(task.get("recurrence"), str):
            task["recurrence"] = "FREQ=DAILY;COUNT=3"
            if not isinstance(task.get("due_date"), str):
                task["due_date"] = "2030-01-01T09:00:00Z"
    return case


def _is_zone(name: str) -> bool:
    try:
        ZoneInfo(name)
    except (KeyError, ValueError, OSError):  # ZoneInfoNotFoundError is a KeyError
        return False
    return True


def _config(email: str, password: str) -> schemathesis.Config:
    # Failed logins are counted per client address: the run gets an address of its own
    # (TEST-NET-3), so its fuzzing of /api/auth/login never rate-limits other tests.
    client_address = f"203.0.113.{uuid.uuid4().int % 254 + 1}"
    data: dict[str, Any] = {
        "headers": {"X-Forwarded-For": client_address},
        "generation": {"max-examples": MAX_EXAMPLES},
        "checks": {
            "enabled": True,
            # schemathesis' defaults, 400 and 412: a made-up cursor or If-Match is refused as
            # documented (no client can know one without asking the API), not wrongly. And
            # 422 for the checks no schema states: an IANA zone or RRULE that exists, a
            # webhook host that resolves to a public address, a reminder within the horizon.
            "positive_data_acceptance": {
                "expected-statuses": ["2xx", "3xx", "400", "401", "403", "404", "409", "412", "422", "429", "5xx"],
            },
        },
        "phases": {
            "examples": {"enabled": True},
            "coverage": {"enabled": True},
            "fuzzing": {"enabled": True},
            "stateful": {"enabled": True, "max-steps": MAX_STEPS},
        },
        # A fresh account's token; logging out or changing the password revokes it, so a 401
        # logs in again and the request is replayed.
        "auth": {
            "dynamic": {
                "openapi": {
                    "bearerAuth": {
                        "path": "/api/auth/login",
                        "payload": {"email": email, "password": password},
                        "extract_selector": "/access_token",
                        "retry_on": [401],
                    }
                }
            }
        },
        "seed": SEED,
    }
    return schemathesis.Config.from_dict(data)


def _run(schema) -> tuple[list[Finding], list[str]]:
    findings: dict[tuple[str, str, str], Finding] = {}
    errors: list[str] = []
    for event in from_schema(schema).execute():
        if isinstance(event, events.FatalError):
            raise event.exception
        if isinstance(event, events.NonFatalError):
            errors.append(f"{event.label}: {event.value!r}")
        if isinstance(event, events.ScenarioFinished) and event.status == Status.FAILURE:
            recorder = event.recorder
            for case_id, checks in recorder.checks.items():
                for check in checks:
                    if check.status != Status.FAILURE or check.failure_info is None:
                        continue
                    failure = check.failure_info.failure
                    operation = failure.operation or recorder.label
                    response = recorder.find_response(case_id=failure.case_id or case_id)
                    findings.setdefault(
                        (operation, check.name, failure.title),
                        Finding(
                            operation,
                            check.name,
                            failure.title,
                            failure.message,
                            response.status_code if response else None,
                            check.failure_info.code_sample,
                        ),
                    )
    return list(findings.values()), errors


@pytest.mark.timeout(max(120, 20 * MAX_EXAMPLES * MAX_STEPS))
@pytest.mark.usefixtures("wsgi_probes_without_socket_options")
def test_the_api_conforms_to_its_document(gateway, make_account, api_database):
    # Given a fresh account, and the moment the run began
    account = make_account()
    with psycopg.connect(api_database, autocommit=True) as conn:
        started = conn.execute("SELECT clock_timestamp()").fetchone()[0]
    schema = schemathesis.openapi.from_wsgi(
        "/api/openapi.json", with_query_in_raw_uri(gateway), config=_config(account.email, account.password)
    )
    schema.hook("map_case")(_semantically_valid)
    try:
        # When schemathesis exercises every operation of the document
        findings, errors = _run(schema)
    finally:
        # The accounts the run registered go, with their workspaces and tasks.
        with psycopg.connect(api_database, autocommit=True) as conn:
            conn.execute("DELETE FROM users WHERE created_at >= %s AND id <> %s::uuid", (started, account.id))

    # Then the API does what the document says
    assert not errors, "schemathesis could not run everything:\n" + "\n".join(errors)
    assert not findings, (
        f"{len(findings)} ways the API and its document disagree (replay with "
        f"SCHEMATHESIS_SEED={SEED}):\n\n"
        + "\n".join(
            str(finding) for finding in sorted(findings, key=lambda finding: (finding.operation, finding.check))
        )
    )
