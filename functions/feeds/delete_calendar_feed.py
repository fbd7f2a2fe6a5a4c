"""DELETE /api/calendar-feed: 204; the feed URL stops working. 404 when there is none."""

from aws_lambda_powertools.event_handler import Response

from functions.domain.auth import auth
from functions.domain.feeds import calendar_feed
from functions.platform.function import authenticated_api

app, deps, handler = authenticated_api(__name__)


@app.delete("/api/calendar-feed", status_code=204, tags=["calendar"], summary="Revoke the calendar feed URL")
def delete_feed() -> Response[None]:
    claims = deps.caller(app)
    deps.database.transaction(lambda conn: calendar_feed.revoke(conn, auth.ensure_current(conn, claims)))
    return Response(status_code=204)
