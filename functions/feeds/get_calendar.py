"""GET /api/calendar/{token}: the feed as iCalendar. No Authorization: the secret URL is the
credential, so an unknown or revoked token is 404 like any other missing thing."""

from datetime import UTC, datetime

from aws_lambda_powertools.event_handler import Response

from functions.domain.feeds import calendar_feed
from functions.platform.db import Connection, Database
from functions.platform.function import api

app, settings, handler = api(__name__)
database = Database.for_settings(settings)


@app.get(
    "/api/calendar/<token>",
    tags=["calendar"],
    summary="The calendar feed (iCalendar)",
    responses={
        200: {
            "description": "The open tasks with a due date, as iCalendar (RFC 5545)",
            "content": {"text/calendar": {"schema": {"type": "string"}}},
        }
    },
)
def get_calendar(token: str) -> Response[str]:
    now = datetime.now(UTC)

    def read(conn: Connection) -> str:
        user_id = calendar_feed.owner(conn, token)
        return calendar_feed.render(calendar_feed.open_tasks(conn, user_id, now), now)

    body = database.transaction(read)
    return Response(200, calendar_feed.CONTENT_TYPE, body, headers={"Cache-Control": calendar_feed.CACHE_CONTROL})
