"""POST /api/tasks/{task_id}/checklist: add an item at the end of the task's checklist."""

from aws_lambda_powertools.event_handler import Response

from functions.domain.activity import publishing
from functions.domain.auth import auth
from functions.domain.checklists import checklists
from functions.domain.checklists.models import ChecklistItem, ChecklistItemCreate
from functions.platform.function import authenticated_api
from functions.platform.http import parse_id

app, deps, handler = authenticated_api(__name__)


@app.post("/api/tasks/<task_id>/checklist", status_code=201, tags=["checklists"], summary="Add a checklist item")
def post_item(task_id: str, body: ChecklistItemCreate) -> Response[ChecklistItem]:
    claims = deps.caller(app)
    task_id = parse_id(task_id)
    row = publishing.transaction(
        deps, lambda conn: checklists.add(conn, auth.ensure_current(conn, claims), task_id, body.text)
    )
    # The task's new ETag: the next checklist change can send it as If-Match.
    return Response(201, "application/json", ChecklistItem.from_row(row), headers={"ETag": f'"{row["task_version"]}"'})
