"""Tags (filter, rename, delete cascade) and checklists (order, progress, stale moves)."""

from __future__ import annotations

import pytest


def _tag(api, name, color="#ff8800", **extra):
    response = api.post("/api/tags", json={"name": name, "color": color, **extra})
    assert response.status_code == 201, response.text
    return response.json()


def test_tags_attach_filter_rename_and_delete(make_account):
    api = make_account().client
    home, urgent = _tag(api, "home"), _tag(api, "Urgent", "#FF0000")
    assert urgent["color"] == "#ff0000"
    a = api.post("/api/tasks", json={"title": "a"}).json()
    b = api.post("/api/tasks", json={"title": "b"}).json()
    api.put(f"/api/tasks/{a['id']}/tags/{home['id']}")
    api.put(f"/api/tasks/{a['id']}/tags/{urgent['id']}")
    tagged = api.put(f"/api/tasks/{b['id']}/tags/{home['id']}").json()
    assert [tag["name"] for tag in tagged["tags"]] == ["home"]

    def titles(*tag_ids):
        return sorted(item["title"] for item in api.get("/api/tasks", params={"tag": list(tag_ids)}).json()["items"])

    assert titles(home["id"]) == ["a", "b"]
    assert titles(home["id"], urgent["id"]) == ["a"]  # all of them

    renamed = api.patch(f"/api/tags/{home['id']}", json={"name": "house"})
    assert renamed.status_code == 200
    assert [tag["name"] for tag in api.get(f"/api/tasks/{b['id']}").json()["tags"]] == ["house"]

    assert api.delete(f"/api/tags/{urgent['id']}").status_code == 204
    assert [tag["name"] for tag in api.get(f"/api/tasks/{a['id']}").json()["tags"]] == ["house"]
    assert titles(urgent["id"]) == []

    detached = api.delete(f"/api/tasks/{a['id']}/tags/{home['id']}").json()
    assert detached["tags"] == []


def test_tag_names_are_unique_per_workspace_whatever_the_case(make_account):
    api = make_account().client
    _tag(api, "Work")
    assert api.post("/api/tags", json={"name": "work", "color": "#000000"}).status_code == 409
    assert [tag["name"] for tag in api.get("/api/tags").json()["items"]] == ["Work"]


@pytest.mark.parametrize(
    "body",
    [
        {"name": "x", "color": "red"},
        {"name": "", "color": "#000000"},
        {"name": "x" * 51, "color": "#000000"},
        {"name": "x", "color": "#00000"},
    ],
)
def test_invalid_tags_are_422(make_account, body):
    assert make_account().client.post("/api/tags", json=body).status_code == 422


def test_a_tag_of_another_workspace_cannot_be_attached(make_account):
    alice, bob = make_account(), make_account()
    foreign = _tag(bob.client, "bob's")
    task = alice.client.post("/api/tasks", json={"title": "t"}).json()
    assert alice.client.put(f"/api/tasks/{task['id']}/tags/{foreign['id']}").status_code == 404
    own_workspace = alice.client.post("/api/workspaces", json={"name": "Other"}).json()
    elsewhere = _tag(alice.client, "elsewhere", workspace_id=own_workspace["id"])
    assert alice.client.put(f"/api/tasks/{task['id']}/tags/{elsewhere['id']}").status_code == 404


