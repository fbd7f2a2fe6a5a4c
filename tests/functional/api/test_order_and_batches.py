"""Manual order (a fractional `position` per task, moves by `after`/`before`, keyset pages by
`sort=position`) and the batches that change or delete many tasks, each item on its own."""

from __future__ import annotations

import concurrent.futures
import uuid

import psycopg
import pytest

from tests.functional.api.test_workspaces import team  # noqa: F401 - a fixture


def _titles(api, **params) -> list[str]:
    return [
        task["title"]
        for task in api.get("/api/tasks", params={"sort": "position", "order": "asc", **params}).json()["items"]
    ]


def _create(api, *titles: str, **fields) -> list[dict]:
    response = api.post("/api/tasks/batch", json={"tasks": [{"title": title, **fields} for title in titles]})
    assert response.status_code == 201, response.text
    return response.json()["items"]


# -- manual order ------------------------------------------------------------------------------


def test_new_tasks_go_to_the_end_and_a_move_writes_only_the_moved_task(make_account, api_database):
    api = make_account().client
    a, b, c = _create(api, "a", "b", "c")
    d = api.post("/api/tasks", json={"title": "d"}).json()
    assert [t["position"] for t in (a, b, c, d)] == sorted(t["position"] for t in (a, b, c, d))
    assert _titles(api) == ["a", "b", "c", "d"]

    moved = api.patch(f"/api/tasks/{d['id']}", json={"after": a["id"]}, headers={"If-Match": f'"{d["version"]}"'})
    assert moved.status_code == 200, moved.text
    assert moved.header("ETag") == f'"{d["version"] + 1}"'
    assert _titles(api) == ["a", "d", "b", "c"]
    assert {t["id"]: t["version"] for t in api.get("/api/tasks").json()["items"]}[b["id"]] == b["version"]

    assert api.patch(f"/api/tasks/{a['id']}", json={"before": None}).status_code == 200
    assert _titles(api) == ["d", "b", "c", "a"]
    assert api.patch(f"/api/tasks/{c['id']}", json={"after": None}).status_code == 200
    assert _titles(api) == ["c", "d", "b", "a"]
    assert api.patch(f"/api/tasks/{a['id']}", json={"before": b["id"]}).status_code == 200
    assert _titles(api) == ["c", "d", "a", "b"]
    assert _titles(api, order="desc") == ["b", "a", "d", "c"]


def test_a_move_needs_a_current_if_match(make_account):
    api = make_account().client
    _a, b = _create(api, "a", "b")
    stale = api.patch(f"/api/tasks/{b['id']}", json={"after": None}, headers={"If-Match": '"999"'})
    assert stale.status_code == 412
    assert _titles(api) == ["a", "b"]


@pytest.mark.parametrize(
    "body",
    [
        {"position": "a0!"},
        {"position": ""},
        {"position": "a00"},
        {"position": "b1"},
        {"position": None},
        {"position": "a" * 201},
        {"after": "not-an-id"},
        {"after": None, "before": None},
        {"position": "a5", "after": None},
    ],
    ids=[
        "punctuation",
        "empty",
        "trailing-zero",
        "too-short",
        "null",
        "long",
        "bad-id",
        "after-and-before",
        "two-ways",
    ],
)
def test_a_bad_position_or_move_is_422(make_account, body):
    api = make_account().client
    (task,) = _create(api, "a")
    response = api.patch(f"/api/tasks/{task['id']}", json=body)
    assert response.status_code == 422, response.text
    assert response.header("Content-Type").startswith("application/problem+json")


def test_a_move_next_to_itself_or_to_a_task_elsewhere_is_422(make_account):
    owner, stranger = make_account(), make_account()
    a, _b = _create(owner.client, "a", "b")
    (theirs,) = _create(stranger.client, "theirs")
    assert owner.client.patch(f"/api/tasks/{a['id']}", json={"after": a["id"]}).status_code == 422
    elsewhere = owner.client.patch(f"/api/tasks/{a['id']}", json={"before": theirs["id"]})
    assert elsewhere.status_code == 422
    assert "theirs" not in elsewhere.text
    assert owner.client.patch(f"/api/tasks/{a['id']}", json={"after": str(uuid.uuid4())}).status_code == 422
    assert _titles(owner.client) == ["a", "b"]


