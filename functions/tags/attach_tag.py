"""PUT /api/tasks/{task_id}/tags/{tag_id}: attach a tag of the task's workspace (idempotent)."""

from aws_lambda_powertools.event_handler import Response

from functions.domain.activity import publishing
from functions.domain.auth import auth
from functions.domain.tags import tags
from functions.domain.tasks.models import Task
from functions.platform.function import authenticated_api
from functions.platform.http import etag, parse_id

app, deps, handler = authenticated_api(__name__)


@app.put("/api/tasks/<task_id>/tags/<tag_id>", tags=["tags"], summary="Attach a tag to a task")
def put_task_tag(task_id: str, tag_id: str) -> Response[Task]:
    claims = deps.caller(app)
    task_id, tag_id = parse_id(task_id), parse_id(tag_id, "tag")
    row = publishing.transaction(
        deps, lambda conn: tags.attach(conn, auth.ensure_current(conn, claims), task_id, tag_id)
    )
    return Response(200, "application/json", Task.from_row(row), headers={"ETag": etag(row)})