def test_checklist_order_progress_and_moves(make_account):
    api = make_account().client
    task = api.post("/api/tasks", json={"title": "Trip"}).json()
    assert task["checklist_progress"] == {"done": 0, "total": 0}
    items = [
        api.post(f"/api/tasks/{task['id']}/checklist", json={"text": text}).json()
        for text in ("passport", "tickets", "charger")
    ]
    assert [item["position"] for item in items] == [0, 1, 2]

    api.patch(f"/api/tasks/{task['id']}/checklist/{items[1]['id']}", json={"done": True})
    assert api.get(f"/api/tasks/{task['id']}").json()["checklist_progress"] == {"done": 1, "total": 3}

    etag = api.get(f"/api/tasks/{task['id']}").header("ETag")
    moved = api.patch(
        f"/api/tasks/{task['id']}/checklist/{items[2]['id']}", json={"position": 0}, headers={"If-Match": etag}
    )
    assert moved.status_code == 200, moved.text
    order = [item["text"] for item in api.get(f"/api/tasks/{task['id']}/checklist").json()["items"]]
    assert order == ["charger", "passport", "tickets"]

    stale = api.patch(
        f"/api/tasks/{task['id']}/checklist/{items[0]['id']}", json={"position": 2}, headers={"If-Match": etag}
    )
    assert stale.status_code == 412
    assert api.patch(f"/api/tasks/{task['id']}/checklist/{items[0]['id']}", json={"position": 3}).status_code == 422

    assert api.delete(f"/api/tasks/{task['id']}/checklist/{items[0]['id']}").status_code == 204
    remaining = api.get(f"/api/tasks/{task['id']}/checklist").json()["items"]
    assert [(item["text"], item["position"]) for item in remaining] == [("charger", 0), ("tickets", 1)]


def test_checklists_follow_the_task_roles(make_account):
    owner, stranger = make_account(), make_account()
    task = owner.client.post("/api/tasks", json={"title": "private"}).json()
    item = owner.client.post(f"/api/tasks/{task['id']}/checklist", json={"text": "x"}).json()
    assert stranger.client.get(f"/api/tasks/{task['id']}/checklist").status_code == 404
    assert stranger.client.post(f"/api/tasks/{task['id']}/checklist", json={"text": "y"}).status_code == 404
    assert (
        stranger.client.patch(f"/api/tasks/{task['id']}/checklist/{item['id']}", json={"done": True}).status_code == 404
    )
    assert stranger.client.delete(f"/api/tasks/{task['id']}/checklist/{item['id']}").status_code == 404


@pytest.mark.parametrize("body", [{"text": ""}, {"text": "x" * 501}, {}, {"done": True}])
def test_invalid_new_checklist_items_are_422(make_account, body):
    api = make_account().client
    task = api.post("/api/tasks", json={"title": "t"}).json()
    assert api.post(f"/api/tasks/{task['id']}/checklist", json=body).status_code == 422


@pytest.mark.parametrize("body", [{"text": ""}, {}, {"done": None}, {"position": -1}, {"id": "x"}])
def test_invalid_checklist_changes_are_422(make_account, body):
    api = make_account().client
    task = api.post("/api/tasks", json={"title": "t"}).json()
    item = api.post(f"/api/tasks/{task['id']}/checklist", json={"text": "x"}).json()
    assert api.patch(f"/api/tasks/{task['id']}/checklist/{item['id']}", json=body).status_code == 422


def test_checklist_writes_return_the_tasks_new_etag(make_account):
    api = make_account().client
    task = api.post("/api/tasks", json={"title": "t"}).json()
    first = api.post(f"/api/tasks/{task['id']}/checklist", json={"text": "a"})
    second = api.post(f"/api/tasks/{task['id']}/checklist", json={"text": "b"}, headers={"If-Match": "*"})
    assert first.header("ETag") != second.header("ETag")
    # Two moves in a row, each sending the ETag the previous write returned.
    moved = api.patch(
        f"/api/tasks/{task['id']}/checklist/{second.json()['id']}",
        json={"position": 0},
        headers={"If-Match": second.header("ETag")},
    )
    assert moved.status_code == 200
    again = api.patch(
        f"/api/tasks/{task['id']}/checklist/{second.json()['id']}",
        json={"position": 1},
        headers={"If-Match": moved.header("ETag")},
    )
    assert again.status_code == 200
    removed = api.delete(f"/api/tasks/{task['id']}/checklist/{first.json()['id']}")
    assert removed.header("ETag") == api.get(f"/api/tasks/{task['id']}").header("ETag")
