"""POST /api/auth/verify-email: the token from a verification e-mail proves the address.

No bearer token: the link's token is the credential (single use, 24 hours, void once
the account's address changes). 400 for a token that was never sent, 410 for a spent one.
"""

from functions.domain.auth import verification
from functions.domain.auth.verification_models import EmailVerified, VerifyEmailRequest
from functions.platform.db import Database
from functions.platform.function import api

app, settings, handler = api(__name__)
database = Database.for_settings(settings)


@app.post("/api/auth/verify-email", tags=["auth"], summary="Verify my e-mail address with the link's token")
def post_verify_email(body: VerifyEmailRequest) -> EmailVerified:
    verified = database.transaction(lambda conn: verification.verify(conn, body.token))
    return EmailVerified(email=verified["email"])
