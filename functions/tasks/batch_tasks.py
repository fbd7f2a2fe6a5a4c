"""PATCH and DELETE /api/tasks: change or delete 1 to 100 tasks, each item on its own with its
own If-Match (functions/domain/tasks/batch.py).

- PATCH `{"items": [{"id", "if_match", "changes": {<what PATCH /api/tasks/{id} takes>, add_tags,
  remove_tags}}]}`
- DELETE `{"items": [{"id", "if_match"}]}`: a body on DELETE, which the runtime passes to the
  handler for any method, as ALB and API Gateway do (functions/runtime/http_events.py).

200 when every item applied, 207 when some did not, with one result per item (its status, and
its task and ETag or its problem). Idempotency-Key makes a retry safe, as for the create batch.
One function for both: each would otherwise hold its own share of the database's connections.
"""

from collections.abc import Callable
from typing import Any

from aws_lambda_powertools.event_handler import Response

from functions.domain.activity import publishing
from functions.domain.auth import auth
from functions.domain.tasks import batch
from functions.domain.tasks.models import BatchDelete, BatchPatch, BatchResult
from functions.platform.db import Connection
from functions.platform.function import authenticated_api
from functions.platform.idempotency import PostgresPersistenceLayer
from functions.platform.idempotent_writes import run_once

app, deps, handler = authenticated_api(__name__)
persistence = PostgresPersistenceLayer(deps.database)


@app.patch(
    "/api/tasks", tags=["tasks"], summary="Change many tasks, each on its own", responses=batch.responses("changed")
)
def patch_tasks(body: BatchPatch) -> Response[BatchResult]:
    return _answer("patch-tasks", body.model_dump(mode="json", exclude_unset=True), 200, batch.update_many, body.items)


@app.delete(
    "/api/tasks", tags=["tasks"], summary="Delete many tasks, each on its own", responses=batch.responses("deleted")
)
def delete_tasks(body: BatchDelete) -> Response[BatchResult]:
    return _answer("delete-tasks", body.model_dump(mode="json"), 204, batch.delete_many, body.items)


def _answer(
    operation: str,
    payload: dict[str, Any],
    applied_status: int,
    apply: Callable[[Connection, str, Any], list[batch.Outcome]],
    items: Any,
) -> Response[BatchResult]:
    claims = deps.caller(app)
    stored = run_once(
        persistence,
        operation,
        app.lambda_context,
        claims.user_id,
        app.current_event.headers.get("idempotency-key"),
        payload,
        lambda: batch.report(
            publishing.transaction(deps, lambda conn: apply(conn, auth.ensure_current(conn, claims), items)),
            applied_status,
        ),
    )
    return Response(
        stored["status"], "application/json", BatchResult.model_validate(stored["body"]), headers=stored["headers"]
    )
