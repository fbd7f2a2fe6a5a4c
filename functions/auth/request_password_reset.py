"""POST /api/auth/password-reset: e-mail a link to choose a new password.

202 with the same body whether or not an account has the address, at the same time
(functions/domain/auth/password_reset.py says how); 422 for an address that is not one;
429 with Retry-After past a few requests an hour for one address, counted in PostgreSQL.
"""

from aws_lambda_powertools.event_handler import Response

from functions.domain.auth import password_reset
from functions.domain.auth.models import PasswordResetRequest, PasswordResetRequested
from functions.platform.db import Database
from functions.platform.function import api

app, settings, handler = api(__name__)
database = Database.for_settings(settings)


@app.post(
    "/api/auth/password-reset", status_code=202, tags=["auth"], summary="E-mail me a link to choose a new password"
)
def post_password_reset(body: PasswordResetRequest) -> Response[PasswordResetRequested]:
    password_reset.request(database, settings, body.email)
    accepted = PasswordResetRequested(
        detail="If an account has this address, an e-mail with a link to choose a new password is on its way.",
        expires_in=int(password_reset.LINK_LIFETIME.total_seconds()),
    )
    return Response(status_code=202, content_type="application/json", body=accepted)
