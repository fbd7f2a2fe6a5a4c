"""Export and import in the matrix: an export shows exactly the tasks of the workspaces its
reader belongs to; an import is refused to anyone who may not write the workspace, before
the file is read. The file sent always has a bad task, so an allowed import answers 422
and writes nothing: what a written import creates is tests/functional/transfer's to check
(the answer carries no ids for the world to follow)."""

from __future__ import annotations

import json

from tests.support.wsgi_client import WsgiResponse

from .plans import Plan, Step, expect_equal, first, only


def export_tasks(step: Step) -> Plan:
    world, actor = step.world, step.actor
    workspace = step.workspace(default_allowed=True)
    whole = workspace is None and step.chance(0.5)  # every workspace the actor reads, or one
    scope = None if whole else workspace or actor.personal
    params = {"format": "json"} | ({} if whole else {"workspace_id": scope})

    def verify(response: WsgiResponse) -> None:
        shown = sorted(task["title"] for task in response.json()["tasks"])
        wanted = sorted(
            task.title
            for task in world.tasks.values()
            if (task.workspace == scope if scope else world.read_refusal(actor.id, task.workspace) is None)
        )
        expect_equal(f"export of {scope or 'every workspace'}", shown, wanted)

    refusal = None if whole else world.read_refusal(actor.id, scope)
    return Plan("GET", "/api/export", only(first(refusal, 200)), params=params, verify=verify)


def import_tasks(step: Step) -> Plan:
    world, actor = step.world, step.actor
    workspace = step.workspace(default_allowed=True)
    content = json.dumps({"format": "taskforge", "version": 1, "tasks": [{"title": step.word("task")}, {"title": ""}]})
    body = {"format": "taskforge-json", "content": content} | ({} if workspace is None else {"workspace_id": workspace})
    return Plan(
        "POST", "/api/import", only(first(world.write_refusal(actor.id, workspace or actor.personal), 422)), json=body
    )
