"""Request generators of what hangs on tasks: tags, checklist items and reminders."""

from __future__ import annotations

from typing import Any

from tests.support.wsgi_client import WsgiResponse

from .model import DAY, Item, Reminder, Tag, User, World
from .plans import Plan, Step, check_task_answer, expect_equal, first, if_match, iso, malformed, only

# -- tags -------------------------------------------------------------------------------


def plan_create_tag(world: World, actor: User, workspace: str | None, name: str, color: str) -> Plan:
    scope = workspace or actor.personal
    duplicate = 409 if world.tag_named(scope, name) else None
    body: dict[str, Any] = {"name": name, "color": color}
    if workspace is not None:
        body["workspace_id"] = workspace

    def apply(response: WsgiResponse) -> None:
        world.add_tag(Tag(response.json()["id"], scope, name, color))

    def verify(response: WsgiResponse) -> None:
        tag = response.json()
        expect_equal("new tag", (tag["name"], tag["color"], tag["workspace_id"]), (name, color, scope))

    return Plan(
        "POST",
        "/api/tags",
        only(first(world.write_refusal(actor.id, scope), duplicate, 201)),
        json=body,
        apply=apply,
        verify=verify,
    )


def color(step: Step) -> str:
    return f"#{step.rng.getrandbits(24):06x}"


def existing_name(step: Step, workspace: str) -> str | None:
    names = [tag.name for tag in step.world.tags.values() if tag.workspace == workspace]
    return step.pick(names).upper() if names else None


def create_tag(step: Step) -> Plan:
    workspace = step.workspace(default_allowed=True)
    name = step.word("tag")
    if step.chance(0.15):
        name = existing_name(step, workspace or step.actor.personal) or name
    return plan_create_tag(step.world, step.actor, workspace, name, color(step))


def list_tags(step: Step) -> Plan:
    world, actor = step.world, step.actor
    workspace = step.workspace(default_allowed=True)
    scope = workspace or actor.personal

    def verify(response: WsgiResponse) -> None:
        listed = sorted((tag["id"], tag["name"], tag["color"], tag["workspace_id"]) for tag in response.json()["items"])
        expect_equal(
            f"tags of {scope}",
            listed,
            sorted(
                (tag.id, tag.name, tag.color, tag.workspace) for tag in world.tags.values() if tag.workspace == scope
            ),
        )

    return Plan(
        "GET",
        "/api/tags",
        only(first(world.read_refusal(actor.id, scope), 200)),
        params=None if workspace is None else {"workspace_id": workspace},
        verify=verify,
    )


def patch_tag(step: Step) -> Plan:
    world, tag_id = step.world, step.tag()
    tag = world.tags.get(tag_id)
    body: dict[str, Any] = {}
    if step.chance(0.6):
        body["name"] = step.word("tag")
        if tag is not None and step.chance(0.2):
            body["name"] = existing_name(step, tag.workspace) or body["name"]
    if not body or step.chance(0.3):
        body["color"] = color(step)
    refusal = 404 if tag is None else world.write_refusal(step.actor.id, tag.workspace)
    clash = world.tag_named(tag.workspace, body["name"]) if tag is not None and "name" in body else None
    duplicate = 409 if clash is not None and clash.id != tag_id else None
    status = 404 if malformed(tag_id) else first(refusal, duplicate, 200)

    def apply(response: WsgiResponse) -> None:
        assert tag is not None
        world.change_tag(tag, body.get("name"), body.get("color"))

    def verify(response: WsgiResponse) -> None:
        assert tag is not None
        answer = response.json()
        expect_equal(
            f"tag {tag_id}",
            (answer["id"], answer["name"], answer["color"], answer["workspace_id"]),
            (tag.id, tag.name, tag.color, tag.workspace),
        )

    return Plan(
        "PATCH",
        f"/api/tags/{tag_id}",
        only(status),
        json=body,
        shape_status=404 if malformed(tag_id) else None,
        apply=apply,
        verify=verify,
    )


def delete_tag(step: Step) -> Plan:
    world, tag_id = step.world, step.tag()
    tag = world.tags.get(tag_id)
    refusal = 404 if tag is None else world.write_refusal(step.actor.id, tag.workspace)
    status = 404 if malformed(tag_id) else first(refusal, 204)

    def apply(response: WsgiResponse) -> None:
        assert tag is not None
        world.delete_tag(tag)

    return Plan(
        "DELETE", f"/api/tags/{tag_id}", only(status), shape_status=404 if malformed(tag_id) else None, apply=apply
    )


