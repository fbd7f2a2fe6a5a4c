"""The catalog: every function once, with its handler, trigger and scaling.

Everything else is derived from this list: the local gateway's routing, the Knative
Services, PingSources and Triggers, the ingress path matches, and what CDK grants.
It is plain data, importable without importing any handler.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Literal, get_args

from functions.runtime.routes import Route, parse_route

# The task events the outbox publishes, named once: the outbox writes them, the activity
# function subscribes to them, the feed words them (kept here as data: the catalog imports no handler).
TaskEventKind = Literal["created", "updated", "completed", "reopened", "deleted", "skipped"]
TASK_EVENT_KINDS: tuple[TaskEventKind, ...] = get_args(TaskEventKind)
TASK_EVENT_PREFIX = "dev.taskforge.task."
EVENT_TYPES = tuple(TASK_EVENT_PREFIX + kind for kind in TASK_EVENT_KINDS)

_DNS_LABEL = re.compile(r"^[a-z]([a-z0-9-]{0,38}[a-z0-9])?$")


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


@dataclass(frozen=True)
class Function:
    name: str
    handler: str
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

    @property
    def trigger(self) -> str:
        return "http" if self.routes else "schedule" if self.schedule else "event"

    def parsed_routes(self) -> tuple[Route, ...]:
        return tuple(parse_route(route) for route in self.routes)


FUNCTIONS: tuple[Function, ...] = (
    Function(
        name="get-health",
        handler="functions.health.handle_get_health.handler",
        routes=("GET /health", "GET /api/health"),
        scaling=Scaling(min_scale=1, workers=2),
    ),
    Function(
        name="get-ready",
        handler="functions.health.handle_get_ready.handler",
        routes=("GET /ready", "GET /api/ready"),
        scaling=Scaling(min_scale=1, workers=2),
        uses=frozenset({"database", "redis"}),
    ),
)


def _auth(name: str, module: str, route: str, uses: frozenset[str]) -> Function:
    return Function(name=name, handler=f"functions.auth.{module}.handler", routes=(route,),
                    uses=frozenset({"database"}) | uses)


_SIGNS = frozenset({"signing-key", "verify-key", "redis"})
_VERIFIES = frozenset({"verify-key"})

FUNCTIONS += (
    _auth("post-register", "handle_post_register", "POST /api/auth/register", frozenset({"ses"})),
    _auth("post-login", "handle_post_login", "POST /api/auth/login", _SIGNS),
    _auth("post-refresh", "handle_post_refresh", "POST /api/auth/refresh", _SIGNS),
    _auth("post-logout", "handle_post_logout", "POST /api/auth/logout", _VERIFIES),
    _auth("get-me", "handle_get_me", "GET /api/auth/me", _VERIFIES),
    _auth("post-password", "handle_post_password", "POST /api/auth/password", _VERIFIES),
    # The link's token is the credential: no bearer token.
    _auth("verify-email", "handle_post_verify_email", "POST /api/auth/verify-email", frozenset()),
)


def _api(name: str, handler: str, route: str, uses: frozenset[str] = frozenset()) -> Function:
    return Function(name=name, handler=f"functions.{handler}.handler", routes=(route,),
                    uses=frozenset({"database", "redis", "verify-key"}) | uses)


FUNCTIONS += (
    _api("list-tasks", "tasks.handle_get_tasks", "GET /api/tasks"),
    _api("create-task", "tasks.handle_post_task", "POST /api/tasks"),
    _api("create-tasks-batch", "tasks.handle_post_tasks_batch", "POST /api/tasks/batch"),
    _api("get-task", "tasks.handle_get_task", "GET /api/tasks/{task_id}"),
    _api("patch-task", "tasks.handle_patch_task", "PATCH /api/tasks/{task_id}"),
    _api("delete-task", "tasks.handle_delete_task", "DELETE /api/tasks/{task_id}"),
    _api("get-stats", "stats.handle_get_stats", "GET /api/stats"),
    _api("get-stats-history", "stats.handle_get_stats_history", "GET /api/stats/history"),
    _api("skip-occurrence", "tasks.handle_post_skip", "POST /api/tasks/{task_id}/skip"),
    _api("create-workspace", "workspaces.handle_post_workspace", "POST /api/workspaces"),
    _api("list-workspaces", "workspaces.handle_get_workspaces", "GET /api/workspaces"),
    _api("create-invitation", "workspaces.handle_post_invitation", "POST /api/workspaces/{workspace_id}/invitations",
         frozenset({"ses"})),
    _api("revoke-invitation", "workspaces.handle_delete_invitation",
         "DELETE /api/workspaces/{workspace_id}/invitations/{invitation_id}"),
    _api("accept-invitation", "workspaces.handle_post_accept_invitation", "POST /api/invitations/{token}/accept"),
    _api("list-members", "workspaces.handle_get_members", "GET /api/workspaces/{workspace_id}/members"),
    _api("change-member-role", "workspaces.handle_patch_member",
         "PATCH /api/workspaces/{workspace_id}/members/{user_id}"),
    _api("remove-member", "workspaces.handle_delete_member", "DELETE /api/workspaces/{workspace_id}/members/{user_id}"),
    _api("create-tag", "tags.handle_post_tag", "POST /api/tags"),
    _api("list-tags", "tags.handle_get_tags", "GET /api/tags"),
    _api("patch-tag", "tags.handle_patch_tag", "PATCH /api/tags/{tag_id}"),
    _api("delete-tag", "tags.handle_delete_tag", "DELETE /api/tags/{tag_id}"),
    _api("attach-tag", "tags.handle_put_task_tag", "PUT /api/tasks/{task_id}/tags/{tag_id}"),
    _api("detach-tag", "tags.handle_delete_task_tag", "DELETE /api/tasks/{task_id}/tags/{tag_id}"),
    _api("list-checklist", "checklists.handle_get_items", "GET /api/tasks/{task_id}/checklist"),
    _api("add-checklist-item", "checklists.handle_post_item", "POST /api/tasks/{task_id}/checklist"),
    _api("patch-checklist-item", "checklists.handle_patch_item", "PATCH /api/tasks/{task_id}/checklist/{item_id}"),
    _api("delete-checklist-item", "checklists.handle_delete_item", "DELETE /api/tasks/{task_id}/checklist/{item_id}"),
    _api("create-reminder", "reminders.handle_post_reminder", "POST /api/tasks/{task_id}/reminders"),
    _api("list-reminders", "reminders.handle_get_reminders", "GET /api/tasks/{task_id}/reminders"),
    _api("delete-reminder", "reminders.handle_delete_reminder", "DELETE /api/tasks/{task_id}/reminders/{reminder_id}"),
    _api("list-activity", "activity.handle_get_activity", "GET /api/activity", frozenset({"dynamodb"})),
    _api("task-activity", "activity.handle_get_task_activity", "GET /api/tasks/{task_id}/activity",
         frozenset({"dynamodb"})),
    _api("patch-me", "auth.handle_patch_me", "PATCH /api/auth/me"),
    _api("request-email-verification", "auth.handle_post_verification", "POST /api/auth/verification",
         frozenset({"ses"})),
    _api("create-calendar-feed", "feeds.handle_post_feed", "POST /api/calendar-feed"),
    _api("delete-calendar-feed", "feeds.handle_delete_feed", "DELETE /api/calendar-feed"),
    # The feed's secret URL is its credential: calendar apps send no token.
    Function(name="get-calendar", handler="functions.feeds.handle_get_calendar.handler",
             routes=("GET /api/calendar/{token}",), uses=frozenset({"database"})),
    Function(name="get-openapi", handler="functions.docs.handle_get_openapi.handler",
             routes=("GET /api/openapi.json",), scaling=Scaling(workers=1)),
    Function(name="get-docs", handler="functions.docs.handle_get_docs.handler",
             routes=("GET /api/docs",), scaling=Scaling(workers=1)),
)

FUNCTIONS += (
    Function(name="dispatch-reminders", handler="functions.reminders.handle_dispatch.handler",
             schedule="* * * * *", timeout_seconds=55, scaling=Scaling(workers=1, max_scale=3),
             uses=frozenset({"database", "dynamodb", "ses"})),
    Function(name="send-digests", handler="functions.reminders.handle_send_digests.handler",
             schedule="0 * * * *", timeout_seconds=120, scaling=Scaling(workers=1, max_scale=1),
             uses=frozenset({"database", "ses"})),
    Function(name="relay-outbox", handler="functions.activity.handle_relay_outbox.handler",
             schedule="* * * * *", timeout_seconds=55, scaling=Scaling(workers=1, max_scale=2),
             uses=frozenset({"database", "broker"})),
    Function(name="record-activity", handler="functions.activity.handle_record_activity.handler",
             events=EVENT_TYPES, scaling=Scaling(workers=2), uses=frozenset({"dynamodb"})),
    Function(name="record-dead-letter", handler="functions.activity.handle_record_dead_letter.handler",
             dead_letters=True, scaling=Scaling(workers=1, max_scale=2), uses=frozenset({"database"})),
)

USES = frozenset({"database", "redis", "dynamodb", "ses", "signing-key", "verify-key", "broker"})


class CatalogError(ValueError):
    pass


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
        triggers = [bool(function.routes), function.schedule is not None, bool(function.events),
                    function.dead_letters]
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
                raise CatalogError(f"route {route.key} is served by both {route_keys[route.key]!r} "
                                   f"and {function.name!r}")
            route_keys[route.key] = function.name


def by_handler(handler: str) -> Function | None:
    return next((function for function in FUNCTIONS if function.handler == handler), None)


def by_name(name: str) -> Function:
    for function in FUNCTIONS:
        if function.name == name:
            return function
    raise KeyError(name)
