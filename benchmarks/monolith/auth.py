"""Bearer tokens and the per-user rate limit.

Tokens are TaskForge's: EdDSA JWTs verified with its public key, the algorithm pinned,
issuer, audience and every claim TaskForge requires checked, and the token's version
compared with the user's row in the request's transaction, so a logout or a password
change ends every token at once. The order is TaskForge's too: the signature before
anything (a caller without a valid token learns nothing, not even whether its body was
valid), then the rate limit, then the database.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import jwt
from cryptography.hazmat.primitives import serialization
from flask import Flask, current_app, g, request
from flask_limiter import Limiter

from .errors import unauthorized
from .models import User, db

ALGORITHM = "EdDSA"
REQUIRED_CLAIMS = ["exp", "iat", "sub", "aud", "iss", "typ", "ver", "jti"]
# Endpoints that take no token.
PUBLIC_ENDPOINTS = frozenset({"health", "static"})


@dataclass(frozen=True)
class Claims:
    user_id: str
    token_version: int


def verify(token: str, public_key: Any, issuer: str, audience: str) -> Claims:
    try:
        payload = jwt.decode(
            token,
            public_key,
            algorithms=[ALGORITHM],
            audience=audience,
            issuer=issuer,
            options={"require": REQUIRED_CLAIMS},
            leeway=5,
        )
    except jwt.PyJWTError:
        raise unauthorized("the token is invalid or expired") from None
    if payload.get("typ") != "access":
        raise unauthorized("an access token is required")
    version, subject = payload.get("ver"), payload.get("sub")
    if not isinstance(version, int) or not isinstance(subject, str):
        raise unauthorized("the token is malformed")
    return Claims(subject, version)


def authenticate() -> None:
    """before_request: the bearer token's signature and claims; the database check comes later."""
    if request.endpoint in PUBLIC_ENDPOINTS or request.method == "OPTIONS":
        return
    scheme, _, token = (request.headers.get("Authorization") or "").partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise unauthorized()
    config = current_app.config
    key = current_app.extensions["jwt_public_key"]
    g.claims = verify(token.strip(), key, config["JWT_ISSUER"], config["JWT_AUDIENCE"])


def caller_key() -> str:
    """The rate limit's key: the verified caller (anonymous requests are not limited here)."""
    claims: Claims | None = g.get("claims")
    return f"user:{claims.user_id}" if claims else "anonymous"


def current_user() -> User:
    """The caller's row, once the token's version matches it (in the request's transaction)."""
    claims: Claims = g.claims
    user = db.session.get(User, claims.user_id)
    if user is None or user.token_version != claims.token_version:
        raise unauthorized("the session has ended")
    return user


def init_auth(app: Flask) -> Limiter:
    """Registers the token check, then the limiter, so the limiter counts verified callers only.

    One fixed window per user per minute across every endpoint, in Redis, as TaskForge counts
    (settings.api_rate_limit_per_minute); while Redis fails, each process counts in memory.
    """
    # The key is parsed once, not on every request.
    app.extensions["jwt_public_key"] = serialization.load_pem_public_key(app.config["JWT_PUBLIC_KEY"].encode())
    app.before_request(authenticate)
    limiter = Limiter(
        caller_key,
        app=app,
        application_limits=[f"{app.config['API_RATE_LIMIT_PER_MINUTE']}/minute"],
        application_limits_exempt_when=lambda: g.get("claims") is None,
        strategy="fixed-window",
        storage_uri=app.config["RATELIMIT_STORAGE_URI"],
        storage_options={
            "key_prefix": app.config["REDIS_KEY_PREFIX"] + "limits",
            "socket_timeout": app.config["REDIS_TIMEOUT_SECONDS"],
            "socket_connect_timeout": app.config["REDIS_TIMEOUT_SECONDS"],
        },
        swallow_errors=True,
        in_memory_fallback_enabled=True,
        retry_after="delta-seconds",
    )
    return limiter
