"""POST /api/tasks/{task_id}/versions/{version}/restore: the task as that version left it.

Fields, workspace, tags and checklist go back in one transaction, recorded as a new version
(history is never rewritten). If-Match with the task's current ETag is required: 428 without
it, 412 when the task has changed since.
"""

from typing import Any

from aws_lambda_powertools.event_handler import Response

from functions.domain.activity import publishing
from functions.domain.auth import auth
from functions.domain.tasks import versions
from functions.domain.tasks.version_models import RestoredTask
from functions.platform.db import Connection
from functions.platform.errors import NotFound, PreconditionRequired
from functions.platform.function import authenticated_api
from functions.platform.http import etag, parse_id, parse_if_match

app, deps, handler = authenticated_api(__name__)


@app.post("/api/tasks/<task_id>/versions/<version>/restore", tags=["tasks"], summary="Restore a version of a task")
def restore_task_version(task_id: str, version: str) -> Response[RestoredTask]:
    claims = deps.caller(app)
    task_id = parse_id(task_id)
    number = _version_number(version)
    header = app.current_event.headers.get("if-match")

    def restore(conn: Connection) -> tuple[dict[str, Any], list[str]]:
        user_id = auth.ensure_current(conn, claims)  # an ended session is 401 before anything else
        if header is None:
            raise PreconditionRequired("send the task's ETag as If-Match: a restore replaces the whole task")
        return versions.restore(conn, user_id, task_id, number, parse_if_match(header))

    row, notes = publishing.transaction(deps, restore)
    restored = RestoredTask.from_row({**row, "not_restored": notes})
    return Response(200, "application/json", restored, headers={"ETag": etag(row)})


def _version_number(raw: str) -> int:
    """A version number from the path; anything else names no version (404, as an id does)."""
    if not (raw.isascii() and raw.isdigit() and len(raw) <= 10 and 1 <= int(raw) <= 2**31 - 1):
        raise NotFound("no such version of the task")
    return int(raw)
