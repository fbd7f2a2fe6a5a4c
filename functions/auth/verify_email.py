"""POST /api/auth/verify-email: the token from a verification e-mail proves the address.

No bearer token: the link's token is the credential (single use, 24 hours, void once
the account's address changes). 400 for a token that was never sent, 410 for a spent one.
"""

from aws_lambda_powertools import Logger

from functions.domain.auth import verification
from functions.domain.auth.verification_models import EmailVerified, VerifyEmailRequest
from functions.platform.api import api_handler, create_api
from functions.platform.db import Database
from functions.platform.settings import Settings

settings = Settings.from_env()
database = Database.for_settings(settings)
logger = Logger(service="auth")
app = create_api(settings)


@app.post("/api/auth/verify-email", tags=["auth"], summary="Verify my e-mail address with the link's token")
def post_verify_email(body: VerifyEmailRequest) -> EmailVerified:
    verified = database.transaction(lambda conn: verification.verify(conn, body.token))
    return EmailVerified(email=verified["email"])


handler = api_handler(app, logger, "verify-email")
