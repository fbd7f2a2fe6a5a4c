"""GET /api/tasks/{task_id}/checklist: the task's checklist, in order.

The ETag is a digest of the list: If-None-Match with it gets 304 while the list is the same.
"""

from aws_lambda_powertools.event_handler import Response

from functions.domain.auth import auth
from functions.domain.checklists import checklists
from functions.domain.checklists.models import Checklist, ChecklistItem
from functions.platform.function import authenticated_api
from functions.platform.http import IfNoneMatch, conditional, conditional_responses, parse_id

app, deps, handler = authenticated_api(__name__)


@app.get(
    "/api/tasks/<task_id>/checklist",
    tags=["checklists"],
    summary="A task's checklist",
    responses=conditional_responses("The task's checklist, in order"),
)
def get_items(task_id: str, if_none_match: IfNoneMatch = None) -> Response[Checklist]:
    claims = deps.caller(app)
    task_id = parse_id(task_id)
    rows = deps.database.transaction(
        lambda conn: checklists.list_items(conn, auth.ensure_current(conn, claims), task_id)
    )
    listed = Checklist(items=[ChecklistItem.from_row(row) for row in rows])
    return conditional(listed, "checklist", {"task_id": task_id}, if_none_match)
