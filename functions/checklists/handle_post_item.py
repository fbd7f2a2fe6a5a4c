"""POST /api/tasks/{task_id}/checklist: add an item at the end of the task's checklist."""

from aws_lambda_powertools import Logger

from functions.taskforge import auth, checklists, tasks
from functions.taskforge.api import api_handler, create_api
from functions.taskforge.collab_models import ChecklistItem, ChecklistItemCreate
from functions.taskforge.dependencies import Dependencies
from functions.taskforge.settings import Settings

deps = Dependencies.from_settings(Settings.from_env())
logger = Logger(service="checklists")
app = create_api(deps.settings)


@app.post("/api/tasks/<task_id>/checklist", status_code=201, tags=["checklists"], summary="Add a checklist item")
def post_item(task_id: str, body: ChecklistItemCreate) -> ChecklistItem:
    claims = deps.caller(app)
    task_id = tasks.parse_id(task_id)
    row = deps.database.transaction(
        lambda conn: checklists.add(conn, auth.ensure_current(conn, claims), task_id, body.text))
    return ChecklistItem.from_row(row)


handler = api_handler(app, logger, "add-checklist-item", deps.verifier)
