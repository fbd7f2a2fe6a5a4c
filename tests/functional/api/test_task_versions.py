"""Every change of a task is a version (one per request, whatever the request wrote), with who
made it and what it changed; any version can be restored, as a new version, under If-Match."""

from __future__ import annotations

import psycopg
import pytest


def _versions(api, task_id, **params):
    listed = api.get(f"/api/tasks/{task_id}/versions", params=params)
    assert listed.status_code == 200, listed.text
    return listed.json()


def _changes(api, task_id):
    """Each version's changed fields, oldest first."""
    return [version["changed"] for version in reversed(_versions(api, task_id, limit=100)["items"])]


def _restore(api, task_id, number, etag):
    headers = {"If-Match": etag} if etag is not None else {}
    return api.post(f"/api/tasks/{task_id}/versions/{number}/restore", headers=headers)


def _etag(api, task_id):
    return api.get(f"/api/tasks/{task_id}").header("ETag")


def _tag(api, name, **extra):
    created = api.post("/api/tags", json={"name": name, "color": "#0a58ca", **extra})
    assert created.status_code == 201, created.text
    return created.json()


def test_each_kind_of_change_is_exactly_one_version_with_its_actor(make_account):
    account = make_account(display_name="Ada")
    api = account.client
    task = api.post("/api/tasks", json={"title": "Draft", "priority": 2}).json()
    home = _tag(api, "home")
    other = api.post("/api/workspaces", json={"name": "Elsewhere"}).json()

    api.patch(f"/api/tasks/{task['id']}", json={"title": "Report", "priority": 1, "description": "long"})
    api.put(f"/api/tasks/{task['id']}/tags/{home['id']}")
    item = api.post(f"/api/tasks/{task['id']}/checklist", json={"text": "outline"}).json()
    api.patch(f"/api/tasks/{task['id']}/checklist/{item['id']}", json={"done": True})
    api.patch(f"/api/tasks/{task['id']}", json={"completed": True})
    api.patch(f"/api/tasks/{task['id']}", json={"completed": False})
    api.patch(f"/api/tags/{home['id']}", json={"name": "house"})  # the same tag: no change of the task
    api.delete(f"/api/tasks/{task['id']}/checklist/{item['id']}")
    api.patch(f"/api/tasks/{task['id']}", json={"workspace_id": other["id"]})  # its tag stays behind

    assert _changes(api, task["id"]) == [
        [],
        ["description", "priority", "title"],
        ["tags"],
        ["checklist"],
        ["checklist"],
        ["completed"],
        ["completed"],
        ["checklist"],
        ["tags", "workspace_id"],
    ]
    newest = _versions(api, task["id"], limit=1)["items"][0]
    assert newest["version"] == 9
    assert newest["actor"] == {"id": account.id, "name": "Ada"}
    assert newest["task_version"] == api.get(f"/api/tasks/{task['id']}").json()["version"]
    assert newest["snapshot"]["workspace_id"] == other["id"]
    assert "series_start" not in newest["snapshot"]
    first = _versions(api, task["id"], limit=100)["items"][-1]
    assert first["snapshot"]["title"] == "Draft"
    assert first["snapshot"]["tags"] == []
    assert first["snapshot"]["checklist"] == []


def test_a_completed_occurrence_and_a_skip_are_versions_of_the_series(make_account):
    api = make_account().client
    weekly = {"due_date": "2030-01-07T09:00:00Z", "recurrence": "FREQ=WEEKLY", "timezone": "UTC"}
    task = api.post("/api/tasks", json={"title": "Water plants", **weekly}).json()
    api.patch(f"/api/tasks/{task['id']}", json={"completed": True})
    api.post(f"/api/tasks/{task['id']}/skip")
    assert _changes(api, task["id"]) == [[], ["due_date"], ["due_date"]]
    dues = [v["snapshot"]["due_date"] for v in reversed(_versions(api, task["id"])["items"])]
    assert [due[:10] for due in dues] == ["2030-01-07", "2030-01-14", "2030-01-21"]


