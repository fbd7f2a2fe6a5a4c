"""DELETE /api/tasks/{task_id}/checklist/{item_id}: remove an item; the rest close up."""

from aws_lambda_powertools import Logger
from aws_lambda_powertools.event_handler import Response

from functions.domain.auth import auth
from functions.domain.checklists import checklists
from functions.platform.api import api_handler, create_api
from functions.platform.dependencies import Dependencies
from functions.platform.http import parse_id
from functions.platform.settings import Settings

deps = Dependencies.from_settings(Settings.from_env())
logger = Logger(service="checklists")
app = create_api(deps.settings)


@app.delete("/api/tasks/<task_id>/checklist/<item_id>", status_code=204, tags=["checklists"],
            summary="Remove a checklist item")
def delete_item(task_id: str, item_id: str) -> Response[None]:
    claims = deps.caller(app)
    task_id, item_id = parse_id(task_id), parse_id(item_id, "checklist item")
    version = deps.database.transaction(
        lambda conn: checklists.remove(conn, auth.ensure_current(conn, claims), task_id, item_id))
    return Response(status_code=204, headers={"ETag": f'"{version}"'})


handler = api_handler(app, logger, "delete-checklist-item", deps.verifier)
