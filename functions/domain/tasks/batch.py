"""Many tasks changed or deleted in one request, each item on its own: an item that fails (a
stale If-Match, a task the caller cannot see or change, a rule it breaks) is rolled back alone
and reported with the status and detail a single request would have had; the rest apply.

Each item runs in a savepoint of one transaction and does exactly what the single PATCH or
DELETE does (its checks, its outbox event, its cache generation bump by trigger), in the order
sent (tasks moved to a workspace arrive at the end of its list in that order). The tasks the
caller can see are locked first, in id order, so two batches over the same tasks never wait
on each other in a circle; a deadlock with some other writer still aborts the whole
transaction, which the database layer retries.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from http import HTTPStatus
from typing import Any

from aws_lambda_powertools.event_handler.openapi.types import OpenAPIResponse, OpenAPIResponseContentModel

from functions.domain.tags import tags
from functions.domain.tasks import tasks
from functions.domain.tasks.models import BatchChanges, BatchDeleteItem, BatchPatchItem, BatchResult, Task
from functions.platform.db import Connection
from functions.platform.errors import DomainError
from functions.platform.http import etag, parse_if_match
from functions.platform.idempotent_writes import StoredResponse


@dataclass(frozen=True)
class Outcome:
    """What became of one item: the task as it is now (a change), or the error that stopped it."""

    id: str
    row: dict[str, Any] | None = None
    error: DomainError | None = None

    def problem(self) -> dict[str, Any] | None:
        if self.error is None:
            return None
        status = self.error.status
        return {
            "type": "about:blank",
            "title": HTTPStatus(status).phrase,
            "status": status,
            "detail": self.error.detail,
        }


def update_many(conn: Connection, user_id: str, items: list[BatchPatchItem]) -> list[Outcome]:
    return _each(conn, user_id, items, lambda item: _update(conn, user_id, item))


def delete_many(conn: Connection, user_id: str, items: list[BatchDeleteItem]) -> list[Outcome]:
    def delete(item: BatchDeleteItem) -> None:
        tasks.delete(conn, user_id, item.id, parse_if_match(item.if_match))

    return _each(conn, user_id, items, delete)


def _update(conn: Connection, user_id: str, item: BatchPatchItem) -> dict[str, Any]:
    changes: BatchChanges = item.changes
    patch = changes.task_patch()
    if patch is not None:
        row = tasks.update(conn, user_id, item.id, patch, parse_if_match(item.if_match))
    else:  # tags only: the precondition still holds
        row = tasks.load(conn, user_id, item.id, write=True, lock=True)
        tasks.check_version(row, parse_if_match(item.if_match))
    for tag_id in changes.add_tags:
        row = tags.attach(conn, user_id, item.id, tag_id)
    for tag_id in changes.remove_tags:
        row = tags.detach(conn, user_id, item.id, tag_id)
    return row


def _each(
    conn: Connection, user_id: str, items: list[Any], work: Callable[[Any], dict[str, Any] | None]
) -> list[Outcome]:
    conn.execute(
        "SELECT 1 FROM tasks t JOIN memberships m ON m.workspace_id = t.workspace_id AND m.user_id = %s"
        " WHERE t.id = ANY(%s::uuid[]) ORDER BY t.id FOR UPDATE OF t",
        (user_id, [item.id for item in items]),
    )
    outcomes = []
    for item in items:
        try:
            with conn.transaction():  # a savepoint: a failed item leaves nothing behind
                row = work(item)
        except DomainError as error:
            outcomes.append(Outcome(item.id, error=error))
        else:
            outcomes.append(Outcome(item.id, row=row))
    return outcomes


def report(outcomes: list[Outcome], applied_status: int) -> StoredResponse:
    """The response: 200 when every item applied, 207 (Multi-Status) when some did not; each
    item with its status and either its task and ETag, or its problem."""
    items = []
    for outcome in outcomes:
        if outcome.error is not None:
            items.append({"id": outcome.id, "status": outcome.error.status, "problem": outcome.problem()})
        elif outcome.row is None:
            items.append({"id": outcome.id, "status": applied_status})
        else:
            task = Task.from_row(outcome.row).model_dump(mode="json")
            items.append({"id": outcome.id, "status": applied_status, "etag": etag(outcome.row), "task": task})
    status = 207 if any(outcome.error is not None for outcome in outcomes) else 200
    return {
        "status": status,
        "body": BatchResult.model_validate({"items": items}).model_dump(mode="json"),
        "headers": {},
    }


def responses(what: str) -> dict[int, OpenAPIResponse]:
    """The two answers a batch documents (the route decorator's `responses`)."""
    model: OpenAPIResponseContentModel = {"model": BatchResult}
    return {
        200: {"description": f"every item {what}", "content": {"application/json": model}},
        207: {"description": "some items were not applied: each says why", "content": {"application/json": model}},
    }
