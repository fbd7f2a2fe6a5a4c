"""PATCH /api/tasks/{task_id}/checklist/{item_id}: edit, check or move an item.

Send the task's ETag as If-Match when moving: a move computed on a stale view is 412.
"""

from aws_lambda_powertools.event_handler import Response

from functions.domain.activity import publishing
from functions.domain.auth import auth
from functions.domain.checklists import checklists
from functions.domain.checklists.models import ChecklistItem, ChecklistItemPatch
from functions.platform.function import authenticated_api
from functions.platform.http import parse_id, parse_if_match

app, deps, handler = authenticated_api(__name__)


@app.patch("/api/tasks/<task_id>/checklist/<item_id>", tags=["checklists"], summary="Change a checklist item")
def patch_item(task_id: str, item_id: str, body: ChecklistItemPatch) -> Response[ChecklistItem]:
    claims = deps.caller(app)
    task_id, item_id = parse_id(task_id), parse_id(item_id, "checklist item")
    allowed = parse_if_match(app.current_event.headers.get("if-match"))
    row = publishing.transaction(
        deps,
        lambda conn: checklists.change(
            conn, auth.ensure_current(conn, claims), task_id, item_id, body.text, body.done, body.position, allowed
        ),
    )
    return Response(200, "application/json", ChecklistItem.from_row(row), headers={"ETag": f'"{row["task_version"]}"'})
