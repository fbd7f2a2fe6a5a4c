"""PATCH /api/auth/me: change the caller's display name, timezone, reminder webhook or digest hour.

A new webhook URL gets a new signing secret, returned in this answer only.
"""

from aws_lambda_powertools import Logger

from functions.domain.auth import auth, profiles
from functions.domain.auth.profile_models import Profile, ProfilePatch
from functions.platform.api import api_handler, create_api
from functions.platform.dependencies import Dependencies
from functions.platform.settings import Settings

deps = Dependencies.from_settings(Settings.from_env())
logger = Logger(service="auth")
app = create_api(deps.settings)


@app.patch("/api/auth/me", tags=["auth"], summary="Change my profile")
def patch_me(body: ProfilePatch) -> Profile:
    claims = deps.caller(app)
    changes = profiles.prepare(body, deps.settings.webhook_allow_private_networks)
    row = deps.database.transaction(lambda conn: profiles.update(conn, auth.ensure_current(conn, claims), changes))
    return Profile.from_row(row)


handler = api_handler(app, logger, "patch-me", deps.verifier)