def test_a_key_sent_by_the_client_is_kept_unless_another_task_has_it(make_account):
    api = make_account().client
    a, b = _create(api, "a", "b")
    assert api.patch(f"/api/tasks/{b['id']}", json={"position": "Zz"}).json()["position"] == "Zz"
    assert _titles(api) == ["b", "a"]
    taken = api.patch(f"/api/tasks/{a['id']}", json={"position": "Zz"})
    assert taken.status_code == 409


def test_concurrent_moves_into_one_gap_never_share_a_key(make_account, api_database):
    api = make_account().client
    tasks = _create(api, *[f"t{i}" for i in range(12)])
    first = tasks[0]["id"]

    def move(task: dict) -> int:
        return api.patch(f"/api/tasks/{task['id']}", json={"after": first}).status_code

    with concurrent.futures.ThreadPoolExecutor(max_workers=6) as pool:
        assert set(pool.map(move, tasks[1:])) == {200}
    listed = api.get("/api/tasks", params={"sort": "position", "order": "asc"}).json()["items"]
    keys = [task["position"] for task in listed]
    assert len(set(keys)) == len(keys) == 12
    assert listed[0]["id"] == first


def test_positions_page_by_keyset(make_account):
    api = make_account().client
    _create(api, *[f"t{i:02}" for i in range(7)])
    seen, cursor = [], None
    while True:
        params = {"sort": "position", "order": "asc", "limit": 3, **({"cursor": cursor} if cursor else {})}
        page = api.get("/api/tasks", params=params).json()
        seen += [task["title"] for task in page["items"]]
        cursor = page["next_cursor"]
        if cursor is None:
            break
    assert seen == [f"t{i:02}" for i in range(7)]
    first = api.get("/api/tasks", params={"sort": "position", "order": "asc", "limit": 3}).json()["next_cursor"]
    wrong = api.get("/api/tasks", params={"sort": "created_at", "order": "asc", "limit": 3, "cursor": first})
    assert wrong.status_code == 400


def test_a_task_moved_to_another_workspace_goes_to_the_end_of_its_list(team):  # noqa: F811
    owner = team["owner"].client
    shared = team["workspace"]["id"]
    _create(owner, "x", "y", workspace_id=shared)
    (mine,) = _create(owner, "mine")
    assert owner.patch(f"/api/tasks/{mine['id']}", json={"workspace_id": shared}).status_code == 200
    assert _titles(owner, workspace_id=shared) == ["x", "y", "mine"]


def test_many_drops_into_one_gap_renumber_the_list(make_account):
    from functions.domain.tasks import ordering

    api = make_account().client
    a, b, c = _create(api, "a", "b", "c")
    moving = [b, c]
    for step in range(300):
        task = moving[step % 2]
        response = api.patch(f"/api/tasks/{task['id']}", json={"after": a["id"]})
        assert response.status_code == 200, response.text
        assert len(response.json()["position"]) < ordering.RENUMBER_AT
    assert _titles(api) == ["a", "c", "b"]


