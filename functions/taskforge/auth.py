"""Accounts and sessions: register, log in, rotate refresh tokens, log out, authenticate.

Access tokens live at most 15 minutes and carry the user's token version; every
authenticated request compares it with the database, so logout and a password
change end every outstanding token at once. Refresh tokens rotate on each use; a
used one presented again means it was stolen, and its whole family is revoked.
"""

from __future__ import annotations

import hashlib
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from . import accounts, workspaces
from .auth_models import TokenPair
from .db import Connection, Database
from .errors import RateLimited, Unauthorized
from .passwords import hash_password, needs_rehash, verify_password
from .ratelimit import Counters
from .settings import Settings
from .tokens import Claims, TokenSigner, TokenVerifier

REFRESH_COOKIE = "tf_refresh"


@dataclass(frozen=True)
class Session:
    pair: TokenPair
    refresh_max_age: int


def signer_from(settings: Settings) -> TokenSigner:
    if not settings.jwt_private_key:
        raise RuntimeError("JWT_PRIVATE_KEY is required by the functions that issue tokens")
    return TokenSigner(settings.jwt_private_key, settings.jwt_issuer, settings.jwt_audience)


def verifier_from(settings: Settings) -> TokenVerifier:
    if not settings.jwt_public_key:
        raise RuntimeError("JWT_PUBLIC_KEY is required to verify tokens")
    return TokenVerifier(settings.jwt_public_key, settings.jwt_issuer, settings.jwt_audience)


def register(database: Database, email: str, password: str, display_name: str | None) -> dict[str, Any]:
    password_hash = hash_password(password)  # before the transaction: hashing is slow on purpose

    def create(conn: Connection) -> dict[str, Any]:
        user = accounts.create_user(conn, email, password_hash, display_name)
        workspaces.create_personal(conn, user["id"])
        return user

    return database.transaction(create)


def login(database: Database, settings: Settings, signer: TokenSigner, counters: Counters,
          email: str, password: str, client_ip: str) -> Session:
    account_key = "rl:login:account:" + hashlib.sha256(email.strip().lower().encode()).hexdigest()
    ip_key = f"rl:login:ip:{client_ip}"
    window = settings.login_failure_window_seconds
    for key, limit in ((account_key, settings.login_max_failures), (ip_key, settings.login_max_failures * 5)):
        seen = counters.peek(key)
        if seen is not None and seen[0] >= limit:
            raise RateLimited("too many failed logins; try again later", retry_after_seconds=seen[1])
    user = database.transaction(lambda conn: accounts.find_credentials(conn, email.strip()))
    if not verify_password(user["password_hash"] if user else None, password) or user is None:
        counters.add(account_key, window)
        counters.add(ip_key, window)
        raise Unauthorized("the e-mail address or password is wrong")
    counters.reset(account_key)
    if needs_rehash(user["password_hash"]):
        new_hash = hash_password(password)
        database.transaction(lambda conn: accounts.update_password_hash(conn, user["id"], new_hash))
    return database.transaction(
        lambda conn: _issue(conn, settings, signer, user["id"], user["token_version"], str(uuid.uuid4()))
    )


def refresh(database: Database, settings: Settings, signer: TokenSigner, verifier: TokenVerifier,
            refresh_token: str) -> Session:
    claims = verifier.verify(refresh_token, "refresh")

    def rotate(conn: Connection) -> Session | None:
        row = accounts.claim_refresh_token(conn, claims.token_id)
        if row is None or row["user_id"] != claims.user_id or row["revoked_at"] is not None:
            raise Unauthorized("the refresh token is no longer valid")
        if row["used_at"] is not None:
            accounts.revoke_family(conn, row["family_id"])
            return None  # commit the revocation, then refuse
        if accounts.token_version(conn, claims.user_id) != claims.token_version:
            raise Unauthorized("the session has ended")
        accounts.mark_used(conn, claims.token_id)
        return _issue(conn, settings, signer, claims.user_id, claims.token_version, row["family_id"])

    session = database.transaction(rotate)
    if session is None:
        raise Unauthorized("the refresh token was already used; every session of this login has ended")
    return session


def logout(database: Database, user_id: str) -> None:
    database.transaction(lambda conn: accounts.revoke_everything(conn, user_id))


def change_password(database: Database, user_id: str, current_password: str, new_password: str) -> None:
    new_hash = hash_password(new_password)

    def change(conn: Connection) -> None:
        user = accounts.get_user(conn, user_id)
        if user is None or not verify_password(user["password_hash"], current_password):
            raise Unauthorized("the current password is wrong")
        accounts.update_password_hash(conn, user_id, new_hash)
        accounts.revoke_everything(conn, user_id)

    database.transaction(change)


def access_claims(verifier: TokenVerifier, authorization: str | None) -> Claims:
    """Verifies the bearer token's signature and claims; the database check follows in the transaction."""
    scheme, _, token = (authorization or "").partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise Unauthorized()
    return verifier.verify(token.strip(), "access")


def ensure_current(conn: Connection, claims: Claims) -> str:
    """The caller's user id, once the database confirms the token has not been revoked."""
    if accounts.token_version(conn, claims.user_id) != claims.token_version:
        raise Unauthorized("the session has ended")
    return claims.user_id


def _issue(conn: Connection, settings: Settings, signer: TokenSigner, user_id: str, token_version: int,
           family_id: str) -> Session:
    access, _ = signer.issue(user_id, "access", token_version, settings.access_token_ttl_seconds)
    refresh_token, refresh_claims = signer.issue(user_id, "refresh", token_version,
                                                 settings.refresh_token_ttl_seconds, family_id=family_id)
    expires_at = datetime.fromtimestamp(refresh_claims.expires_at, tz=UTC)
    accounts.record_refresh_token(conn, refresh_claims.token_id, family_id, user_id, expires_at)
    pair = TokenPair(access_token=access, refresh_token=refresh_token, expires_in=settings.access_token_ttl_seconds)
    return Session(pair=pair, refresh_max_age=int((expires_at - datetime.now(UTC)) / timedelta(seconds=1)))


def client_ip(forwarded_for: str | None, trusted_hops: int = 1) -> str:
    """The address the nearest trusted proxy saw, from X-Forwarded-For; clients cannot forge it."""
    hops = [part.strip() for part in (forwarded_for or "").split(",") if part.strip()]
    if not hops:
        return "unknown"
    return hops[max(0, len(hops) - trusted_hops)]
