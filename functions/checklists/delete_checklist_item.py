"""DELETE /api/tasks/{task_id}/checklist/{item_id}: remove an item; the rest close up."""

from aws_lambda_powertools.event_handler import Response

from functions.domain.activity import publishing
from functions.domain.auth import auth
from functions.domain.checklists import checklists
from functions.platform.function import authenticated_api
from functions.platform.http import parse_id

app, deps, handler = authenticated_api(__name__)


@app.delete(
    "/api/tasks/<task_id>/checklist/<item_id>", status_code=204, tags=["checklists"], summary="Remove a checklist item"
)
def delete_item(task_id: str, item_id: str) -> Response[None]:
    claims = deps.caller(app)
    task_id, item_id = parse_id(task_id), parse_id(item_id, "checklist item")
    version = publishing.transaction(
        deps, lambda conn: checklists.remove(conn, auth.ensure_current(conn, claims), task_id, item_id)
    )
    return Response(status_code=204, headers={"ETag": f'"{version}"'})
