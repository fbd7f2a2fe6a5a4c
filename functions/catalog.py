"""The catalog: every function once, with its handler, trigger and scaling.

Everything else is derived from this list: the local gateway's routing, the Knative
Services, PingSources and Triggers, the ingress path matches, and what CDK grants.
It is plain data, importable without importing any handler.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from typing import Literal, get_args

from functions.runtime.routes import Route, parse_route

# The events the outbox publishes, named once: the domain writes them, the activity function
# subscribes to every one, the feed words each (kept here as data: the catalog imports no
# handler). A type is dev.taskforge.<subject>.<kind>.
TaskEventKind = Literal["created", "updated", "completed", "reopened", "deleted", "skipped"]
TagEventKind = Literal["created", "updated", "deleted", "attached", "detached"]
ChecklistEventKind = Literal["added", "changed", "checked", "unchecked", "removed"]
MemberEventKind = Literal["joined", "changed", "removed", "left"]
InvitationEventKind = Literal["sent", "revoked"]
EVENT_PREFIX = "dev.taskforge."
EVENT_KINDS: dict[str, tuple[str, ...]] = {
    "task": get_args(TaskEventKind),
    "tag": get_args(TagEventKind),
    "checklist": get_args(ChecklistEventKind),
    "member": get_args(MemberEventKind),
    "invitation": get_args(InvitationEventKind),
}
TASK_EVENT_KINDS: tuple[TaskEventKind, ...] = get_args(TaskEventKind)
TASK_EVENT_PREFIX = EVENT_PREFIX + "task."
EVENT_TYPES = tuple(f"{EVENT_PREFIX}{subject}.{kind}" for subject, kinds in EVENT_KINDS.items() for kind in kinds)


def event_type(subject: str, kind: str) -> str:
    """The CloudEvent type of an event: one of EVENT_TYPES."""
    found = f"{EVENT_PREFIX}{subject}.{kind}"
    if found not in EVENT_TYPES:
        raise KeyError(found)
    return found


_DNS_LABEL = re.compile(r"^[a-z]([a-z0-9-]{0,38}[a-z0-9])?$")


class CatalogError(ValueError):
    pass


@dataclass(frozen=True)
class Scaling:
    min_scale: int = 0  # 0: scale to zero when idle
    max_scale: int = 4
    # Requests one container serves at once (Knative containerConcurrency): one worker
    # process each, every process one invocation at a time as on Lambda. Threads cannot
    # share a process: Powertools keeps per-request state in process-wide attributes.
    workers: int = 2
    target_utilization_percent: int = 70


@dataclass(frozen=True)
class Resources:
    cpu_request: str = "100m"
    memory_request: str = "192Mi"
    cpu_limit: str = "1"
    memory_limit: str = "384Mi"


def handler_path(area: str, name: str) -> str:
    """Where a function's code lives: `handler` in functions/<area>/<name with - → _>.py. The
    catalog name is the function's one name: its module, its metrics' and logs' `operation`,
    its Knative Service."""
    return f"functions.{area}.{name.replace('-', '_')}.handler"


@dataclass(frozen=True)
class Function:
    name: str
    # `package.module.attribute`; derived from `area` and the name when `area` is given.
    handler: str = ""
    routes: tuple[str, ...] = ()
    schedule: str | None = None  # cron, UTC, as a Knative PingSource takes it
    events: tuple[str, ...] = ()  # CloudEvent types, exact match
    # Takes every event the broker gave up on (the dead-letter broker's, any type) instead.
    dead_letters: bool = False
    timeout_seconds: int = 30
    event_format: str = "alb"
    scaling: Scaling = field(default_factory=Scaling)
    resources: Resources = field(default_factory=Resources)
    # What the function may touch; infrastructure grants exactly these.
    uses: frozenset[str] = frozenset()
    # The handler package (functions/<area>/) the function's module lives in.
    area: str = ""

    def __post_init__(self) -> None:
        if self.area:
            derived = handler_path(self.area, self.name)
            if self.handler not in ("", derived):
                raise CatalogError(f"{self.name!r}: in {self.area!r} its handler is {derived}, not {self.handler}")
            object.__setattr__(self, "handler", derived)

    @property
    def module(self) -> str:
        return self.handler.rpartition(".")[0]

    @property
    def trigger(self) -> str:
        return "http" if self.routes else "schedule" if self.schedule else "event"

    def parsed_routes(self) -> tuple[Route, ...]:
        return tuple(parse_route(route) for route in self.routes)


FUNCTIONS: tuple[Function, ...] = (
    Function(
        name="get-health",
        area="health",
        routes=("GET /health", "GET /api/health"),
        scaling=Scaling(min_scale=1, workers=2),
    ),
    Function(
        name="get-ready",
        area="health",
        routes=("GET /ready", "GET /api/ready"),
        scaling=Scaling(min_scale=1, workers=2),
        uses=frozenset({"database", "redis"}),
    ),
)


def _auth(name: str, route: str, uses: frozenset[str]) -> Function:
    return Function(name=name, area="auth", routes=(route,), uses=frozenset({"database"}) | uses)


_SIGNS = frozenset({"signing-key", "verify-key", "redis"})
_VERIFIES = frozenset({"verify-key"})

FUNCTIONS += (
    _auth("post-register", "POST /api/auth/register", frozenset({"ses"})),
    _auth("post-login", "POST /api/auth/login", _SIGNS),
    _auth("post-refresh", "POST /api/auth/refresh", _SIGNS),
    _auth("post-logout", "POST /api/auth/logout", _VERIFIES),
    _auth("get-me", "GET /api/auth/me", _VERIFIES),
    _auth("post-password", "POST /api/auth/password", _VERIFIES),
    # The link's token is the credential: no bearer token.
    _auth("verify-email", "POST /api/auth/verify-email", frozenset()),
    # Forgotten passwords: anyone may ask for a link; the link's token is the credential.
    _auth("request-password-reset", "POST /api/auth/password-reset", frozenset({"ses"})),
    _auth("reset-password", "POST /api/auth/password-reset/{token}", frozenset()),
)


def _api(area: str, name: str, route: str, uses: frozenset[str] = frozenset()) -> Function:
    return Function(name=name, area=area, routes=(route,), uses=frozenset({"database", "redis", "verify-key"}) | uses)


_PUSH_SUBSCRIPTIONS = Scaling(max_scale=2, workers=1)

# Writes that record events publish them as soon as they commit (the relay catches up on the rest).
_PUBLISHES = frozenset({"broker"})


# Exports and imports are rare and long (a workspace's every task in one request): two
# single-worker replicas each keep them from holding the database connections the everyday
# functions need (docs/operations.md, Scale limits).
_RARE_AND_LONG = Scaling(max_scale=2, workers=1)


FUNCTIONS += (
    _api("tasks", "list-tasks", "GET /api/tasks"),
    _api("tasks", "create-task", "POST /api/tasks", _PUBLISHES),
    _api("tasks", "create-tasks-batch", "POST /api/tasks/batch", _PUBLISHES),
    _api("tasks", "get-task", "GET /api/tasks/{task_id}"),
    _api("tasks", "patch-task", "PATCH /api/tasks/{task_id}", _PUBLISHES),
    _api("tasks", "delete-task", "DELETE /api/tasks/{task_id}", _PUBLISHES),
    # Many tasks changed or deleted at once: one function, two routes.
    Function(
        name="batch-tasks",
        area="tasks",
        routes=("PATCH /api/tasks", "DELETE /api/tasks"),
        uses=frozenset({"database", "redis", "verify-key"}) | _PUBLISHES,
    ),
    _api("stats", "get-stats", "GET /api/stats"),
    _api("stats", "get-stats-history", "GET /api/stats/history"),
    # The views and their counts are read together (a page and its navigation): one function.
    Function(
        name="get-agenda",
        area="agenda",
        routes=("GET /api/agenda", "GET /api/agenda/counts"),
        uses=frozenset({"database", "redis", "verify-key"}),
    ),
    _api("tasks", "skip-occurrence", "POST /api/tasks/{task_id}/skip", _PUBLISHES),
    # A task's history is read and restored far less often than tasks are listed and changed:
    # two pods at most, which keeps the database's connections within staging's (docs/operations.md).
    replace(_api("tasks", "list-task-versions", "GET /api/tasks/{task_id}/versions"), scaling=Scaling(max_scale=2)),
    replace(
        _api("tasks", "restore-task-version", "POST /api/tasks/{task_id}/versions/{version}/restore", _PUBLISHES),
        scaling=Scaling(max_scale=2),
    ),
    _api("workspaces", "create-workspace", "POST /api/workspaces"),
    _api("workspaces", "list-workspaces", "GET /api/workspaces"),
    _api(
        "workspaces",
        "create-invitation",
        "POST /api/workspaces/{workspace_id}/invitations",
        frozenset({"ses"}) | _PUBLISHES,
    ),
    _api(
        "workspaces",
        "revoke-invitation",
        "DELETE /api/workspaces/{workspace_id}/invitations/{invitation_id}",
        _PUBLISHES,
    ),
    _api("workspaces", "accept-invitation", "POST /api/invitations/{token}/accept", _PUBLISHES),
    # The link's token is the credential: a logged-out invitee reads what it is for.
    Function(
        name="get-invitation",
        area="workspaces",
        routes=("GET /api/invitations/{token}",),
        uses=frozenset({"database", "redis"}),
    ),
    _api("workspaces", "list-members", "GET /api/workspaces/{workspace_id}/members"),
    _api("workspaces", "change-member-role", "PATCH /api/workspaces/{workspace_id}/members/{user_id}", _PUBLISHES),
    _api("workspaces", "remove-member", "DELETE /api/workspaces/{workspace_id}/members/{user_id}", _PUBLISHES),
    Function(
        name="export-tasks",
        area="transfer",
        routes=("GET /api/export",),
        uses=frozenset({"database", "redis", "verify-key"}),
        scaling=_RARE_AND_LONG,
    ),
    Function(
        name="import-tasks",
        area="transfer",
        routes=("POST /api/import",),
        uses=frozenset({"database", "redis", "verify-key"}) | _PUBLISHES,
        scaling=_RARE_AND_LONG,
    ),
    _api("tags", "create-tag", "POST /api/tags", _PUBLISHES),
    _api("tags", "list-tags", "GET /api/tags"),
    _api("tags", "patch-tag", "PATCH /api/tags/{tag_id}", _PUBLISHES),
    _api("tags", "delete-tag", "DELETE /api/tags/{tag_id}", _PUBLISHES),
    _api("tags", "attach-tag", "PUT /api/tasks/{task_id}/tags/{tag_id}", _PUBLISHES),
    _api("tags", "detach-tag", "DELETE /api/tasks/{task_id}/tags/{tag_id}", _PUBLISHES),
    _api("checklists", "list-checklist", "GET /api/tasks/{task_id}/checklist"),
    _api("checklists", "add-checklist-item", "POST /api/tasks/{task_id}/checklist", _PUBLISHES),
    _api("checklists", "patch-checklist-item", "PATCH /api/tasks/{task_id}/checklist/{item_id}", _PUBLISHES),
    _api("checklists", "delete-checklist-item", "DELETE /api/tasks/{task_id}/checklist/{item_id}", _PUBLISHES),
    _api("reminders", "create-reminder", "POST /api/tasks/{task_id}/reminders"),
    _api("reminders", "list-reminders", "GET /api/tasks/{task_id}/reminders"),
    _api("reminders", "delete-reminder", "DELETE /api/tasks/{task_id}/reminders/{reminder_id}"),
    _api("activity", "list-activity", "GET /api/activity", frozenset({"dynamodb"})),
    _api("activity", "task-activity", "GET /api/tasks/{task_id}/activity", frozenset({"dynamodb"})),
    _api("auth", "patch-me", "PATCH /api/auth/me"),
    _api("auth", "request-email-verification", "POST /api/auth/verification", frozenset({"ses"})),
    _api("feeds", "create-calendar-feed", "POST /api/calendar-feed"),
    _api("feeds", "delete-calendar-feed", "DELETE /api/calendar-feed"),
    # The feed's secret URL is its credential: calendar apps send no token.
    Function(name="get-calendar", area="feeds", routes=("GET /api/calendar/{token}",), uses=frozenset({"database"})),
    # Web Push: the key browsers subscribe with (public, as any public key), and the caller's
    # subscribed browsers. A browser subscribes once, so a few connections serve them all.
    Function(
        name="get-vapid-public-key",
        area="push",
        routes=("GET /api/push/vapid-public-key",),
        scaling=_PUSH_SUBSCRIPTIONS,
        uses=frozenset({"vapid-key"}),
    ),
    *(
        replace(_api("push", name, route), scaling=_PUSH_SUBSCRIPTIONS)
        for name, route in (
            ("create-push-subscription", "POST /api/push-subscriptions"),
            ("list-push-subscriptions", "GET /api/push-subscriptions"),
            ("delete-push-subscription", "DELETE /api/push-subscriptions/{subscription_id}"),
        )
    ),
    Function(name="get-openapi", area="docs", routes=("GET /api/openapi.json",), scaling=Scaling(workers=1)),
    Function(name="get-docs", area="docs", routes=("GET /api/docs",), scaling=Scaling(workers=1)),
)

FUNCTIONS += (
    Function(
        name="dispatch-reminders",
        area="reminders",
        schedule="* * * * *",
        timeout_seconds=55,
        scaling=Scaling(workers=1, max_scale=3),
        uses=frozenset({"database", "dynamodb", "ses", "vapid-key"}),
    ),
    Function(
        name="send-digests",
        area="reminders",
        schedule="0 * * * *",
        timeout_seconds=120,
        scaling=Scaling(workers=1, max_scale=1),
        uses=frozenset({"database", "ses"}),
    ),
    Function(
        name="relay-outbox",
        area="activity",
        schedule="* * * * *",
        timeout_seconds=55,
        scaling=Scaling(workers=1, max_scale=2),
        uses=frozenset({"database", "broker"}),
    ),
    Function(
        name="record-activity",
        area="activity",
        events=EVENT_TYPES,
        scaling=Scaling(workers=2),
        uses=frozenset({"dynamodb"}),
    ),
    Function(
        name="record-dead-letter",
        area="activity",
        dead_letters=True,
        scaling=Scaling(workers=1, max_scale=2),
        uses=frozenset({"database"}),
    ),
)

USES = frozenset({"database", "redis", "dynamodb", "ses", "signing-key", "verify-key", "vapid-key", "broker"})


def validate(functions: tuple[Function, ...] = FUNCTIONS) -> None:
    """Raises CatalogError on the first inconsistency; a test runs it on FUNCTIONS."""
    names: set[str] = set()
    route_keys: dict[str, str] = {}
    for function in functions:
        if not _DNS_LABEL.match(function.name):
            raise CatalogError(f"{function.name!r}: a name must be a DNS label of at most 40 characters")
        if function.name in names:
            raise CatalogError(f"{function.name!r} appears twice")
        names.add(function.name)
        triggers = [bool(function.routes), function.schedule is not None, bool(function.events), function.dead_letters]
        if sum(triggers) != 1:
            raise CatalogError(f"{function.name!r}: exactly one of routes, schedule, events, dead_letters")
        if not function.handler.startswith("functions.") or function.handler.count(".") < 2:
            raise CatalogError(f"{function.name!r}: handler must be functions.<package>.<module>.<function>")
        unknown = function.uses - USES
        if unknown:
            raise CatalogError(f"{function.name!r}: unknown uses {sorted(unknown)}")
        if function.scaling.min_scale > function.scaling.max_scale:
            raise CatalogError(f"{function.name!r}: min_scale above max_scale")
        for text in function.routes:
            try:
                route = parse_route(text)
            except ValueError as exc:
                raise CatalogError(f"{function.name!r}: {exc}") from None
            if route.key in route_keys:
                raise CatalogError(
                    f"route {route.key} is served by both {route_keys[route.key]!r} and {function.name!r}"
                )
            route_keys[route.key] = function.name


def by_handler(handler: str) -> Function | None:
    return next((function for function in FUNCTIONS if function.handler == handler), None)


def by_module(module: str) -> Function:
    """The function whose handler module is `module` (a handler's `__name__`)."""
    for function in FUNCTIONS:
        if function.module == module:
            return function
    raise KeyError(module)


def by_name(name: str) -> Function:
    for function in FUNCTIONS:
        if function.name == name:
            return function
    raise KeyError(name)
