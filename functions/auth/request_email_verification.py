"""POST /api/auth/verification: e-mail the caller a new link that verifies their address.

A few links an hour per account (429 with Retry-After, counted in PostgreSQL); 409 when
the address is verified already; 503 when the mail service refused the message.
"""

from functions.domain.auth import auth, verification
from functions.domain.auth.verification_models import VerificationSent
from functions.platform.function import authenticated_api

app, deps, handler = authenticated_api(__name__)


@app.post(
    "/api/auth/verification", status_code=202, tags=["auth"], summary="E-mail me a new link that verifies my address"
)
def post_verification() -> VerificationSent:
    claims = deps.caller(app)
    user_id = deps.database.transaction(lambda conn: auth.ensure_current(conn, claims))
    return VerificationSent(email=verification.request(deps.database, deps.settings, user_id))
