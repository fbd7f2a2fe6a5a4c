"""Sends planned requests through the local gateway and holds every answer to the model.

For each request: the status must be one the rules allow; a 2xx answer changes the
world (Plan.apply) and its body must match it (Plan.verify); and no body, whatever its
status, may hold an id or a word of something its reader may not see. At checkpoints
the database is compared with the world, so a refused write that changed data anyway
is caught, and task events are relayed into the activity feed.
"""

from __future__ import annotations

import json
import os
import re
import time
from collections import Counter, deque
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import psycopg

from functions.catalog import FUNCTIONS
from functions.runtime.routes import Route
from tests.support.keys import ed25519_pem
from tests.support.wsgi_client import WsgiClient, WsgiResponse

from .database import differences, row_count
from .model import User, World
from .plans import ACTOR, Plan

_UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")
_MARKER = re.compile(r"mk[0-9a-f]{10}")

# Credentials other than the actor's own access token: each must get 401 on every
# route that needs one.
FORGED = ("none", "garbage", "foreign-key", "expired", "refresh-token")


@dataclass(frozen=True)
class RunSettings:
    seed: int
    requests: int
    check_every: int
    report: str | None

    def replay(self) -> str:
        return (
            f"AUTHZ_SEED={self.seed} AUTHZ_REQUESTS={self.requests} AUTHZ_CHECK_EVERY={self.check_every}"
            " .venv/bin/python -m pytest tests/functional/authorization"
        )


def catalog_routes() -> dict[str, Route]:
    """Every HTTP route of the catalog, by key, in catalog order."""
    return {route.key: route for function in FUNCTIONS for route in function.parsed_routes()}


@dataclass
class Figures:
    requests: int = 0
    seconds: float = 0.0
    statuses: Counter[int] = field(default_factory=Counter)
    routes: Counter[str] = field(default_factory=Counter)
    by_route: dict[str, Counter[int]] = field(default_factory=dict)
    # The actor's standing towards what the request aims at → outcomes: the role matrix.
    by_standing: dict[str, Counter[str]] = field(default_factory=dict)
    outcomes: Counter[str] = field(default_factory=Counter)
    bodies_scanned: int = 0
    words_checked: int = 0
    database_checks: int = 0
    rows_compared: int = 0
    events_relayed: int = 0

    def summary(self) -> dict[str, Any]:
        return {
            "requests": self.requests,
            "seconds": round(self.seconds, 1),
            "statuses": dict(sorted(self.statuses.items())),
            "outcomes": dict(sorted(self.outcomes.items())),
            "routes": len(self.routes),
            "bodies_scanned": self.bodies_scanned,
            "words_checked": self.words_checked,
            "database_checks": self.database_checks,
            "rows_compared": self.rows_compared,
            "events_relayed": self.events_relayed,
            "by_standing": {key: dict(sorted(counts.items())) for key, counts in self.by_standing.items()},
            "by_route": {key: dict(sorted(counts.items())) for key, counts in self.by_route.items()},
        }


