"""DELETE /api/calendar-feed: 204; the feed URL stops working. 404 when there is none."""

from aws_lambda_powertools import Logger
from aws_lambda_powertools.event_handler import Response

from functions.domain.auth import auth
from functions.domain.feeds import calendar_feed
from functions.platform.api import api_handler, create_api
from functions.platform.dependencies import Dependencies
from functions.platform.settings import Settings

deps = Dependencies.from_settings(Settings.from_env())
logger = Logger(service="calendar")
app = create_api(deps.settings)


@app.delete("/api/calendar-feed", status_code=204, tags=["calendar"], summary="Revoke the calendar feed URL")
def delete_feed() -> Response[None]:
    claims = deps.caller(app)
    deps.database.transaction(lambda conn: calendar_feed.revoke(conn, auth.ensure_current(conn, claims)))
    return Response(status_code=204)


handler = api_handler(app, logger, "delete-calendar-feed", deps.verifier)
