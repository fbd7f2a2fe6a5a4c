"""What an authenticated API function needs, built once from settings at start-up."""

from __future__ import annotations

from dataclasses import dataclass

from aws_lambda_powertools.event_handler import ALBResolver

from . import auth
from .cache import Cache
from .db import Database
from .errors import RateLimited
from .ratelimit import Counters
from .settings import Settings
from .tokens import Claims, TokenVerifier


@dataclass(frozen=True)
class Dependencies:
    settings: Settings
    database: Database
    cache: Cache
    verifier: TokenVerifier
    counters: Counters

    @classmethod
    def from_settings(cls, settings: Settings) -> Dependencies:
        cache = Cache(settings)
        # The general API limit lets requests through when Redis is gone: no fallback.
        return cls(settings, Database(settings), cache, auth.verifier_from(settings), Counters(cache, None))

    def caller(self, app: ALBResolver) -> Claims:
        """The verified access token of this request, within the caller's rate limit.

        The token's version is checked against the database inside the request's
        transaction (auth.ensure_current), so revocation takes effect at once.
        """
        claims = auth.access_claims(self.verifier, app.current_event.headers.get("authorization"))
        counted = self.counters.add(f"api:{claims.user_id}", 60)
        if counted is not None and counted[0] > self.settings.api_rate_limit_per_minute:
            raise RateLimited("too many requests; slow down", retry_after_seconds=counted[1])
        return claims
