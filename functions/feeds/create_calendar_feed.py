"""POST /api/calendar-feed: 201 with a new secret feed URL; an earlier URL stops working."""

from aws_lambda_powertools import Logger

from functions.domain.auth import auth
from functions.domain.auth.profile_models import CalendarFeed
from functions.domain.feeds import calendar_feed
from functions.platform.api import api_handler, create_api
from functions.platform.dependencies import Dependencies
from functions.platform.settings import Settings

deps = Dependencies.from_settings(Settings.from_env())
logger = Logger(service="calendar")
app = create_api(deps.settings)


@app.post("/api/calendar-feed", status_code=201, tags=["calendar"], summary="Make a new calendar feed URL")
def post_feed() -> CalendarFeed:
    claims = deps.caller(app)
    token = deps.database.transaction(lambda conn: calendar_feed.create(conn, auth.ensure_current(conn, claims)))
    return CalendarFeed(url=calendar_feed.feed_path(token))


handler = api_handler(app, logger, "create-calendar-feed", deps.verifier)
