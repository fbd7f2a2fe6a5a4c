"""GET /api/export: the caller's tasks (every workspace they can read, or one) as a JSON or CSV
download, streamed a page at a time (functions/domain/transfer/export.py)."""

from datetime import UTC, datetime
from typing import Annotated

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.openapi.params import Query

from functions.domain.auth import auth
from functions.domain.tasks.models import Id
from functions.domain.transfer import export
from functions.domain.workspaces import workspaces
from functions.platform.db import Connection
from functions.platform.function import authenticated_api

app, deps, handler = authenticated_api(__name__)

_TASK_SCHEMA = {
    "type": "object",
    "description": "title, description, completed, priority, due_date, timezone, recurrence, tags [{name, color}],"
    " checklist [{text, done}], workspace, created_at, completed_at",
}


@app.get(
    "/api/export",
    tags=["transfer"],
    summary="Export tasks as JSON or CSV (streamed)",
    responses={
        200: {
            "description": "A download (Content-Disposition: attachment), sent as it is read",
            "content": {
                "application/json": {
                    "schema": {
                        "type": "object",
                        "properties": {
                            "format": {"type": "string", "enum": [export.FORMAT_NAME]},
                            "version": {"type": "integer", "enum": [export.FORMAT_VERSION]},
                            "exported_at": {"type": "string", "format": "date-time"},
                            "tasks": {"type": "array", "items": _TASK_SCHEMA},
                        },
                    }
                },
                "text/csv": {"schema": {"type": "string", "description": ", ".join(export.CSV_COLUMNS)}},
            },
        }
    },
)
# No return annotation: Powertools would validate the body, and so consume the stream.
def get_export(  # type: ignore[no-untyped-def]
    format: Annotated[export.ExportFormat, Query()] = "json",
    workspace_id: Annotated[Id | None, Query(description="one workspace; default: every one you can read")] = None,
):
    claims = deps.caller(app)

    def reader(conn: Connection) -> str:
        user_id = auth.ensure_current(conn, claims)
        if workspace_id is not None:
            workspaces.resolve(conn, user_id, workspace_id, write=False)
        return user_id

    # Checked before the first byte goes out: a refusal is still a problem+json, not half a file.
    user_id = deps.database.transaction(reader)
    now = datetime.now(UTC)
    return Response(
        200,
        body=export.stream(deps.database, user_id, workspace_id, format, now),
        headers={
            # Lower case, so Powertools does not take it for its own JSON and serialise the stream.
            "content-type": export.content_type(format),
            "Content-Disposition": f'attachment; filename="{export.filename(format, now)}"',
            "Cache-Control": "no-store",
        },
    )