def test_the_migration_numbers_existing_tasks_in_the_order_they_were_created(empty_database_url, tmp_path):
    from functions.domain.tasks import positions
    from functions.platform.migrate import apply_migrations, discover

    for migration in discover():
        if migration.version < "0013":
            (tmp_path / f"{migration.version}.sql").write_text(migration.sql)
    apply_migrations(empty_database_url, tmp_path)
    with psycopg.connect(empty_database_url, autocommit=True) as conn:
        user = conn.execute(
            "INSERT INTO users (email, password_hash) VALUES ('m@example.com', 'x') RETURNING id"
        ).fetchone()
        assert user is not None
        for name in ("w1", "w2"):
            workspace = conn.execute(
                "INSERT INTO workspaces (name, created_by) VALUES (%s, %s) RETURNING id", (name, user[0])
            ).fetchone()
            assert workspace is not None
            conn.execute(
                "INSERT INTO tasks (owner_id, workspace_id, title, created_at)"
                " SELECT %s, %s, 't' || n, now() - n * interval '1 minute' FROM generate_series(1, 70) n",
                (user[0], workspace[0]),
            )

    assert apply_migrations(empty_database_url) == [m.version for m in discover() if m.version >= "0013"]

    with psycopg.connect(empty_database_url, autocommit=True) as conn:
        rows = conn.execute(
            "SELECT title, position FROM tasks WHERE workspace_id = %s ORDER BY position", (workspace[0],)
        ).fetchall()
        assert [title for title, _ in rows] == [f"t{n}" for n in range(70, 0, -1)]
        for _, key in rows:
            positions.validate(key)
        # A row written around the API still gets a key, at the end of its list.
        conn.execute(
            "INSERT INTO tasks (owner_id, workspace_id, title) VALUES (%s, %s, 'late')", (user[0], workspace[0])
        )
        last = conn.execute(
            "SELECT title, position FROM tasks WHERE workspace_id = %s ORDER BY position DESC LIMIT 1", (workspace[0],)
        ).fetchone()
        assert last is not None
        assert last[0] == "late"
        assert positions.between(positions.validate(last[1]), None) > last[1]


# -- batch changes -----------------------------------------------------------------------------


def _etag(task: dict) -> str:
    return f'"{task["version"]}"'


def test_a_batch_applies_each_item_alone_and_reports_each(make_account, api_database):
    api = make_account().client
    a, b, c = _create(api, "a", "b", "c")
    api.patch(f"/api/tasks/{b['id']}", json={"title": "b changed elsewhere"})
    missing = str(uuid.uuid4())
    response = api.patch(
        "/api/tasks",
        json={
            "items": [
                {"id": a["id"], "if_match": _etag(a), "changes": {"completed": True}},
                {"id": b["id"], "if_match": _etag(b), "changes": {"completed": True}},
                {"id": missing, "changes": {"completed": True}},
                {"id": c["id"], "if_match": _etag(c), "changes": {"priority": 1, "completed": True}},
            ]
        },
    )
    assert response.status_code == 207, response.text
    items = response.json()["items"]
    assert [(item["id"], item["status"]) for item in items] == [
        (a["id"], 200),
        (b["id"], 412),
        (missing, 404),
        (c["id"], 200),
    ]
    assert items[0]["task"]["completed"] is True
    assert items[0]["etag"] == f'"{a["version"] + 1}"'
    assert items[1]["problem"]["status"] == 412
    assert items[1]["problem"]["detail"]
    assert "task" not in items[1] or items[1]["task"] is None
    assert items[3]["task"]["priority"] == 1
    assert api.get(f"/api/tasks/{b['id']}").json()["completed"] is False
    # Each applied item recorded its event, as a single PATCH does; the failed one none.
    with psycopg.connect(api_database) as conn:
        completions = conn.execute(
            "SELECT task_id::text FROM outbox WHERE task_id = ANY(%s::uuid[]) AND type LIKE '%%.completed'",
            ([a["id"], b["id"], c["id"]],),
        ).fetchall()
    assert sorted(row[0] for row in completions) == sorted([a["id"], c["id"]])


def test_a_batch_where_every_item_applies_is_200_and_refreshes_lists(make_account):
    api = make_account().client
    a, b = _create(api, "a", "b")
    listed = api.get("/api/tasks")
    response = api.patch(
        "/api/tasks",
        json={"items": [{"id": t["id"], "if_match": _etag(t), "changes": {"completed": True}} for t in (a, b)]},
    )
    assert response.status_code == 200, response.text
    assert [item["status"] for item in response.json()["items"]] == [200, 200]
    again = api.get("/api/tasks", headers={"If-None-Match": listed.header("ETag")})
    assert again.status_code == 200
    assert all(task["completed"] for task in again.json()["items"])


