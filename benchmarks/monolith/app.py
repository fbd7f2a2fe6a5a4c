"""The application factory: configuration from the environment, the database, the cache,
the token check and rate limit, the task endpoints, errors as problem+json."""

from __future__ import annotations

import os
import time
from collections.abc import Mapping
from typing import Any

import redis
from flask import Flask, Response
from flask_limiter import RateLimitExceeded
from sqlalchemy.exc import OperationalError
from werkzeug.exceptions import HTTPException

from .auth import init_auth
from .cache import PageCache
from .errors import ApiError, problem
from .models import db
from .tasks import bp

# What TaskForge's runtime adds to every response.
SECURITY_HEADERS = {
    "Strict-Transport-Security": "max-age=63072000; includeSubDomains",
    "X-Content-Type-Options": "nosniff",
    "Content-Security-Policy": "default-src 'none'; frame-ancestors 'none'",
    "Referrer-Policy": "no-referrer",
    "Cache-Control": "no-store",
}


def settings_from(env: Mapping[str, str]) -> dict[str, Any]:
    """The configuration, from TaskForge's own variable names and defaults."""
    database_url = env.get("DATABASE_URL", "postgresql://postgres@127.0.0.1:5432/postgres")
    redis_url = env.get("REDIS_URL") or None
    public_key = env.get("JWT_PUBLIC_KEY") or _public_key(env.get("JWT_PRIVATE_KEY"))
    redis_timeout = float(env.get("REDIS_TIMEOUT_SECONDS", "0.25"))
    return {
        "SQLALCHEMY_DATABASE_URI": database_url.replace("postgresql://", "postgresql+psycopg://", 1),
        "SQLALCHEMY_ENGINE_OPTIONS": {
            # A sync worker serves one request at a time: one connection in use, one spare.
            "pool_size": 2,
            "max_overflow": 0,
            # A connection broken by a database restart is replaced at checkout, not used.
            "pool_pre_ping": True,
            "connect_args": {
                "connect_timeout": 3,
                "options": f"-c statement_timeout={env.get('DATABASE_STATEMENT_TIMEOUT_MS', '5000')}",
            },
        },
        "REDIS_URL": redis_url,
        "REDIS_KEY_PREFIX": env.get("REDIS_KEY_PREFIX", "mono:"),
        "REDIS_TIMEOUT_SECONDS": redis_timeout,
        "RATELIMIT_STORAGE_URI": redis_url or "memory://",
        "CACHE_TTL_SECONDS": int(env.get("CACHE_TTL_SECONDS", "300")),
        "JWT_PUBLIC_KEY": public_key,
        "JWT_ISSUER": env.get("JWT_ISSUER", "taskforge"),
        "JWT_AUDIENCE": env.get("JWT_AUDIENCE", "taskforge-api"),
        "API_RATE_LIMIT_PER_MINUTE": int(env.get("API_RATE_LIMIT_PER_MINUTE", "600")),
    }


def _public_key(private_pem: str | None) -> str | None:
    if not private_pem:
        return None
    from cryptography.hazmat.primitives import serialization

    private = serialization.load_pem_private_key(private_pem.encode(), password=None)
    return (
        private.public_key()
        .public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
        .decode()
    )


def create_app(overrides: Mapping[str, Any] | None = None) -> Flask:
    app = Flask(__name__)
    app.config.update(settings_from(os.environ))
    app.config.update(overrides or {})
    if not app.config["JWT_PUBLIC_KEY"]:
        raise RuntimeError("JWT_PUBLIC_KEY (or JWT_PRIVATE_KEY) is required to verify tokens")

    db.init_app(app)
    client = None
    if app.config["REDIS_URL"]:
        timeout = app.config["REDIS_TIMEOUT_SECONDS"]
        client = redis.Redis.from_url(
            app.config["REDIS_URL"], socket_timeout=timeout, socket_connect_timeout=timeout, health_check_interval=30
        )
    app.extensions["page_cache"] = PageCache(client, app.config["REDIS_KEY_PREFIX"], app.config["CACHE_TTL_SECONDS"])
    limiter = init_auth(app)
    app.register_blueprint(bp)

    @app.get("/health")
    @limiter.exempt
    def health() -> dict[str, str]:
        return {"status": "ok"}

    @app.after_request
    def security_headers(response: Response) -> Response:
        for name, value in SECURITY_HEADERS.items():
            response.headers.setdefault(name, value)
        return response

    @app.errorhandler(ApiError)
    def api_error(error: ApiError) -> Response:
        return problem(error.status, error.detail, error.headers, **error.extensions)

    @app.errorhandler(RateLimitExceeded)
    def rate_limited(_: RateLimitExceeded) -> Response:
        limit = limiter.current_limit
        # reset_at is a whole second at or after the window's end.
        wait = int(limit.reset_at - time.time()) if limit is not None else 60
        return problem(429, "too many requests; slow down", {"Retry-After": str(max(1, wait))})

    @app.errorhandler(HTTPException)
    def http_error(error: HTTPException) -> Response:
        status = error.code or 500
        detail = error.description or ""
        if status == 404:
            from flask import request

            detail = f"no route for {request.method} {request.path}"
        return problem(status, detail)

    @app.errorhandler(OperationalError)
    def database_unavailable(_: OperationalError) -> Response:
        db.session.rollback()
        return problem(503, "the database is unavailable; retry shortly", {"Retry-After": "5"})

    return app
