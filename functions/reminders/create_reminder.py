"""POST /api/tasks/{task_id}/reminders: {at} or {before_due: "PT30M"}, and a channel; several per task."""

from functions.domain.auth import auth
from functions.domain.reminders import reminders
from functions.domain.reminders.models import AbsoluteReminder, RelativeReminder, Reminder, ReminderCreate
from functions.platform.function import authenticated_api
from functions.platform.http import parse_id

app, deps, handler = authenticated_api(__name__)


@app.post("/api/tasks/<task_id>/reminders", status_code=201, tags=["reminders"], summary="Add a reminder")
def post_reminder(task_id: str, body: ReminderCreate) -> Reminder:
    claims = deps.caller(app)
    task_id = parse_id(task_id)
    at = body.at if isinstance(body, AbsoluteReminder) else None
    before_due = body.before_due if isinstance(body, RelativeReminder) else None
    row = deps.database.transaction(
        lambda conn: reminders.create(conn, auth.ensure_current(conn, claims), task_id, at, before_due, body.channel)
    )
    return Reminder.from_row(row)