def test_a_batch_follows_the_roles_per_item(team, make_account):  # noqa: F811
    shared = team["workspace"]["id"]
    owner, viewer, outsider = team["owner"].client, team["viewer"].client, team["outsider"].client
    (shared_task,) = _create(owner, "shared", workspace_id=shared)
    (own,) = _create(viewer, "viewer's own")
    (hidden,) = _create(make_account().client, "a stranger's secret")

    response = viewer.patch(
        "/api/tasks",
        json={
            "items": [
                {"id": shared_task["id"], "changes": {"completed": True}},
                {"id": own["id"], "changes": {"completed": True}},
                {"id": hidden["id"], "changes": {"completed": True}},
            ]
        },
    )
    assert response.status_code == 207
    assert [item["status"] for item in response.json()["items"]] == [403, 200, 404]
    assert "secret" not in response.text
    assert (
        outsider.patch("/api/tasks", json={"items": [{"id": shared_task["id"], "changes": {"title": "x"}}]}).json()[
            "items"
        ][0]["status"]
        == 404
    )
    assert owner.get(f"/api/tasks/{shared_task['id']}").json()["title"] == "shared"


def test_a_batch_moves_tasks_across_workspaces_as_the_roles_allow(team):  # noqa: F811
    shared = team["workspace"]["id"]
    editor, viewer = team["editor"].client, team["viewer"].client
    mine = _create(editor, "one", "two")
    moved = editor.patch(
        "/api/tasks", json={"items": [{"id": t["id"], "changes": {"workspace_id": shared}} for t in mine]}
    )
    assert moved.status_code == 200, moved.text
    assert _titles(editor, workspace_id=shared) == ["one", "two"]
    (viewers,) = _create(viewer, "viewer's")
    refused = viewer.patch("/api/tasks", json={"items": [{"id": viewers["id"], "changes": {"workspace_id": shared}}]})
    assert refused.json()["items"][0]["status"] == 403
    assert viewer.get(f"/api/tasks/{viewers['id']}").json()["workspace_id"] != shared


def test_a_batch_attaches_and_detaches_tags_with_the_item(make_account):
    api = make_account().client
    a, b = _create(api, "a", "b")
    home = api.post("/api/tags", json={"name": "home", "color": "#00aa00"}).json()
    other = make_account().client.post("/api/tags", json={"name": "theirs", "color": "#aa0000"}).json()
    response = api.patch(
        "/api/tasks",
        json={
            "items": [
                {"id": a["id"], "if_match": _etag(a), "changes": {"add_tags": [home["id"]]}},
                {"id": b["id"], "changes": {"priority": 1, "add_tags": [home["id"], other["id"]]}},
            ]
        },
    )
    assert response.status_code == 207
    first, second = response.json()["items"]
    assert first["status"] == 200
    assert [tag["name"] for tag in first["task"]["tags"]] == ["home"]
    assert second["status"] == 404
    # The failed item left nothing behind: neither its priority nor its first tag.
    unchanged = api.get(f"/api/tasks/{b['id']}").json()
    assert unchanged["priority"] == b["priority"]
    assert unchanged["tags"] == []
    removed = api.patch(
        "/api/tasks",
        json={"items": [{"id": a["id"], "if_match": first["etag"], "changes": {"remove_tags": [home["id"]]}}]},
    )
    assert removed.json()["items"][0]["task"]["tags"] == []
    stale = api.patch(
        "/api/tasks",
        json={"items": [{"id": a["id"], "if_match": first["etag"], "changes": {"add_tags": [home["id"]]}}]},
    )
    assert stale.json()["items"][0]["status"] == 412


def test_batch_moves_in_manual_order(make_account):
    api = make_account().client
    a, _b, c = _create(api, "a", "b", "c")
    response = api.patch(
        "/api/tasks",
        json={"items": [{"id": c["id"], "changes": {"after": None}}, {"id": a["id"], "changes": {"before": None}}]},
    )
    assert response.status_code == 200, response.text
    assert _titles(api) == ["c", "b", "a"]


