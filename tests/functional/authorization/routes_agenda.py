"""Request generators of the agenda: every task it lists is of a workspace the actor belongs to."""

from __future__ import annotations

from tests.support.wsgi_client import WsgiResponse

from .model import User, World
from .plans import Plan, Step, check_task, expect_equal, only

_AGENDA_ONLY = ("workspace_name", "workspace_personal")


def _readable(world: World, actor: User) -> set[str]:
    return {workspace.id for workspace in world.workspaces.values() if actor.id in workspace.members}


def _inbox(world: World, actor: User) -> list[str]:
    return sorted(
        task.id
        for task in world.tasks.values()
        if task.workspace == actor.personal and task.due is None and not task.completed
    )


def list_agenda(step: Step) -> Plan:
    world, actor = step.world, step.actor
    view = step.pick(("today", "upcoming", "inbox"))
    completed = step.pick((True, False))

    def verify(response: WsgiResponse) -> None:
        body = response.json()
        readable = _readable(world, actor)
        for item in body["items"]:
            if item["workspace_id"] not in readable:
                raise AssertionError(
                    f"the agenda of {actor.key} shows task {item['id']} of a workspace they cannot read"
                )
            check_task(world, {key: value for key, value in item.items() if key not in _AGENDA_ONLY})
            if not completed and item["completed"]:
                raise AssertionError(f"the agenda of {actor.key} shows completed task {item['id']} unasked")
        if view == "inbox" and not completed and not body["truncated"]:
            expect_equal(f"inbox of {actor.key}", sorted(item["id"] for item in body["items"]), _inbox(world, actor))

    params = {"view": view, "completed": "true" if completed else "false"}
    return Plan("GET", "/api/agenda", only(200), params=params, verify=verify)


def agenda_counts(step: Step) -> Plan:
    world, actor = step.world, step.actor

    def verify(response: WsgiResponse) -> None:
        body = response.json()
        expect_equal(f"inbox count of {actor.key}", body["inbox"], len(_inbox(world, actor)))
        if not 0 <= body["overdue"] <= body["today"]:
            raise AssertionError(f"counts of {actor.key}: {body}")

    return Plan("GET", "/api/agenda/counts", only(200), verify=verify)
