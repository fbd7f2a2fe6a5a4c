"""GET /api/tasks/{task_id}: one task, with its ETag."""

from aws_lambda_powertools.event_handler import Response

from functions.domain.tasks import tasks
from functions.domain.tasks.models import Task
from functions.platform.function import authenticated_api
from functions.platform.http import etag, parse_id

app, deps, handler = authenticated_api(__name__)


@app.get("/api/tasks/<task_id>", tags=["tasks"], summary="Get a task")
def get_task(task_id: str) -> Response[Task]:
    claims = deps.caller(app)
    task_id = parse_id(task_id)
    row = deps.database.read(lambda conn: tasks.load_current(conn, claims, task_id))
    return Response(200, "application/json", Task.from_row(row), headers={"ETag": etag(row)})