@pytest.mark.parametrize(
    "body",
    [
        {"items": []},
        {},
        {"items": [{"id": "nope", "changes": {"completed": True}}]},
        {"items": [{"id": str(uuid.uuid4()), "changes": {}}]},
        {"items": [{"id": str(uuid.uuid4()), "changes": {"owner": "x"}}]},
        {"items": [{"id": str(uuid.uuid4()), "changes": {"remove_tags": None}}]},
        {"items": [{"id": str(uuid.uuid4()), "changes": {"add_tags": [str(uuid.uuid4())] * 21}}]},
        {"items": [{"id": str(uuid.uuid4()), "changes": {"after": None, "position": "a1"}}]},
    ],
    ids=["empty", "no-items", "bad-id", "no-changes", "server-owned", "null-tags", "many-tags", "two-placements"],
)
def test_a_malformed_batch_is_422(make_account, body):
    response = make_account().client.patch("/api/tasks", json=body)
    assert response.status_code == 422, response.text


def test_over_the_bound_and_duplicates_are_422_and_change_nothing(make_account):
    api = make_account().client
    (task,) = _create(api, "a")
    over = api.patch(
        "/api/tasks", json={"items": [{"id": str(uuid.uuid4()), "changes": {"completed": True}} for _ in range(101)]}
    )
    assert over.status_code == 422
    twice = api.patch(
        "/api/tasks",
        json={
            "items": [
                {"id": task["id"], "changes": {"completed": True}},
                {"id": task["id"].upper(), "changes": {"title": "x"}},
            ]
        },
    )
    assert twice.status_code == 422
    assert "more than once" in twice.text
    assert api.get(f"/api/tasks/{task['id']}").json()["version"] == task["version"]
    doubled = api.delete("/api/tasks", json={"items": [{"id": task["id"]}, {"id": task["id"]}]})
    assert doubled.status_code == 422
    assert api.delete("/api/tasks", json={"items": []}).status_code == 422


def test_a_batch_retried_with_its_idempotency_key_is_answered_once(make_account):
    api = make_account().client
    a, b = _create(api, "a", "b")
    body = {"items": [{"id": a["id"], "if_match": _etag(a), "changes": {"completed": True}}]}
    first = api.patch("/api/tasks", json=body, headers={"Idempotency-Key": "k1"})
    again = api.patch("/api/tasks", json=body, headers={"Idempotency-Key": "k1"})
    assert first.status_code == again.status_code == 200
    assert again.json() == first.json()  # not a 412 from the version the first one moved
    other = api.patch(
        "/api/tasks",
        json={"items": [{"id": b["id"], "changes": {"completed": True}}]},
        headers={"Idempotency-Key": "k1"},
    )
    assert other.status_code == 422


# -- batch deletes -----------------------------------------------------------------------------


def test_a_batch_delete_deletes_each_item_alone(team, make_account):  # noqa: F811
    shared = team["workspace"]["id"]
    owner, viewer = team["owner"].client, team["viewer"].client
    a, b, c = _create(owner, "a", "b", "c", workspace_id=shared)
    owner.patch(f"/api/tasks/{b['id']}", json={"title": "b changed"})
    missing = str(uuid.uuid4())
    response = owner.delete(
        "/api/tasks",
        json={
            "items": [
                {"id": a["id"], "if_match": _etag(a)},
                {"id": b["id"], "if_match": _etag(b)},
                {"id": missing},
                {"id": c["id"]},
            ]
        },
    )
    assert response.status_code == 207, response.text
    assert [item["status"] for item in response.json()["items"]] == [204, 412, 404, 204]
    assert _titles(owner, workspace_id=shared) == ["b changed"]

    by_viewer = viewer.delete("/api/tasks", json={"items": [{"id": b["id"]}]})
    assert by_viewer.status_code == 207
    assert by_viewer.json()["items"][0]["status"] == 403
    all_gone = owner.delete("/api/tasks", json={"items": [{"id": b["id"]}]})
    assert all_gone.status_code == 200
    assert all_gone.json()["items"] == [{"id": b["id"], "status": 204, "etag": None, "task": None, "problem": None}]
