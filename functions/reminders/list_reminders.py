"""GET /api/tasks/{task_id}/reminders: the task's reminders and when each is next due."""

from functions.domain.auth import auth
from functions.domain.reminders import reminders
from functions.domain.reminders.models import Reminder, ReminderList
from functions.platform.function import authenticated_api
from functions.platform.http import parse_id

app, deps, handler = authenticated_api(__name__)


@app.get("/api/tasks/<task_id>/reminders", tags=["reminders"], summary="A task's reminders")
def get_reminders(task_id: str) -> ReminderList:
    claims = deps.caller(app)
    task_id = parse_id(task_id)
    rows = deps.database.transaction(lambda conn: reminders.list_for(conn, auth.ensure_current(conn, claims), task_id))
    return ReminderList(items=[Reminder.from_row(row) for row in rows])
