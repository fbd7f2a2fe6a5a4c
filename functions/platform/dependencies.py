"""What an authenticated API function needs, built once from settings at start-up."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeVar

from aws_lambda_powertools.event_handler import ALBResolver
from pydantic import BaseModel

from functions.platform.cache import Cache
from functions.platform.db import Connection, Database
from functions.platform.errors import RateLimited
from functions.platform.http import Stored, body_text, list_etag, revalidate
from functions.platform.ratelimit import Counters, MemoryCounters
from functions.platform.settings import Settings
from functions.platform.tokens import Claims, TokenVerifier, access_claims, verifier_from

M = TypeVar("M", bound=BaseModel)


@dataclass(frozen=True)
class Scope:
    """A workspace the caller may read, with its cache generation, which every transaction
    writing its tasks or tags bumps (migration 0005)."""

    user_id: str
    workspace_id: str
    generation: int


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
        # Without Redis the API limit counts in this process: weaker (each process counts
        # alone), never gone, and every such count emits a RateLimitFallback metric.
        return cls(
            settings,
            Database.for_settings(settings),
            cache,
            verifier_from(settings),
            Counters(cache, MemoryCounters(), operation="api-rate-limit"),
        )

    def caller(self, app: ALBResolver) -> Claims:
        """The verified access token of this request, within the caller's rate limit.

        The token's version is checked against the database by the request's first statement
        (auth.ensure_current, auth.read_access), so revocation takes effect at once.
        """
        claims = app.context.get("claims") or access_claims(
            self.verifier, app.current_event.headers.get("authorization")
        )
        counted = self.counters.add(f"api:{claims.user_id}", 60)
        if counted is not None and counted[0] > self.settings.api_rate_limit_per_minute:
            raise RateLimited("too many requests; slow down", retry_after_seconds=counted[1])
        return claims

    def cached(
        self,
        access: Callable[[Connection], Scope],
        kind: str,
        parameters: dict[str, Any],
        compute: Callable[[Connection, Scope], M],
        ttl_seconds: int | None = None,
    ) -> M:
        """compute()'s answer for the workspace `access` admits the caller to, cached under its
        generation: a hit is sent as stored (Stored) after one statement, `access`, which must
        check the token and the membership and read the generation (auth.read_access)."""
        scope = self.database.read(access)
        return self._answer(scope, kind, parameters, compute, ttl_seconds, {})

    def revalidated(
        self,
        access: Callable[[Connection], Scope],
        kind: str,
        parameters: dict[str, Any],
        compute: Callable[[Connection, Scope], M],
        if_none_match: str | None,
        cache: bool = True,
    ) -> tuple[M, str]:
        """A list of the workspace `access` admits the caller to, and its ETag, which the
        workspace's generation, the kind and the parameters determine. When If-None-Match names
        it, NotModified (304) is raised before anything of the list is read; a cache hit is
        raised as Stored with the ETag; else the list comes from compute().

        One statement, `access`, checks the token and the membership and reads the generation
        (auth.read_access), so a 304 and a hit are refused to whoever would be refused the list.
        """
        scope = self.database.read(access)
        current = list_etag(kind, scope.workspace_id, scope.generation, parameters)
        revalidate(if_none_match, current)
        if not cache:
            return self.database.transaction(lambda conn: compute(conn, scope)), current
        return self._answer(scope, kind, parameters, compute, None, {"ETag": current}), current

    def _answer(
        self,
        scope: Scope,
        kind: str,
        parameters: dict[str, Any],
        compute: Callable[[Connection, Scope], M],
        ttl_seconds: int | None,
        headers: dict[str, str],
    ) -> M:
        """The stored answer (raised as Stored), else compute() in a transaction, stored.

        The generation was read before compute() runs: an answer stored under it can only be
        newer than the generation says, never older, so no reader is sent what a write it has
        seen replaced.
        """
        key = self.cache.key(scope.workspace_id, scope.generation, kind, parameters)
        stored = self.cache.get_text(key)
        if stored is not None:
            raise Stored(stored, headers)
        value = self.database.transaction(lambda conn: compute(conn, scope))
        self.cache.set_text(key, body_text(value), ttl_seconds)
        return value
