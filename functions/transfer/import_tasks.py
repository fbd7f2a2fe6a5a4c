"""POST /api/import: a Todoist CSV export or our own JSON export into one workspace, all or
nothing (functions/domain/transfer/reading.py reads it, importing.py writes it)."""

from datetime import UTC, datetime

from aws_lambda_powertools.event_handler import Response

from functions.domain.activity import publishing
from functions.domain.auth import auth
from functions.domain.transfer import importing, reading
from functions.domain.transfer.models import ImportProblem, ImportRequest, ImportResult
from functions.domain.workspaces import workspaces
from functions.platform.db import Connection
from functions.platform.function import authenticated_api
from functions.platform.http import problem_response

app, deps, handler = authenticated_api(__name__)


class FileRefused(Exception):
    def __init__(self, problems: list[ImportProblem]) -> None:
        self.problems = problems


@app.exception_handler(FileRefused)
def _refused(refusal: FileRefused) -> Response[str]:
    # Outside the route's response validation: the 422 is a problem, not an ImportResult.
    count = len(refusal.problems)
    return problem_response(
        422,
        f"the file has {count} problem{'s' if count != 1 else ''}; nothing was imported",
        errors=[problem.model_dump() for problem in refusal.problems],
        created=0,
        skipped=0,
    )


@app.post(
    "/api/import",
    status_code=201,
    tags=["transfer"],
    summary="Import a Todoist CSV or TaskForge JSON export, all or nothing",
    responses={
        201: {"description": "Every task of the file written, or skipped as already there; `errors` is empty"},
    },
)
def post_import(body: ImportRequest) -> Response[ImportResult]:
    claims = deps.caller(app)

    def may_write(conn: Connection) -> tuple[str, str]:
        user_id = auth.ensure_current(conn, claims)
        workspaces.resolve(conn, user_id, body.workspace_id, write=True)
        return user_id, importing.user_timezone(conn, user_id)

    # Who may write where is settled before the file is read, and read before a connection is
    # taken to write it: the write transaction holds only the write.
    user_id, timezone = deps.database.transaction(may_write)
    found = reading.read(body.format, body.content, timezone, datetime.now(UTC))
    if found.problems:
        raise FileRefused(found.problems)
    tasks = [task for _, task in found.tasks]
    written = publishing.transaction(
        deps, lambda conn: importing.write(conn, user_id, body.workspace_id, tasks, timezone)
    )
    return Response(201, "application/json", ImportResult(created=written.created, skipped=written.skipped, errors=[]))
