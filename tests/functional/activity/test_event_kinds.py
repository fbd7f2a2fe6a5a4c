"""Tags, checklists, memberships and invitations reach the feed too. An entry names a tag or
an item as it is when the feed is read, and only to a reader who may see it then; an
invitation's entry never says whom it invites."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest


@pytest.fixture
def team(make_account):
    """A shared workspace: an owner, and an editor who joined by invitation."""
    owner, editor = make_account(display_name="Olive Owner"), make_account(display_name="Eddie Editor")
    workspace_id = owner.client.post("/api/workspaces", json={"name": "Studio"}).json()["id"]
    token = owner.client.post(
        f"/api/workspaces/{workspace_id}/invitations", json={"email": editor.email, "role": "editor"}
    ).json()["token"]
    assert editor.client.post(f"/api/invitations/{token}/accept").status_code == 200
    return {"id": workspace_id, "owner": owner, "editor": editor}


def _feed(client, workspace_id: str | None = None) -> list[dict]:
    params = {"limit": 100, **({"workspace_id": workspace_id} if workspace_id else {})}
    answer = client.get("/api/activity", params=params)
    assert answer.status_code == 200, answer.text
    return answer.json()["items"]


def _task_feed(client, task_id: str) -> list[dict]:
    answer = client.get(f"/api/tasks/{task_id}/activity", params={"limit": 100})
    assert answer.status_code == 200, answer.text
    return answer.json()["items"]


def _kinds(items: list[dict]) -> list[str]:
    return [item["type"].removeprefix("dev.taskforge.") for item in items]


def test_membership_and_invitations_are_in_the_workspace_s_feed(team, make_account, relay):
    owner, editor, workspace_id = team["owner"], team["editor"], team["id"]
    outsider, later = make_account(), make_account(display_name="Lee Later")
    revoked = owner.client.post(
        f"/api/workspaces/{workspace_id}/invitations", json={"email": outsider.email, "role": "viewer"}
    ).json()
    assert owner.client.delete(f"/api/workspaces/{workspace_id}/invitations/{revoked['id']}").status_code == 204
    token = owner.client.post(
        f"/api/workspaces/{workspace_id}/invitations", json={"email": later.email, "role": "viewer"}
    ).json()["token"]
    assert later.client.post(f"/api/invitations/{token}/accept").status_code == 200
    members = f"/api/workspaces/{workspace_id}/members"
    assert owner.client.patch(f"{members}/{editor.id}", json={"role": "viewer"}).status_code == 200
    assert owner.client.patch(f"{members}/{editor.id}", json={"role": "viewer"}).status_code == 200  # no change
    assert owner.client.delete(f"{members}/{later.id}").status_code == 204
    relay()

    feed = _feed(owner.client, workspace_id)
    assert [(item["summary"], item["actor_id"]) for item in feed] == [
        ("removed Lee Later", owner.id),
        ("made Eddie Editor a viewer", owner.id),
        ("joined as a viewer", later.id),
        ("invited someone as a viewer", owner.id),
        ("revoked an invitation", owner.id),
        ("invited someone as a viewer", owner.id),
        ("joined as an editor", editor.id),
        ("invited someone as an editor", owner.id),
    ]
    assert _kinds(feed)[:3] == ["member.removed", "member.changed", "member.joined"]
    assert all(item["task_id"] is None for item in feed)
    assert feed[1]["data"] | {"workspace_id": workspace_id} == {
        "workspace_id": workspace_id,
        "user_id": editor.id,
        "member": "Eddie Editor",
        "role": "viewer",
        "previous_role": "editor",
        "actor_id": owner.id,
    }
    # Whom an invitation was for is the owners' to know: not in anybody's feed.
    invitations = [item for item in feed if item["type"].startswith("dev.taskforge.invitation.")]
    for item in invitations:
        assert set(item["data"]) <= {"workspace_id", "role", "actor_id"}
    answer = editor.client.get("/api/activity", params={"workspace_id": workspace_id, "limit": 100}).text
    assert outsider.email not in answer
    assert later.email not in answer
    assert revoked["id"] not in answer

    # The editor leaves: said in the feed the members who stay read.
    assert editor.client.delete(f"{members}/{editor.id}").status_code == 204
    relay()
    assert _feed(owner.client, workspace_id)[0]["summary"] == "left the workspace"
    assert _feed(owner.client, workspace_id)[0]["actor_id"] == editor.id


def test_tags_are_named_as_they_are_now_and_not_once_deleted(team, relay):
    owner, editor, workspace_id = team["owner"].client, team["editor"].client, team["id"]
    task = owner.post("/api/tasks", json={"title": "Paint", "workspace_id": workspace_id}).json()
    tag = owner.post("/api/tags", json={"name": "urgent", "color": "#ff0000", "workspace_id": workspace_id}).json()
    assert editor.put(f"/api/tasks/{task['id']}/tags/{tag['id']}").status_code == 200
    assert editor.put(f"/api/tasks/{task['id']}/tags/{tag['id']}").status_code == 200  # attached already: no event
    assert owner.patch(f"/api/tags/{tag['id']}", json={"name": "later"}).status_code == 200
    assert editor.delete(f"/api/tasks/{task['id']}/tags/{tag['id']}").status_code == 200
    relay()

    feed = _feed(editor, workspace_id)
    assert [item["summary"] for item in feed[:5]] == [
        "removed the tag “later” from “Paint”",
        "changed the tag “later”",
        "added the tag “later” to “Paint”",
        "created the tag “later”",
        "created “Paint”",
    ]
    assert feed[1]["data"]["changes"] == ["name"]
    assert {item["data"].get("tag_id") for item in feed[:4]} == {tag["id"]}
    # Attaching and detaching are the task's events too; the tag's own are the workspace's.
    assert _kinds(_task_feed(editor, task["id"])) == ["tag.detached", "tag.attached", "task.created"]

    assert owner.delete(f"/api/tags/{tag['id']}").status_code == 204
    relay()
    feed = _feed(editor, workspace_id)
    assert [item["summary"] for item in feed[:5]] == [
        "deleted a tag",
        "removed a tag from “Paint”",
        "changed a tag",
        "added a tag to “Paint”",
        "created a tag",
    ]
    assert all("tag_id" not in item["data"] for item in feed)


def test_checklist_changes_say_which_item_while_it_is_there(team, relay):
    owner, editor, workspace_id = team["owner"].client, team["editor"].client, team["id"]
    task = owner.post("/api/tasks", json={"title": "Move", "workspace_id": workspace_id}).json()
    checklist = f"/api/tasks/{task['id']}/checklist"
    first = editor.post(checklist, json={"text": "boxes"}).json()
    second = editor.post(checklist, json={"text": "tape"}).json()
    assert editor.patch(f"{checklist}/{first['id']}", json={"done": True}).status_code == 200
    assert editor.patch(f"{checklist}/{first['id']}", json={"text": "big boxes"}).status_code == 200
    assert editor.patch(f"{checklist}/{first['id']}", json={"done": False}).status_code == 200
    assert owner.delete(f"{checklist}/{second['id']}").status_code == 204
    relay()

    feed = _task_feed(owner, task["id"])
    assert [item["summary"] for item in feed] == [
        "removed an item from the checklist of “Move”",
        "unchecked “big boxes” on “Move”",
        "changed “big boxes” in the checklist of “Move”",
        "checked “big boxes” on “Move”",
        "added an item to the checklist of “Move”",  # "tape", removed since
        "added “big boxes” to the checklist of “Move”",
        "created “Move”",
    ]
    progress = [item["data"].get("checklist_progress") for item in reversed(feed[:-1])]
    assert progress == [
        {"done": 0, "total": 1},
        {"done": 0, "total": 2},
        {"done": 1, "total": 2},
        {"done": 1, "total": 2},
        {"done": 0, "total": 2},
        {"done": 0, "total": 1},
    ]
    assert feed[2]["data"]["changes"] == ["text"]
    assert [item["data"].get("item_id") for item in feed[:3]] == [None, first["id"], first["id"]]
    assert _feed(editor, workspace_id)[:6] == feed[:6]  # the workspace's feed has them too


def test_a_moved_task_s_history_names_no_tag_of_its_old_workspace(make_account, relay):
    owner, reader = make_account(), make_account()
    old = owner.client.post("/api/workspaces", json={"name": "A"}).json()["id"]
    new = owner.client.post("/api/workspaces", json={"name": "X"}).json()["id"]
    token = owner.client.post(
        f"/api/workspaces/{new}/invitations", json={"email": reader.email, "role": "viewer"}
    ).json()["token"]
    assert reader.client.post(f"/api/invitations/{token}/accept").status_code == 200
    task = owner.client.post("/api/tasks", json={"title": "budget", "workspace_id": old}).json()
    tag = owner.client.post("/api/tags", json={"name": "merger talks", "color": "#aa0000", "workspace_id": old}).json()
    owner.client.put(f"/api/tasks/{task['id']}/tags/{tag['id']}")
    owner.client.patch(f"/api/tasks/{task['id']}", json={"workspace_id": new})
    relay()

    seen = reader.client.get(f"/api/tasks/{task['id']}/activity")
    assert seen.status_code == 200
    assert "added a tag to “budget”" in [item["summary"] for item in seen.json()["items"]]
    assert tag["id"] not in seen.text
    assert "merger" not in seen.text
    # Its owner, a member of both, is told which.
    assert "added the tag “merger talks” to “budget”" in [
        item["summary"] for item in _task_feed(owner.client, task["id"])
    ]


def test_no_task_s_feed_holds_the_workspace_s_own_events(team, relay):
    owner, workspace_id = team["owner"].client, team["id"]
    owner.post("/api/tags", json={"name": "solo", "color": "#000000", "workspace_id": workspace_id})
    relay()
    # They are indexed under the workspace's id, which no task has.
    assert owner.get(f"/api/tasks/{workspace_id}/activity").status_code == 404


def test_a_workspace_event_is_a_cloudevent_without_a_subject():
    from functions.domain.activity import publishing

    event = {
        "event_id": "e1",
        "type": "dev.taskforge.member.joined",
        "task_id": None,
        "actor_id": "u1",
        "data": {"workspace_id": "w1", "role": "editor"},
        "created_at": datetime(2026, 1, 1, tzinfo=UTC),
    }
    headers, _ = publishing.cloudevent(event, None)
    assert "ce-subject" not in headers
    assert headers["ce-source"] == "/taskforge/workspaces"
    task_event = {**event, "type": "dev.taskforge.checklist.added", "task_id": "t1"}
    headers, _ = publishing.cloudevent(task_event, None)
    assert (headers["ce-subject"], headers["ce-source"]) == ("t1", "/taskforge/checklists")


def test_the_entries_of_a_deleted_task_say_so(team, relay):
    owner, editor, workspace_id = team["owner"].client, team["editor"].client, team["id"]
    gone = owner.post("/api/tasks", json={"title": "Gone", "workspace_id": workspace_id}).json()
    kept = owner.post("/api/tasks", json={"title": "Kept", "workspace_id": workspace_id}).json()
    tag = owner.post("/api/tags", json={"name": "red", "color": "#ff0000", "workspace_id": workspace_id}).json()
    owner.put(f"/api/tasks/{gone['id']}/tags/{tag['id']}")
    owner.post(f"/api/tasks/{gone['id']}/checklist", json={"text": "first"})
    owner.patch(f"/api/tasks/{gone['id']}", json={"completed": True})
    relay()
    before = _feed(editor, workspace_id)
    assert not any(item["task_deleted"] for item in before)
    etag = editor.get("/api/activity", params={"limit": 100, "workspace_id": workspace_id}).header("ETag")

    assert owner.delete(f"/api/tasks/{gone['id']}").status_code == 204
    # Said as soon as the task is gone, before its own event has reached the feed, and the
    # feed's ETag moves with it.
    marked = _feed(editor, workspace_id)
    revalidated = editor.get(
        "/api/activity", params={"limit": 100, "workspace_id": workspace_id}, headers={"If-None-Match": etag}
    )
    assert revalidated.status_code == 200
    assert revalidated.header("ETag") != etag
    assert [item["id"] for item in marked] == [item["id"] for item in before]
    relay()
    feed = _feed(editor, workspace_id)
    by_task = {
        task: [(item["summary"], item["task_deleted"]) for item in feed if item["task_id"] == task]
        for task in (gone["id"], kept["id"])
    }
    assert by_task[gone["id"]] == [
        ("deleted “Gone”", True),
        ("completed “Gone” (task deleted)", True),
        ("added an item to the checklist of “Gone” (task deleted)", True),  # the item went with its task
        ("added the tag “red” to “Gone” (task deleted)", True),
        ("created “Gone” (task deleted)", True),
    ]
    assert by_task[kept["id"]] == [("created “Kept”", False)]
    assert all(not item["task_deleted"] for item in feed if item["task_id"] is None)
    assert [item["task_deleted"] for item in marked if item["task_id"] == gone["id"]] == [True] * 4
