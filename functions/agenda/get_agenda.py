"""GET /api/agenda: today's tasks (overdue first), the next 14 days', or the inbox, across
every workspace the caller belongs to, in the caller's time zone; GET /api/agenda/counts:
how many open tasks each holds, for the navigation.

A view is one bounded list (`limit`, at most 500; `truncated` says when there is more). Each
answer's ETag is a digest of its body: If-None-Match with it gets 304 while it is the same.
"""

from typing import Annotated

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.openapi.params import Query

from functions.domain.agenda import agenda
from functions.domain.agenda.models import Agenda, AgendaCounts, AgendaTask, View
from functions.domain.auth import auth
from functions.platform.function import authenticated_api
from functions.platform.http import IfNoneMatch, conditional, conditional_responses

app, deps, handler = authenticated_api(__name__)


@app.get("/api/agenda", tags=["agenda"], summary="My tasks by day", responses=conditional_responses("The view"))
def get_agenda(
    view: Annotated[
        View,
        Query(
            description="today: due today or overdue; upcoming: today and the 13 days after;"
            " inbox: no due date, personal workspace"
        ),
    ],
    completed: Annotated[bool, Query(description="also list completed tasks")] = False,
    limit: Annotated[int, Query(ge=1, le=agenda.MAX_LIMIT)] = agenda.DEFAULT_LIMIT,
    if_none_match: IfNoneMatch = None,
) -> Response[Agenda]:
    claims = deps.caller(app)
    found = deps.database.transaction(
        lambda conn: agenda.view(conn, auth.ensure_current(conn, claims), view, completed, limit)
    )
    body = Agenda(**{**found, "items": [AgendaTask.from_row(row) for row in found["items"]]})
    return conditional(body, "agenda", {"view": view, "completed": completed, "limit": limit}, if_none_match)


@app.get(
    "/api/agenda/counts",
    tags=["agenda"],
    summary="How many open tasks each view holds",
    responses=conditional_responses("The counts"),
)
def get_agenda_counts(if_none_match: IfNoneMatch = None) -> Response[AgendaCounts]:
    claims = deps.caller(app)
    found = deps.database.transaction(lambda conn: agenda.counts(conn, auth.ensure_current(conn, claims)))
    return conditional(AgendaCounts(**found), "agenda-counts", {}, if_none_match)
