"""POST /api/auth/verify-email: the token from a verification e-mail proves the address.

No bearer token: the link's token is the credential (single use, 24 hours, void once
the account's address changes). 400 for a token that was never sent, 410 for a spent one.
"""

from aws_lambda_powertools import Logger

from functions.taskforge import verification
from functions.taskforge.api import api_handler, create_api
from functions.taskforge.db import Database
from functions.taskforge.settings import Settings
from functions.taskforge.verification_models import EmailVerified, VerifyEmailRequest

settings = Settings.from_env()
database = Database.for_settings(settings)
logger = Logger(service="auth")
app = create_api(settings)


@app.post("/api/auth/verify-email", tags=["auth"], summary="Verify my e-mail address with the link's token")
def post_verify_email(body: VerifyEmailRequest) -> EmailVerified:
    verified = database.transaction(lambda conn: verification.verify(conn, body.token))
    return EmailVerified(email=verified["email"])


handler = api_handler(app, logger, "verify-email")