def test_a_batch_creates_one_first_version_per_task(make_account):
    api = make_account().client
    created = api.post("/api/tasks/batch", json={"tasks": [{"title": "a"}, {"title": "b"}]}).json()["items"]
    for task in created:
        assert [v["version"] for v in _versions(api, task["id"])["items"]] == [1]


def test_restore_puts_fields_tags_and_checklist_back_as_a_new_version(make_account):
    api = make_account().client
    home, work = _tag(api, "home"), _tag(api, "work")
    task = api.post("/api/tasks", json={"title": "Trip", "description": "pack", "priority": 3}).json()
    api.put(f"/api/tasks/{task['id']}/tags/{home['id']}")
    items = [api.post(f"/api/tasks/{task['id']}/checklist", json={"text": t}).json() for t in ("passport", "tickets")]
    kept = _versions(api, task["id"])["items"][0]  # v4: title Trip, tag home, two items
    assert kept["version"] == 4

    api.patch(f"/api/tasks/{task['id']}", json={"title": "Holiday", "priority": 1, "completed": True})
    api.delete(f"/api/tasks/{task['id']}/tags/{home['id']}")
    api.put(f"/api/tasks/{task['id']}/tags/{work['id']}")
    api.patch(f"/api/tasks/{task['id']}/checklist/{items[0]['id']}", json={"text": "visa", "done": True})
    api.delete(f"/api/tasks/{task['id']}/checklist/{items[1]['id']}")
    api.post(f"/api/tasks/{task['id']}/checklist", json={"text": "sunscreen"})
    etag = _etag(api, task["id"])

    restored = _restore(api, task["id"], 4, etag)
    assert restored.status_code == 200, restored.text
    body = restored.json()
    assert (body["title"], body["description"], body["priority"], body["completed"]) == ("Trip", "pack", 3, False)
    assert body["completed_at"] is None
    assert [tag["name"] for tag in body["tags"]] == ["home"]
    assert body["not_restored"] == []
    assert restored.header("ETag") == f'"{body["version"]}"' != etag
    checklist = api.get(f"/api/tasks/{task['id']}/checklist").json()["items"]
    assert [(i["id"], i["text"], i["done"], i["position"]) for i in checklist] == [
        (items[0]["id"], "passport", False, 0),
        (items[1]["id"], "tickets", False, 1),
    ]
    history = _versions(api, task["id"], limit=100)["items"]
    assert [v["version"] for v in history][:2] == [11, 10]  # nothing rewritten: the restore is version 11
    assert history[0]["changed"] == ["checklist", "completed", "priority", "tags", "title"]
    assert history[0]["task_version"] == body["version"]
    assert {k: history[0]["snapshot"][k] for k in ("title", "tags", "checklist")} == {
        k: kept["snapshot"][k] for k in ("title", "tags", "checklist")
    }


def test_restore_asks_for_the_current_etag(make_account):
    api = make_account().client
    task = api.post("/api/tasks", json={"title": "one"}).json()
    stale = _etag(api, task["id"])
    api.patch(f"/api/tasks/{task['id']}", json={"title": "two"})

    missing = _restore(api, task["id"], 1, None)
    assert missing.status_code == 428
    assert missing.header("Content-Type") == "application/problem+json"
    refused = _restore(api, task["id"], 1, stale)
    assert refused.status_code == 412
    assert api.get(f"/api/tasks/{task['id']}").json()["title"] == "two"
    assert len(_versions(api, task["id"])["items"]) == 2
    assert _restore(api, task["id"], 1, "*").status_code == 200


def test_an_ended_session_is_401_before_the_missing_etag(make_account):
    account = make_account()
    api = account.client
    task = api.post("/api/tasks", json={"title": "one"}).json()
    changed = api.post(
        "/api/auth/password", json={"current_password": account.password, "new_password": "a far longer 2031 phrase"}
    )
    assert changed.status_code == 200, changed.text  # every session of the account ends

    refused = _restore(api, task["id"], 1, None)
    assert refused.status_code == 401, refused.text
    assert refused.header("Content-Type") == "application/problem+json"


