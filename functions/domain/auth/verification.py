"""E-mail verification: proof that an account holds the address it registered with.

Anyone can register any address, so an address counts as the account's only once a
link sent to it has come back. The link carries a random single-use token, stored
only as its SHA-256 and bound to the address it was sent to: once the account's
address changes, the token proves nothing. Sending is limited per user in
PostgreSQL (the rows of the last hour), so the limit holds without Redis.
"""

from __future__ import annotations

import logging
import secrets
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import quote

from functions.platform import mailer
from functions.platform.db import Connection, Database
from functions.platform.errors import BadRequest, Conflict, Gone, RateLimited, ServiceUnavailable, Unauthorized
from functions.platform.settings import Settings
from functions.platform.tokens import stored_digest

logger = logging.getLogger(__name__)

TOKEN_LIFETIME = timedelta(hours=24)
MAILS_PER_HOUR = 5  # per user, the one sent at registration included
_WINDOW = timedelta(hours=1)


def issue(conn: Connection, user_id: str) -> tuple[str, str]:
    """A new token for the user's current address, and that address; 409 when it is verified
    already, 429 when the user has had MAILS_PER_HOUR links in the last hour."""
    # The user's row is locked, so two requests at once cannot both slip under the limit.
    user = conn.execute(
        "SELECT email::text AS email, email_verified_at FROM users WHERE id = %s FOR UPDATE", (user_id,)
    ).fetchone()
    if user is None:
        raise Unauthorized("the account no longer exists")
    if user["email_verified_at"] is not None:
        raise Conflict("your e-mail address is already verified")
    now = datetime.now(UTC)
    recent = conn.execute(
        "SELECT count(*) AS sent, min(created_at) AS oldest FROM email_verifications"
        " WHERE user_id = %s AND created_at > %s",
        (user_id, now - _WINDOW),
    ).fetchone()
    assert recent is not None
    if recent["sent"] >= MAILS_PER_HOUR:
        wait = recent["oldest"] + _WINDOW - now
        raise RateLimited(
            "too many verification e-mails were sent in the last hour",
            retry_after_seconds=int(wait.total_seconds()) + 1,
        )
    conn.execute(
        "DELETE FROM email_verifications WHERE user_id = %s AND created_at < %s",
        (user_id, now - TOKEN_LIFETIME - _WINDOW),
    )
    token = secrets.token_urlsafe(32)
    conn.execute(
        "INSERT INTO email_verifications (token_hash, user_id, email, created_at, expires_at)"
        " VALUES (%s, %s, %s, %s, %s)",
        (stored_digest(token), user_id, user["email"], now, now + TOKEN_LIFETIME),
    )
    return token, str(user["email"])


def send(settings: Settings, email: str, token: str) -> None:
    """The e-mail with the link; raises what SES raises."""
    link = f"{mailer.app_link(settings, 'verify-email')}?token={quote(token, safe='')}"
    hours = int(TOKEN_LIFETIME.total_seconds() // 3600)
    mailer.send(
        settings,
        email,
        "Confirm your e-mail address for TaskForge",
        "Open this link to confirm that this address is yours:\n\n"
        f"{link}\n\n"
        f"It works once, for {hours} hours. Until you confirm, you cannot accept invitations to "
        "shared workspaces.\n\n"
        "If you did not create a TaskForge account, ignore this message.\n",
    )


def request(database: Database, settings: Settings, user_id: str) -> str:
    """Sends the user a new link (POST /api/auth/verification); the address it went to.

    The link is recorded before it is sent, so a failing mail service still counts
    against the limit: a user cannot make us hammer it.
    """
    token, email = database.transaction(lambda conn: issue(conn, user_id))
    try:
        send(settings, email, token)
    except Exception:
        logger.exception("the verification e-mail for user %s could not be sent", user_id)
        raise ServiceUnavailable(
            "the e-mail could not be sent; try again in a minute", retry_after_seconds=60
        ) from None
    return email


def after_registration(database: Database, settings: Settings, user_id: str) -> bool:
    """Sends the first link; whether it went. A failure is logged, never raised: the account
    exists either way, and the user can ask for another link."""
    try:
        request(database, settings, user_id)
    except Exception:  # logged where it failed, when it was the sending
        logger.warning("new user %s got no verification e-mail; they can ask for one", user_id, exc_info=True)
        return False
    return True


def verify(conn: Connection, token: str) -> dict[str, Any]:
    """Marks the address the token was sent to as verified; the account's id and address."""
    found = conn.execute(
        "SELECT v.user_id::text AS user_id, v.email::text AS email, v.expires_at, v.used_at,"
        " u.email::text AS current_email"
        " FROM email_verifications v JOIN users u ON u.id = v.user_id WHERE v.token_hash = %s FOR UPDATE OF v, u",
        (stored_digest(token),),
    ).fetchone()
    if found is None:
        raise BadRequest("this verification link is not valid; ask for a new one")
    if found["used_at"] is not None:
        raise Gone("this verification link was already used")
    if found["expires_at"] <= datetime.now(UTC):
        raise Gone("this verification link has expired; ask for a new one")
    if found["email"].lower() != found["current_email"].lower():
        raise Gone("this verification link was sent to an address your account no longer has")
    conn.execute("UPDATE users SET email_verified_at = now(), updated_at = now() WHERE id = %s", (found["user_id"],))
    # Every link of the account is spent: the address is proven.
    conn.execute(
        "UPDATE email_verifications SET used_at = now() WHERE user_id = %s AND used_at IS NULL", (found["user_id"],)
    )
    return {"user_id": found["user_id"], "email": found["current_email"]}
