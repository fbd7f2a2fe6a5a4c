"""PATCH /api/auth/me: change the caller's display name, timezone, reminder webhook, digest hour or theme.

A new webhook URL gets a new signing secret, returned in this answer only.
"""

from functions.domain.auth import auth, profiles
from functions.domain.auth.profile_models import Profile, ProfilePatch
from functions.platform.function import authenticated_api

app, deps, handler = authenticated_api(__name__)


@app.patch("/api/auth/me", tags=["auth"], summary="Change my profile")
def patch_me(body: ProfilePatch) -> Profile:
    claims = deps.caller(app)
    changes = profiles.prepare(body, deps.settings.webhook_allow_private_networks)
    row = deps.database.transaction(lambda conn: profiles.update(conn, auth.ensure_current(conn, claims), changes))
    return Profile.from_row(row)
