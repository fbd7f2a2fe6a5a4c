"""A task moved to another workspace leaves behind what belongs to the old one.

Both were defects once: a moved task kept the old workspace's tags, shown (and renamed)
to members of the new one who are not in the old (the random run, test_random_matrix.py,
found it); and it kept the reminders of people who could no longer see it, which the
dispatcher would still have sent them, title and description included. Step by step, here.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

from tests.support.wsgi_client import WsgiClient

from .population import Account


def _ok(response: Any, status: int = 200) -> Any:
    assert response.status_code == status, f"{response.status_code}: {response.text}"
    return response.json() if response.content else None


def _shared(owner: WsgiClient, name: str, member: Account | None = None, role: str = "viewer") -> str:
    """A workspace of `owner`'s, with `member` in it as `role`."""
    workspace_id: str = _ok(owner.post("/api/workspaces", json={"name": name}), 201)["id"]
    if member is not None:
        token = _ok(
            owner.post(f"/api/workspaces/{workspace_id}/invitations", json={"email": member.email, "role": role}), 201
        )["token"]
        _ok(member.client.post(f"/api/invitations/{token}/accept"))
    return workspace_id


def test_a_moved_task_does_not_take_the_tags_of_its_old_workspace_along(make_account: Callable[..., Account]) -> None:
    # Given: a tagged task in A, whose owner also owns X, where someone who is not in A reads along
    owner, reader = make_account(), make_account()
    a = _shared(owner.client, "A")
    x = _shared(owner.client, "X", reader, "viewer")
    task = _ok(owner.client.post("/api/tasks", json={"title": "budget", "workspace_id": a}), 201)
    tag = _ok(owner.client.post("/api/tags", json={"name": "merger talks", "color": "#aa0000", "workspace_id": a}), 201)
    _ok(owner.client.put(f"/api/tasks/{task['id']}/tags/{tag['id']}"))

    # When: the owner moves the task to X, and later renames the tag in A
    _ok(owner.client.patch(f"/api/tasks/{task['id']}", json={"workspace_id": x}))
    seen = reader.client.get(f"/api/tasks/{task['id']}")
    _ok(owner.client.patch(f"/api/tags/{tag['id']}", json={"name": "merger with Initech"}))
    listing = reader.client.get("/api/tasks", params={"workspace_id": x})

    # Then: X's viewer sees the task, but nothing of A's tag, then or after the rename
    assert _ok(seen)["workspace_id"] == x
    assert seen.json()["tags"] == [], "X's viewer is shown a tag of A, a workspace they are not in"
    assert tag["id"] not in listing.text
    assert "Initech" not in listing.text


def test_a_reminder_does_not_reach_someone_who_can_no_longer_see_its_task(make_account: Callable[..., Account]) -> None:
    from functions.domain.reminders import dispatch
    from functions.platform.db import Database
    from functions.platform.dynamo import DeliveryLedger
    from functions.platform.settings import Settings

    # Given: an editor of A and A's owner, each with a reminder on one of A's tasks
    owner, editor = make_account(), make_account()
    a = _shared(owner.client, "A", editor, "editor")
    task = _ok(
        editor.client.post(
            "/api/tasks", json={"title": "layoff list", "description": "names inside", "workspace_id": a}
        ),
        201,
    )
    at = (datetime.now(UTC) + timedelta(minutes=2)).replace(microsecond=0)
    editors = _ok(editor.client.post(f"/api/tasks/{task['id']}/reminders", json={"at": at.isoformat()}), 201)
    owners = _ok(owner.client.post(f"/api/tasks/{task['id']}/reminders", json={"at": at.isoformat()}), 201)

    # When: the owner moves the task to their personal workspace, out of the editor's sight
    personal = next(w["id"] for w in _ok(owner.client.get("/api/workspaces"))["items"] if w["personal"])
    _ok(owner.client.patch(f"/api/tasks/{task['id']}", json={"workspace_id": personal}))
    assert editor.client.get(f"/api/tasks/{task['id']}").status_code == 404

    # Then: the owner's reminder stays, and when it falls due it is the only one sent
    listed = _ok(owner.client.get(f"/api/tasks/{task['id']}/reminders"))["items"]
    assert [reminder["id"] for reminder in listed] == [owners["id"]]
    settings = Settings.from_env()
    delivered: list[dict[str, Any]] = []
    dispatch.dispatch_due(
        Database.for_settings(settings),
        settings,
        DeliveryLedger(settings),
        delivered.append,
        now=lambda: at + timedelta(seconds=1),
    )
    ours = [(row["id"], row["email"]) for row in delivered if row["id"] in (editors["id"], owners["id"])]
    assert ours == [(owners["id"], owner.email)], "a reminder went to someone who may not see its task"
