"""DELETE /api/tasks/{task_id}/reminders/{reminder_id}: 204."""

from aws_lambda_powertools import Logger
from aws_lambda_powertools.event_handler import Response

from functions.domain.auth import auth
from functions.domain.reminders import reminders
from functions.platform.api import api_handler, create_api
from functions.platform.dependencies import Dependencies
from functions.platform.http import parse_id
from functions.platform.settings import Settings

deps = Dependencies.from_settings(Settings.from_env())
logger = Logger(service="reminders")
app = create_api(deps.settings)


@app.delete("/api/tasks/<task_id>/reminders/<reminder_id>", status_code=204, tags=["reminders"],
            summary="Remove a reminder")
def delete_reminder(task_id: str, reminder_id: str) -> Response[None]:
    claims = deps.caller(app)
    task_id, reminder_id = parse_id(task_id), parse_id(reminder_id, "reminder")
    deps.database.transaction(
        lambda conn: reminders.delete(conn, auth.ensure_current(conn, claims), task_id, reminder_id))
    return Response(status_code=204)


handler = api_handler(app, logger, "delete-reminder", deps.verifier)
