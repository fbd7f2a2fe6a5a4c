"""Forgotten passwords: a link mailed to the account's address lets its holder choose a new one.

Asking (request) answers the same whether or not an account has the address: the same
status and body, and the same time. Both paths run the same statements (the address's
request is counted, and one INSERT … SELECT records a link only when the address has an
account), and the answer waits until ANSWER_FLOOR_SECONDS after the request began. The
e-mail goes out on a thread of its own while the answer waits, so its cost (and a slow
mail service) is hidden inside the floor; past the floor the answer goes and the thread
finishes alone. The floor is far above what the database work takes, so it is what the
caller measures.

The link's token is random, stored only as its SHA-256 (stored_digest), bound to the
address it went to, works once and for LINK_LIFETIME. Using it (reset) sets the new
password with everything a password change does (auth.replace_password: every session,
refresh token and device token ends, the calendar feed and the reminder webhook go),
spends every other open link of the account, and lifts the account's failed-login lock.

Requests are counted per address, in PostgreSQL, in fixed windows (REQUESTS_PER_HOUR), so
the limit holds in every process and pod whether Redis is up, down or absent; a 429
says so for any address, with or without an account.
"""

from __future__ import annotations

import hashlib
import logging
import secrets
import threading
import time
from datetime import UTC, datetime, timedelta

from functions.domain.auth import accounts, auth
from functions.platform import mailer
from functions.platform.db import Connection, Database
from functions.platform.errors import BadRequest, Gone, RateLimited
from functions.platform.passwords import hash_password
from functions.platform.settings import Settings
from functions.platform.tokens import stored_digest

logger = logging.getLogger(__name__)

LINK_LIFETIME = timedelta(minutes=30)
REQUESTS_PER_HOUR = 5  # per address
ANSWER_FLOOR_SECONDS = 0.5  # below the p99 latency alarm (1 s), far above the database work
_WINDOW = timedelta(hours=1)
# Spent and expired links stay this long past their expiry (410 rather than 400), then go.
_KEPT_AFTER_EXPIRY = timedelta(days=1)
_PURGE_BATCH = 20


def request(database: Database, settings: Settings, email: str) -> None:
    """Mails a link to `email` when an account has that address; in every case returns
    ANSWER_FLOOR_SECONDS after it was called (or raises RateLimited at once)."""
    started = time.monotonic()
    token = secrets.token_urlsafe(32)  # made for every request: the work must not differ

    def record(conn: Connection) -> str | None:
        _count_request(conn, accounts.folded_email(conn, email))
        row = conn.execute(
            "INSERT INTO password_resets (token_hash, user_id, email, expires_at)"
            " SELECT %s, id, email, now() + %s FROM users WHERE email = %s RETURNING email::text AS email",
            (stored_digest(token), LINK_LIFETIME, email),
        ).fetchone()
        _purge(conn)
        return None if row is None else str(row["email"])

    recipient = database.transaction(record)
    if recipient is not None:
        sent = _send_aside(settings, recipient, token)
        sent.wait(max(0.0, ANSWER_FLOOR_SECONDS - (time.monotonic() - started)))
    left = ANSWER_FLOOR_SECONDS - (time.monotonic() - started)
    if left > 0:
        time.sleep(left)


def link(settings: Settings, token: str) -> str:
    return mailer.app_link(settings, "reset-password", token)