@pytest.mark.parametrize("number", ["0", "3", "abc", "-1", "99999999999", "1.0", "٣"])
def test_a_version_that_is_not_there_is_404(make_account, number):
    api = make_account().client
    task = api.post("/api/tasks", json={"title": "t"}).json()
    api.patch(f"/api/tasks/{task['id']}", json={"title": "u"})
    assert _restore(api, task["id"], number, _etag(api, task["id"])).status_code == 404


def test_roles_apply_as_for_editing(team):
    owner, editor, viewer, outsider = (team[who].client for who in ("owner", "editor", "viewer", "outsider"))
    task = owner.post("/api/tasks", json={"title": "plan", "workspace_id": team["id"]}).json()
    editor.patch(f"/api/tasks/{task['id']}", json={"title": "plan B"})
    etag = _etag(owner, task["id"])

    assert [v["actor"]["name"] for v in _versions(viewer, task["id"])["items"]] == [
        team["editor"].email,
        team["owner"].email,
    ]
    assert _restore(viewer, task["id"], 1, etag).status_code == 403
    assert outsider.get(f"/api/tasks/{task['id']}/versions").status_code == 404
    assert _restore(outsider, task["id"], 1, etag).status_code == 404
    assert owner.get(f"/api/tasks/{task['id']}").json()["title"] == "plan B"
    assert _restore(editor, task["id"], 1, etag).json()["title"] == "plan"


def test_a_deleted_tag_is_put_back_only_when_the_workspace_has_one_of_its_name(make_account):
    api = make_account().client
    gone, renamed = _tag(api, "garden"), _tag(api, "errands")
    task = api.post("/api/tasks", json={"title": "t"}).json()
    api.put(f"/api/tasks/{task['id']}/tags/{gone['id']}")
    api.put(f"/api/tasks/{task['id']}/tags/{renamed['id']}")
    api.delete(f"/api/tags/{gone['id']}")
    api.delete(f"/api/tags/{renamed['id']}")
    again = _tag(api, "Errands")  # a new tag of the same name

    restored = _restore(api, task["id"], 3, _etag(api, task["id"]))
    assert restored.status_code == 200, restored.text
    assert [tag["id"] for tag in restored.json()["tags"]] == [again["id"]]
    assert restored.json()["not_restored"] == ["the tag “garden” has been deleted since, so it was not put back"]
    assert api.get("/api/tags").json()["items"] == [again | {"workspace_id": again["workspace_id"]}]


def test_a_version_in_another_workspace_moves_the_task_back_if_the_caller_may(team):
    owner, editor = team["owner"].client, team["editor"].client
    task = editor.post("/api/tasks", json={"title": "t", "workspace_id": team["id"]}).json()
    personal = editor.get("/api/workspaces").json()["items"][0]
    assert personal["personal"]
    editor.patch(f"/api/tasks/{task['id']}", json={"workspace_id": personal["id"]})

    # The editor moved it to their personal workspace and may move it back.
    back = _restore(editor, task["id"], 1, _etag(editor, task["id"]))
    assert back.status_code == 200, back.text
    assert back.json()["workspace_id"] == team["id"]
    assert owner.get(f"/api/tasks/{task['id']}").status_code == 200

    # Once they are only a viewer of the shared workspace, a version there is out of reach.
    editor.patch(f"/api/tasks/{task['id']}", json={"workspace_id": personal["id"]})
    members = f"/api/workspaces/{team['id']}/members/{team['editor'].id}"
    assert owner.patch(members, json={"role": "viewer"}).status_code == 200
    refused = _restore(editor, task["id"], 1, _etag(editor, task["id"]))
    assert refused.status_code == 409
    assert "another workspace" in refused.json()["detail"]
    assert editor.get(f"/api/tasks/{task['id']}").json()["workspace_id"] == personal["id"]