class Runner:
    def __init__(
        self,
        gateway: Any,
        world: World,
        conn: psycopg.Connection[Any],
        relay: Callable[[], int],
        reset_limits: Callable[[list[str]], None],
        replay: str,
    ) -> None:
        self.client = WsgiClient(gateway)
        self.world = world
        self.conn = conn
        self.relay = relay
        self.reset_limits = reset_limits
        self.replay = replay  # how to run this sequence again, for every failure message
        self.routes = catalog_routes()
        self.figures = Figures()
        self.recent: deque[str] = deque(maxlen=15)
        # Login failures count per address too: this run's own, so other tests' count apart.
        self.forwarded_for = f"10.{os.getpid() % 250}.{int(time.time()) % 250}.{id(self) % 250}"
        from functions.platform.tokens import TokenSigner

        self._foreign = TokenSigner(ed25519_pem()[0], "taskforge", "taskforge-api")
        self._own = TokenSigner(os.environ["JWT_PRIVATE_KEY"], "taskforge", "taskforge-api")

    # -- one request ---------------------------------------------------------------------

    def send(self, actor: User, plan: Plan, route_key: str | None = None, credentials: str = "valid") -> WsgiResponse:
        if route_key is not None and self.routes[route_key].match(plan.method, plan.path.split("?")[0]) is None:
            self.fail(f"the generator of {route_key} planned {plan.method} {plan.path}, another route")
        expect = plan.expect
        headers = {**plan.headers}
        if plan.authenticated:
            authorization = self._authorization(actor, credentials)
            if authorization is not None:
                headers["Authorization"] = authorization
            if credentials != "valid":
                expect = frozenset({401})
            elif not actor.session_valid:
                expect = frozenset({plan.shape_status or 401})
        else:
            headers["X-Forwarded-For"] = self.forwarded_for
        standing = self._standing(actor, plan, credentials)
        started = time.perf_counter()
        response = self.client.request(plan.method, plan.path, json=plan.json, params=plan.params, headers=headers)
        self.figures.seconds += time.perf_counter() - started
        self._count(plan, route_key, response, standing)
        extras = [json.dumps(part) for part in (plan.params, plan.json, plan.headers) if part]
        line = (
            f"{actor.key} [{self._roles(actor)}] {credentials} {plan.method} {plan.path} {' '.join(extras)}"
            f" → {response.status_code}"
        )
        self.recent.append(line)
        if response.status_code not in expect:
            self.fail(f"{line}: the rules say {sorted(expect)}\n{response.text[:600]}")
        succeeded = 200 <= response.status_code < 300
        if succeeded and plan.apply is not None:
            plan.apply(response)
        if succeeded and plan.verify is not None:
            try:
                plan.verify(response)
            except AssertionError as exc:
                self.fail(f"{line}: {exc}")
        reader = actor.id if plan.reader == ACTOR else plan.reader
        leaked = self._leaks(response, reader, plan.history)
        if leaked:
            self.fail(
                f"{line}: the answer shows what {self._name(reader)} may not see: {leaked}\n{response.text[:600]}"
            )
        return response

    def _authorization(self, actor: User, credentials: str) -> str | None:
        if credentials == "valid":
            return f"Bearer {actor.access_token}"
        if credentials == "none":
            return None
        if credentials == "garbage":
            return "Bearer not-a-token"
        if credentials == "foreign-key":
            return f"Bearer {self._foreign.issue(actor.id, 'access', actor.token_version, 900)[0]}"
        if credentials == "expired":
            return f"Bearer {self._own.issue(actor.id, 'access', actor.token_version, -60)[0]}"
        if credentials == "refresh-token":
            token = actor.current_refresh()
            return f"Bearer {token.token if token else 'none'}"
        raise AssertionError(credentials)

    def _leaks(self, response: WsgiResponse, reader: str | None, history: frozenset[str]) -> list[str]:
        text = response.content.decode("utf-8", errors="replace").replace("\r\n ", "")
        found = set(_UUID.findall(text)) | set(_MARKER.findall(text))
        found.update(token for token in self.world.tokens if token in text)
        self.figures.bodies_scanned += 1
        leaked = []
        for word in sorted(found):
            secret = self.world.secrets.get(word)
            if secret is None:
                continue
            self.figures.words_checked += 1
            if word not in history and not self.world.may_see(reader, secret):
                leaked.append(f"{word} ({secret[0]} {secret[1]})")
        return leaked

    def _count(self, plan: Plan, route_key: str | None, response: WsgiResponse, standing: str) -> None:
        figures = self.figures
        figures.requests += 1
        figures.statuses[response.status_code] += 1
        if route_key is not None:
            figures.routes[route_key] += 1
            figures.by_route.setdefault(route_key, Counter())[response.status_code] += 1
        kind = "read" if plan.method == "GET" else "write"
        status = response.status_code
        outcome = f"{kind} {'allowed' if status < 300 else f'refused {status}'}"
        figures.outcomes[outcome] += 1
        figures.by_standing.setdefault(standing, Counter())[outcome] += 1

    def _standing(self, actor: User, plan: Plan, credentials: str) -> str:
        """The actor's role in the workspace the request aims at (before it is answered)."""
        if plan.authenticated and credentials != "valid":
            return "forged token"
        if plan.authenticated and not actor.session_valid:
            return "logged out"
        world, parts = self.world, plan.path.split("/")
        scope: str | None = None
        if len(parts) > 3 and parts[2] == "tasks" and parts[3] != "batch":
            scope = world.task_workspace(parts[3])
            if scope is None:
                return "no such thing"
        elif len(parts) > 3 and parts[2] == "tags":
            tag = world.tags.get(parts[3])
            if tag is None:
                return "no such thing"
            scope = tag.workspace
        elif len(parts) > 3 and parts[2] == "workspaces":
            scope = parts[3]
        elif plan.path in (
            "/api/tasks",
            "/api/tasks/batch",
            "/api/stats",
            "/api/stats/history",
            "/api/tags",
            "/api/activity",
        ):
            body = plan.json.get("tasks", [plan.json])[0] if isinstance(plan.json, dict) else {}
            scope = (plan.params or {}).get("workspace_id") or body.get("workspace_id") or actor.personal
        if scope is None:
            return "own account or public"
        if scope not in world.workspaces:
            return "no such thing"
        return world.role(actor.id, scope) or "non-member"

    # -- checkpoints ---------------------------------------------------------------------

    def checkpoint(self) -> None:
        """Activity relayed, rate-limit windows reopened, and the database equal to the world."""
        self.figures.events_relayed += self.relay()
        # The per-user API limit (600 a minute, proven in robustness/test_rate_limit.py)
        # would cut a run of thousands of requests short: each checkpoint starts a new window.
        self.reset_limits([user.id for user in self.world.users.values()])
        diffs = differences(self.world, self.conn)
        self.figures.database_checks += 1
        self.figures.rows_compared += row_count(self.world)
        if diffs:
            self.fail("the database differs from the model:\n  " + "\n  ".join(diffs[:30]))

    # -- reporting -----------------------------------------------------------------------

    def fail(self, message: str) -> None:
        recent = "\n  ".join(self.recent)
        raise AssertionError(f"{message}\n\nreplay: {self.replay}\nlast requests:\n  {recent}")

    def _roles(self, actor: User) -> str:
        names = {workspace_id: "AB"[index] for index, workspace_id in enumerate(self.world.shared)}
        roles = [f"{names[w]}:{self.world.role(actor.id, w) or '-'}" for w in self.world.shared]
        others = sum(
            1 for w in self.world.workspaces.values() if w.id not in names and not w.personal and actor.id in w.members
        )
        return " ".join(roles) + (f" +{others}" if others else "")

    def _name(self, user_id: str | None) -> str:
        user = self.world.by_id.get(user_id or "")
        return user.key if user else "an anonymous caller"