def plan_attach(world: World, actor: User, task_id: str, tag_id: str) -> Plan:
    task, tag = world.tasks.get(task_id), world.tags.get(tag_id)
    task_refusal = 404 if task is None else world.write_refusal(actor.id, task.workspace)
    tag_refusal = 404 if tag is None else world.read_refusal(actor.id, tag.workspace)
    elsewhere = 404 if task is not None and tag is not None and tag.workspace != task.workspace else None
    status = 404 if malformed(task_id, tag_id) else first(task_refusal, tag_refusal, elsewhere, 200)

    def apply(response: WsgiResponse) -> None:
        assert task is not None
        if tag_id not in task.tags:
            task.tags[tag_id] = None
            task.version += 1

    return Plan(
        "PUT",
        f"/api/tasks/{task_id}/tags/{tag_id}",
        only(status),
        shape_status=404 if malformed(task_id, tag_id) else None,
        apply=apply,
        verify=lambda response: check_task_answer(world, response),
    )


def attach_tag(step: Step) -> Plan:
    task_id = step.task()
    task = step.world.tasks.get(task_id)
    return plan_attach(step.world, step.actor, task_id, step.tag(task.workspace if task else None))


def detach_tag(step: Step) -> Plan:
    world, task_id = step.world, step.task()
    task = world.tasks.get(task_id)
    carried = list(task.tags) if task is not None else []
    tag_id = step.pick(carried) if carried and step.chance(0.6) else step.tag(task.workspace if task else None)
    refusal = 404 if task is None else world.write_refusal(step.actor.id, task.workspace)
    # Detaching a tag the task does not carry is a no-op answered with the task.
    status = 404 if malformed(task_id, tag_id) else first(refusal, 200)

    def apply(response: WsgiResponse) -> None:
        assert task is not None
        if tag_id in task.tags:
            del task.tags[tag_id]
            task.version += 1

    return Plan(
        "DELETE",
        f"/api/tasks/{task_id}/tags/{tag_id}",
        only(status),
        shape_status=404 if malformed(task_id, tag_id) else None,
        apply=apply,
        verify=lambda response: check_task_answer(world, response),
    )


# -- checklists -------------------------------------------------------------------------


def plan_add_item(world: World, actor: User, task_id: str, text: str) -> Plan:
    task = world.tasks.get(task_id)
    refusal = 404 if task is None else world.write_refusal(actor.id, task.workspace)
    status = 404 if malformed(task_id) else first(refusal, 201)

    def apply(response: WsgiResponse) -> None:
        world.add_item(Item(response.json()["id"], task_id, text))

    def verify(response: WsgiResponse) -> None:
        assert task is not None
        item = response.json()
        expect_equal(
            "new item",
            (item["text"], item["done"], item["position"], response.header("ETag")),
            (text, False, len(task.items) - 1, f'"{task.version}"'),
        )

    return Plan(
        "POST",
        f"/api/tasks/{task_id}/checklist",
        only(status),
        json={"text": text},
        shape_status=404 if malformed(task_id) else None,
        apply=apply,
        verify=verify,
    )


def add_checklist_item(step: Step) -> Plan:
    return plan_add_item(step.world, step.actor, step.task(), step.word("item"))


def list_checklist(step: Step) -> Plan:
    world, task_id = step.world, step.task()
    status = 404 if malformed(task_id) else first(world.read_refusal(step.actor.id, world.task_workspace(task_id)), 200)

    def verify(response: WsgiResponse) -> None:
        listed = [(item["id"], item["text"], item["done"], item["position"]) for item in response.json()["items"]]
        items = [world.items[item_id] for item_id in world.tasks[task_id].items]
        expect_equal(
            f"checklist of {task_id}",
            listed,
            [(item.id, item.text, item.done, position) for position, item in enumerate(items)],
        )

    return Plan(
        "GET",
        f"/api/tasks/{task_id}/checklist",
        only(status),
        shape_status=404 if malformed(task_id) else None,
        verify=verify,
    )