def test_tag_names_of_a_workspace_the_reader_is_not_in_are_withheld(team):
    owner, editor = team["owner"].client, team["editor"].client
    secret = _tag(owner, "secret-project", workspace_id=team["id"])
    task = editor.post("/api/tasks", json={"title": "t", "workspace_id": team["id"]}).json()
    editor.put(f"/api/tasks/{task['id']}/tags/{secret['id']}")
    own = owner.post("/api/workspaces", json={"name": "Owner's own"}).json()
    owner.patch(f"/api/tasks/{task['id']}", json={"workspace_id": own["id"]})
    outsider_in_new = team["outsider"]
    token = owner.post(
        f"/api/workspaces/{own['id']}/invitations", json={"email": outsider_in_new.email, "role": "viewer"}
    ).json()["token"]
    assert outsider_in_new.client.post(f"/api/invitations/{token}/accept").status_code == 200

    seen = _versions(outsider_in_new.client, task["id"])["items"]
    assert seen[1]["snapshot"]["tags"] == [{"id": secret["id"], "name": None}]
    named = _versions(owner, task["id"])["items"][1]["snapshot"]["tags"]
    assert named == [{"id": secret["id"], "name": "secret-project"}]


def test_versions_are_keyset_paged_and_revalidate(make_account):
    api = make_account().client
    task = api.post("/api/tasks", json={"title": "v1"}).json()
    for n in range(2, 6):
        api.patch(f"/api/tasks/{task['id']}", json={"title": f"v{n}"})
    first = _versions(api, task["id"], limit=2)
    second = _versions(api, task["id"], limit=2, cursor=first["next_cursor"])
    third = _versions(api, task["id"], limit=2, cursor=second["next_cursor"])
    pages = [first, second, third]
    assert [[v["version"] for v in page["items"]] for page in pages] == [[5, 4], [3, 2], [1]]
    assert third["next_cursor"] is None
    assert api.get(f"/api/tasks/{task['id']}/versions", params={"cursor": "nonsense"}).status_code == 400
    assert api.get(f"/api/tasks/{task['id']}/versions", params={"limit": 0}).status_code == 422

    listed = api.get(f"/api/tasks/{task['id']}/versions")
    again = api.get(f"/api/tasks/{task['id']}/versions", headers={"If-None-Match": listed.header("ETag")})
    assert again.status_code == 304
    api.patch(f"/api/tasks/{task['id']}", json={"title": "v6"})
    changed = api.get(f"/api/tasks/{task['id']}/versions", headers={"If-None-Match": listed.header("ETag")})
    assert changed.status_code == 200


def test_the_first_version_and_the_last_hundred_are_kept(make_account, api_database):
    from functions.domain.tasks import versions

    api = make_account().client
    task = api.post("/api/tasks", json={"title": "v1"}).json()
    with psycopg.connect(api_database, autocommit=True) as conn:
        for n in range(2, versions.KEPT + 4):  # a transaction each, as requests are
            conn.execute("UPDATE tasks SET title = %s, version = version + 1 WHERE id = %s", (f"v{n}", task["id"]))
    numbers = [v["version"] for v in _versions(api, task["id"], limit=100)["items"]]
    older = _versions(api, task["id"], limit=100, cursor=_versions(api, task["id"], limit=100)["next_cursor"])
    kept = numbers + [v["version"] for v in older["items"]]
    assert kept == [*range(versions.KEPT + 3, 3, -1), 1]
    assert _versions(api, task["id"], limit=100)["items"][0]["actor"] is None  # written by no request
    assert _restore(api, task["id"], 2, _etag(api, task["id"])).status_code == 404
    assert _restore(api, task["id"], 1, _etag(api, task["id"])).json()["title"] == "v1"


def test_a_deleted_task_takes_its_versions_with_it(make_account, api_database):
    api = make_account().client
    task = api.post("/api/tasks", json={"title": "t"}).json()
    api.patch(f"/api/tasks/{task['id']}", json={"title": "u"})
    assert api.delete(f"/api/tasks/{task['id']}").status_code == 204
    assert api.get(f"/api/tasks/{task['id']}/versions").status_code == 404
    with psycopg.connect(api_database) as conn:
        assert conn.execute("SELECT count(*) FROM task_versions WHERE task_id = %s", (task["id"],)).fetchone() == (0,)
