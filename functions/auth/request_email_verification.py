"""POST /api/auth/verification: e-mail the caller a new link that verifies their address.

A few links an hour per account (429 with Retry-After, counted in PostgreSQL); 409 when
the address is verified already; 503 when the mail service refused the message.
"""

from aws_lambda_powertools import Logger

from functions.domain.auth import auth, verification
from functions.domain.auth.verification_models import VerificationSent
from functions.platform.api import api_handler, create_api
from functions.platform.dependencies import Dependencies
from functions.platform.settings import Settings

deps = Dependencies.from_settings(Settings.from_env())
logger = Logger(service="auth")
app = create_api(deps.settings)


@app.post("/api/auth/verification", status_code=202, tags=["auth"],
          summary="E-mail me a new link that verifies my address")
def post_verification() -> VerificationSent:
    claims = deps.caller(app)
    user_id = deps.database.transaction(lambda conn: auth.ensure_current(conn, claims))
    return VerificationSent(email=verification.request(deps.database, deps.settings, user_id))


handler = api_handler(app, logger, "request-email-verification", deps.verifier)
