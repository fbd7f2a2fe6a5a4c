"""POST /api/calendar-feed: 201 with a new secret feed URL; an earlier URL stops working."""

from functions.domain.auth import auth
from functions.domain.auth.profile_models import CalendarFeed
from functions.domain.feeds import calendar_feed
from functions.platform.function import authenticated_api

app, deps, handler = authenticated_api(__name__)


@app.post("/api/calendar-feed", status_code=201, tags=["calendar"], summary="Make a new calendar feed URL")
def post_feed() -> CalendarFeed:
    claims = deps.caller(app)
    token = deps.database.transaction(lambda conn: calendar_feed.create(conn, auth.ensure_current(conn, claims)))
    return CalendarFeed(url=calendar_feed.feed_path(token))
