"""GET /api/tasks/{task_id}/reminders: the task's reminders and when each is next due."""

from aws_lambda_powertools import Logger

from functions.domain.auth import auth
from functions.domain.reminders import reminders
from functions.domain.reminders.models import Reminder, ReminderList
from functions.platform.api import api_handler, create_api
from functions.platform.dependencies import Dependencies
from functions.platform.http import parse_id
from functions.platform.settings import Settings

deps = Dependencies.from_settings(Settings.from_env())
logger = Logger(service="reminders")
app = create_api(deps.settings)


@app.get("/api/tasks/<task_id>/reminders", tags=["reminders"], summary="A task's reminders")
def get_reminders(task_id: str) -> ReminderList:
    claims = deps.caller(app)
    task_id = parse_id(task_id)
    rows = deps.database.transaction(
        lambda conn: reminders.list_for(conn, auth.ensure_current(conn, claims), task_id))
    return ReminderList(items=[Reminder.from_row(row) for row in rows])


handler = api_handler(app, logger, "list-reminders", deps.verifier)