def send(settings: Settings, email: str, token: str) -> None:
    """The e-mail with the link; raises what SES raises."""
    minutes = int(LINK_LIFETIME.total_seconds() // 60)
    mailer.send(
        settings,
        email,
        "Choose a new TaskForge password",
        "Someone (we hope you) asked to choose a new password for the TaskForge account with this "
        "address. Open this link to choose it:\n\n"
        f"{link(settings, token)}\n\n"
        f"It works once, for {minutes} minutes. Choosing a new password logs you out everywhere.\n\n"
        "If you did not ask for this, ignore this message: your password stays as it is.\n",
    )


def reset(database: Database, token: str, new_password: str) -> None:
    """Sets the account's new password with the link's token. 400 for a token never issued;
    410 for one used, expired, or sent to an address the account no longer has; 422 for a
    password the account's rules refuse, and then the token still works."""
    new_hash = hash_password(new_password)  # before the transaction: hashing is slow on purpose

    def use(conn: Connection) -> None:
        found = conn.execute(
            "SELECT r.user_id::text AS user_id, r.email::text AS email, r.expires_at, r.used_at,"
            " u.email::text AS current_email"
            " FROM password_resets r JOIN users u ON u.id = r.user_id WHERE r.token_hash = %s FOR UPDATE OF r, u",
            (stored_digest(token),),
        ).fetchone()
        if found is None:
            raise BadRequest("this link to choose a new password is not valid; ask for a new one")
        if found["used_at"] is not None:
            raise Gone("this link to choose a new password was already used; ask for a new one")
        if found["expires_at"] <= datetime.now(UTC):
            raise Gone("this link to choose a new password has expired; ask for a new one")
        if found["email"].lower() != found["current_email"].lower():
            raise Gone("this link was sent to an address your account no longer has; ask for a new one")
        user_id = found["user_id"]
        auth.replace_password(conn, user_id, found["current_email"], new_password, new_hash)
        conn.execute("UPDATE password_resets SET used_at = now() WHERE user_id = %s AND used_at IS NULL", (user_id,))
        # Whoever holds the mailbox may log in again at once, however many guesses others made.
        conn.execute("DELETE FROM login_failures WHERE key = %s", (f"account:{user_id}",))

    database.transaction(use)


def _count_request(conn: Connection, folded_email: str) -> None:
    """Counts a request for the address in its window; 429 past REQUESTS_PER_HOUR. The row
    stays locked until the transaction ends, so concurrent requests are counted one by one;
    a refused request rolls back and counts nowhere."""
    key = "reset:" + hashlib.sha256(folded_email.encode()).hexdigest()
    row = conn.execute(
        "INSERT INTO password_reset_requests AS r (key, requests, window_start) VALUES (%(key)s, 1, now())"
        " ON CONFLICT (key) DO UPDATE SET"
        "  requests = CASE WHEN r.window_start > now() - %(window)s THEN r.requests + 1 ELSE 1 END,"
        "  window_start = CASE WHEN r.window_start > now() - %(window)s THEN r.window_start ELSE now() END"
        " RETURNING requests, ceil(extract(epoch FROM window_start + %(window)s - now()))::integer AS seconds_left",
        {"key": key, "window": _WINDOW},
    ).fetchone()
    assert row is not None
    if row["requests"] > REQUESTS_PER_HOUR:
        raise RateLimited(
            f"at most {REQUESTS_PER_HOUR} links an hour for one address; try again later",
            retry_after_seconds=max(1, int(row["seconds_left"])),
        )


def _purge(conn: Connection) -> None:
    """Bounded work, in both paths alike: old links and ended windows, oldest first, never waiting."""
    conn.execute(
        "DELETE FROM password_resets WHERE token_hash IN (SELECT token_hash FROM password_resets"
        " WHERE expires_at < now() - %s ORDER BY expires_at LIMIT %s FOR UPDATE SKIP LOCKED)",
        (_KEPT_AFTER_EXPIRY, _PURGE_BATCH),
    )
    conn.execute(
        "DELETE FROM password_reset_requests WHERE key IN (SELECT key FROM password_reset_requests"
        " WHERE window_start <= now() - %s ORDER BY window_start LIMIT %s FOR UPDATE SKIP LOCKED)",
        (_WINDOW, _PURGE_BATCH),
    )


def _send_aside(settings: Settings, email: str, token: str) -> threading.Event:
    """Sends the mail on a thread of its own; the event is set once it went or failed. A failure
    is logged, never answered: the caller must not learn that this address has an account."""
    done = threading.Event()

    def deliver() -> None:
        try:
            send(settings, email, token)
        except Exception:
            logger.exception("the password reset e-mail could not be sent")
        finally:
            done.set()

    threading.Thread(target=deliver, name="password-reset-mail", daemon=True).start()
    return done
