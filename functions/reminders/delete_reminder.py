"""DELETE /api/tasks/{task_id}/reminders/{reminder_id}: 204."""

from aws_lambda_powertools.event_handler import Response

from functions.domain.auth import auth
from functions.domain.reminders import reminders
from functions.platform.function import authenticated_api
from functions.platform.http import parse_id

app, deps, handler = authenticated_api(__name__)


@app.delete(
    "/api/tasks/<task_id>/reminders/<reminder_id>", status_code=204, tags=["reminders"], summary="Remove a reminder"
)
def delete_reminder(task_id: str, reminder_id: str) -> Response[None]:
    claims = deps.caller(app)
    task_id, reminder_id = parse_id(task_id), parse_id(reminder_id, "reminder")
    deps.database.transaction(
        lambda conn: reminders.delete(conn, auth.ensure_current(conn, claims), task_id, reminder_id)
    )
    return Response(status_code=204)