def patch_checklist_item(step: Step) -> Plan:
    world, (task_id, item_id) = step.world, step.task_and_item()
    task = world.tasks.get(task_id)
    headers, stale = if_match(step, task)
    refusal = 404 if task is None else world.write_refusal(step.actor.id, task.workspace)
    foreign = None if task is not None and item_id in task.items else 404
    count = len(task.items) if task is not None else 0
    roll = step.rng.random()
    body: dict[str, Any]
    if roll < 0.35:
        body = {"text": step.word("item")}
    elif roll < 0.7:
        body = {"done": step.chance(0.5)}
    else:
        body = {"position": step.rng.randint(0, count)}  # `count` itself is out of range: 422
    too_far = 422 if "position" in body and body["position"] >= count else None
    status = 404 if malformed(task_id, item_id) else first(refusal, 412 if stale else None, foreign, too_far, 200)

    def apply(response: WsgiResponse) -> None:
        assert task is not None
        item = world.items[item_id]
        if "text" in body:
            item.text = body["text"]
            world.remember(("item", item_id), body["text"].split()[-1])
        if "done" in body:
            item.done = body["done"]
        if "position" in body:
            task.items.remove(item_id)
            task.items.insert(body["position"], item_id)
        task.version += 1

    def verify(response: WsgiResponse) -> None:
        assert task is not None
        answer = response.json()
        item = world.items[item_id]
        expect_equal(
            f"item {item_id}",
            (answer["text"], answer["done"], answer["position"], response.header("ETag")),
            (item.text, item.done, task.items.index(item_id), f'"{task.version}"'),
        )

    return Plan(
        "PATCH",
        f"/api/tasks/{task_id}/checklist/{item_id}",
        only(status),
        json=body,
        headers=headers,
        shape_status=404 if malformed(task_id, item_id) else None,
        apply=apply,
        verify=verify,
    )


def delete_checklist_item(step: Step) -> Plan:
    world, (task_id, item_id) = step.world, step.task_and_item()
    task = world.tasks.get(task_id)
    refusal = 404 if task is None else world.write_refusal(step.actor.id, task.workspace)
    foreign = None if task is not None and item_id in task.items else 404
    status = 404 if malformed(task_id, item_id) else first(refusal, foreign, 204)

    def apply(response: WsgiResponse) -> None:
        world.remove_item(world.items[item_id])

    return Plan(
        "DELETE",
        f"/api/tasks/{task_id}/checklist/{item_id}",
        only(status),
        shape_status=404 if malformed(task_id, item_id) else None,
        apply=apply,
    )


# -- reminders --------------------------------------------------------------------------

MAX_REMINDERS = 10


def plan_add_reminder(world: World, actor: User, task_id: str, body: dict[str, Any]) -> Plan:
    task = world.tasks.get(task_id)
    refusal = 404 if task is None else world.write_refusal(actor.id, task.workspace)
    undated = 422 if task is not None and "before_due" in body and task.due is None else None
    full = 409 if task is not None and len(task.reminders) >= MAX_REMINDERS else None
    status = 404 if malformed(task_id) else first(refusal, undated, full, 201)

    def apply(response: WsgiResponse) -> None:
        world.add_reminder(Reminder(response.json()["id"], task_id, actor.id))

    def verify(response: WsgiResponse) -> None:
        expect_equal("new reminder's task", response.json()["task_id"], task_id)

    return Plan(
        "POST",
        f"/api/tasks/{task_id}/reminders",
        only(status),
        json=body,
        shape_status=404 if malformed(task_id) else None,
        apply=apply,
        verify=verify,
    )


def reminder_body(step: Step) -> dict[str, Any]:
    if step.chance(0.3):
        return {"before_due": "PT30M"}
    return {"at": iso((step.now + 7 * DAY).replace(microsecond=0))}


def create_reminder(step: Step) -> Plan:
    return plan_add_reminder(step.world, step.actor, step.task(), reminder_body(step))


def list_reminders(step: Step) -> Plan:
    world, task_id = step.world, step.task()
    status = 404 if malformed(task_id) else first(world.read_refusal(step.actor.id, world.task_workspace(task_id)), 200)

    def verify(response: WsgiResponse) -> None:
        listed = sorted((item["id"], item["task_id"]) for item in response.json()["items"])
        expect_equal(
            f"reminders of {task_id}",
            listed,
            sorted((reminder_id, task_id) for reminder_id in world.tasks[task_id].reminders),
        )

    return Plan(
        "GET",
        f"/api/tasks/{task_id}/reminders",
        only(status),
        shape_status=404 if malformed(task_id) else None,
        verify=verify,
    )


def delete_reminder(step: Step) -> Plan:
    world, (task_id, reminder_id) = step.world, step.task_and_reminder()
    task = world.tasks.get(task_id)
    refusal = 404 if task is None else world.write_refusal(step.actor.id, task.workspace)
    foreign = None if task is not None and reminder_id in task.reminders else 404
    status = 404 if malformed(task_id, reminder_id) else first(refusal, foreign, 204)

    def apply(response: WsgiResponse) -> None:
        world.remove_reminder(world.reminders[reminder_id])

    return Plan(
        "DELETE",
        f"/api/tasks/{task_id}/reminders/{reminder_id}",
        only(status),
        shape_status=404 if malformed(task_id, reminder_id) else None,
        apply=apply,
    )
