"""GET /api/tasks/{task_id}/reminders: the task's reminders and when each is next due.

The ETag is a digest of the list: If-None-Match with it gets 304 while the list is the same.
"""

from aws_lambda_powertools.event_handler import Response

from functions.domain.auth import auth
from functions.domain.reminders import reminders
from functions.domain.reminders.models import Reminder, ReminderList
from functions.platform.function import authenticated_api
from functions.platform.http import IfNoneMatch, conditional, conditional_responses, parse_id

app, deps, handler = authenticated_api(__name__)


@app.get(
    "/api/tasks/<task_id>/reminders",
    tags=["reminders"],
    summary="A task's reminders",
    responses=conditional_responses("The task's reminders"),
)
def get_reminders(task_id: str, if_none_match: IfNoneMatch = None) -> Response[ReminderList]:
    claims = deps.caller(app)
    task_id = parse_id(task_id)
    rows = deps.database.transaction(lambda conn: reminders.list_for(conn, auth.ensure_current(conn, claims), task_id))
    listed = ReminderList(items=[Reminder.from_row(row) for row in rows])
    return conditional(listed, "reminders", {"task_id": task_id}, if_none_match)
