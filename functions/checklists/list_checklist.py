"""GET /api/tasks/{task_id}/checklist: the task's checklist, in order."""

from functions.domain.auth import auth
from functions.domain.checklists import checklists
from functions.domain.checklists.models import Checklist, ChecklistItem
from functions.platform.function import authenticated_api
from functions.platform.http import parse_id

app, deps, handler = authenticated_api(__name__)


@app.get("/api/tasks/<task_id>/checklist", tags=["checklists"], summary="A task's checklist")
def get_items(task_id: str) -> Checklist:
    claims = deps.caller(app)
    task_id = parse_id(task_id)
    rows = deps.database.transaction(
        lambda conn: checklists.list_items(conn, auth.ensure_current(conn, claims), task_id)
    )
    return Checklist(items=[ChecklistItem.from_row(row) for row in rows])
