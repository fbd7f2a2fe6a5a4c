"""Two users, every endpoint that holds their data: user B, who belongs to none of user
A's workspaces, never reads or changes anything of A's.

The routes come from the catalog: a route added there under a guarded prefix without a
probe here fails the test instead of going unchecked.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from functions.catalog import FUNCTIONS
from functions.runtime.routes import Route
from tests.support.wsgi_client import WsgiClient, WsgiResponse

GUARDED_PREFIXES = ("/api/tasks", "/api/stats", "/api/tags", "/api/workspaces", "/api/invitations", "/api/activity")
ALSO_GUARDED = {"GET /api/auth/me"}
SOON = (datetime.now(UTC) + timedelta(days=30)).isoformat()


def _guarded_routes() -> list[Route]:
    routes = [route for function in FUNCTIONS for route in function.parsed_routes()]
    return [route for route in routes if route.template.startswith(GUARDED_PREFIXES) or route.key in ALSO_GUARDED]


@dataclass
class RecordingClient:
    """B's client: notes which catalog route each request reached."""

    client: WsgiClient
    routes: list[Route]
    exercised: set[str] = field(default_factory=set)

    def request(self, method: str, path: str, **kwargs: Any) -> WsgiResponse:
        for route in self.routes:
            if route.match(method, path.split("?", 1)[0]) is not None:
                self.exercised.add(route.key)
        return self.client.request(method, path, **kwargs)

    def expect(self, statuses: int | tuple[int, ...], method: str, path: str, **kwargs: Any) -> WsgiResponse:
        response = self.request(method, path, **kwargs)
        allowed = statuses if isinstance(statuses, tuple) else (statuses,)
        assert response.status_code in allowed, f"{method} {path}: {response.status_code} {response.text}"
        return response


@dataclass
class AliceData:
    personal: str
    team: str
    task_ids: list[str]
    recurring_id: str
    tag_ids: list[str]
    item_id: str
    reminder_id: str
    invitation_token: str
    invitation_id: str

    def secrets(self) -> list[str]:
        """What must never show in an answer to B: A's ids, and words only A wrote
        (B may well write "alice secret single" itself: see the replayed key below)."""
        return [
            self.personal,
            self.team,
            *self.task_ids,
            *self.tag_ids,
            self.item_id,
            self.reminder_id,
            self.invitation_token,
            self.invitation_id,
            "alice secret groceries",
            "alice secret done",
            "alice secret plans",
            "do not share",
            "alice team",
            "alice secret standup",
            "alice tag",
            "alice secret item",
        ]


def _alice_data(alice) -> AliceData:
    api = alice.client
    personal = next(w["id"] for w in api.get("/api/workspaces").json()["items"] if w["personal"])
    team = api.post("/api/workspaces", json={"name": "alice team"})
    assert team.status_code == 201, team.text
    team_id = team.json()["id"]
    batch = api.post(
        "/api/tasks/batch",
        json={
            "tasks": [
                {"title": "alice secret groceries", "priority": 1, "due_date": "2020-01-01T00:00:00Z"},
                {"title": "alice secret done", "completed": True, "priority": 3},
                {"title": "alice secret plans", "description": "do not share"},
                {"title": "alice team secret", "workspace_id": team_id},
            ]
        },
    )
    assert batch.status_code == 201, batch.text
    single = api.post("/api/tasks", json={"title": "alice secret single"}, headers={"Idempotency-Key": "shared-key"})
    recurring = api.post(
        "/api/tasks",
        json={
            "title": "alice secret standup",
            "due_date": "2030-01-01T09:00:00Z",
            "recurrence": "FREQ=DAILY",
            "timezone": "UTC",
        },
    )
    assert single.status_code == recurring.status_code == 201, recurring.text
    task_ids = [item["id"] for item in batch.json()["items"]] + [single.json()["id"], recurring.json()["id"]]
    tags = [
        api.post("/api/tags", json={"name": "alice tag", "color": "#112233"}),
        api.post("/api/tags", json={"name": "alice team tag", "color": "#445566", "workspace_id": team_id}),
    ]
    assert [tag.status_code for tag in tags] == [201, 201], tags[1].text
    tag_ids = [tag.json()["id"] for tag in tags]
    assert api.put(f"/api/tasks/{task_ids[0]}/tags/{tag_ids[0]}").status_code == 200
    assert api.put(f"/api/tasks/{task_ids[3]}/tags/{tag_ids[1]}").status_code == 200
    item = api.post(f"/api/tasks/{task_ids[0]}/checklist", json={"text": "alice secret item"})
    assert item.status_code == 201, item.text
    reminder = api.post(f"/api/tasks/{task_ids[0]}/reminders", json={"at": SOON})
    assert reminder.status_code == 201, reminder.text
    invitation = api.post(
        f"/api/workspaces/{team_id}/invitations",
        json={"email": f"carol-{uuid.uuid4().hex[:8]}@example.com", "role": "editor"},
    )
    assert invitation.status_code == 201, invitation.text
    return AliceData(
        personal,
        team_id,
        task_ids,
        recurring.json()["id"],
        tag_ids,
        item.json()["id"],
        reminder.json()["id"],
        invitation.json()["token"],
        invitation.json()["id"],
    )


def _state(owner: WsgiClient, data: AliceData) -> dict[str, Any]:
    """Everything A can see of A's own data, ETags included."""

    def ok(response: WsgiResponse) -> Any:
        assert response.status_code == 200, response.text
        return response.json()

    state: dict[str, Any] = {
        "workspaces": ok(owner.get("/api/workspaces")),
        "me": ok(owner.get("/api/auth/me")),
        "members": ok(owner.get(f"/api/workspaces/{data.team}/members")),
    }
    for workspace_id in (data.personal, data.team):
        params = {"workspace_id": workspace_id}
        state[workspace_id] = {
            "tasks": ok(owner.get("/api/tasks", params={**params, "limit": 100})),
            "stats": ok(owner.get("/api/stats", params=params)),
            "tags": ok(owner.get("/api/tags", params=params)),
        }
    for task_id in data.task_ids:
        response = owner.get(f"/api/tasks/{task_id}")
        state[task_id] = (
            ok(response),
            response.header("ETag"),
            ok(owner.get(f"/api/tasks/{task_id}/checklist")),
            ok(owner.get(f"/api/tasks/{task_id}/reminders")),
        )
    return state


def test_user_b_can_never_read_or_change_user_a_data(make_account):
    alice, bob = make_account(), make_account()
    data = _alice_data(alice)
    before = _state(alice.client, data)
    routes = _guarded_routes()
    b = RecordingClient(bob.client, routes)

    def _assert_nothing_of_alice(response: WsgiResponse, own_etag: bool = False) -> None:
        leaked = [secret for secret in data.secrets() if secret in response.text]
        assert leaked == [], f"{response.status_code}: {response.text}"
        if not own_etag:
            assert response.header("ETag") is None

    # B's own things, to aim A's ids at.
    own_task = b.expect(201, "POST", "/api/tasks", json={"title": "bob's own"}).json()
    own_tag = b.expect(201, "POST", "/api/tags", json={"name": "bob tag", "color": "#000000"}).json()
    own_item = b.expect(201, "POST", f"/api/tasks/{own_task['id']}/checklist", json={"text": "bob item"}).json()
    own_reminder = b.expect(201, "POST", f"/api/tasks/{own_task['id']}/reminders", json={"at": SOON}).json()
    bob_ids = {own_task["id"]}

    # Creating: whatever B sends, the task lands in B's workspace, never in A's.
    replay = b.expect(
        201, "POST", "/api/tasks", json={"title": "alice secret single"}, headers={"Idempotency-Key": "shared-key"}
    ).json()
    assert replay["id"] not in data.task_ids
    assert replay["owner"] == bob.id
    bob_ids.add(replay["id"])
    for workspace_id in (data.personal, data.team):
        _assert_nothing_of_alice(b.expect(404, "POST", "/api/tasks", json={"title": "x", "workspace_id": workspace_id}))
        _assert_nothing_of_alice(
            b.expect(
                404,
                "POST",
                "/api/tasks/batch",
                json={"tasks": [{"title": "mine"}, {"title": "planted", "workspace_id": workspace_id}]},
            )
        )
        _assert_nothing_of_alice(
            b.expect(404, "PATCH", f"/api/tasks/{own_task['id']}", json={"workspace_id": workspace_id})
        )
        _assert_nothing_of_alice(
            b.expect(
                404, "POST", "/api/tags", json={"name": "planted", "color": "#000000", "workspace_id": workspace_id}
            )
        )
    batch = b.expect(201, "POST", "/api/tasks/batch", json={"tasks": [{"title": "bob batch"}]}).json()
    bob_ids |= {item["id"] for item in batch["items"]}

    # A's tasks, checklists and tags by id: 404, exactly as for things that do not exist.
    for task_id in data.task_ids:
        etag = before[task_id][1]
        task = f"/api/tasks/{task_id}"
        for method, path, kwargs in [
            ("GET", task, {}),
            ("PATCH", task, {"json": {"title": "taken over"}}),
            ("PATCH", task, {"json": {"completed": True}, "headers": {"If-Match": etag}}),
            ("PATCH", task, {"json": {"priority": 3}, "headers": {"If-Match": "*"}}),
            ("DELETE", task, {"headers": {"If-Match": etag}}),
            ("DELETE", task, {}),
            ("POST", f"{task}/skip", {}),
            ("POST", f"{task}/skip", {"headers": {"If-Match": etag}}),
            ("GET", f"{task}/checklist", {}),
            ("POST", f"{task}/checklist", {"json": {"text": "planted"}}),
            ("PATCH", f"{task}/checklist/{data.item_id}", {"json": {"done": True}}),
            ("PATCH", f"{task}/checklist/{own_item['id']}", {"json": {"done": True}}),
            ("DELETE", f"{task}/checklist/{data.item_id}", {}),
            ("PUT", f"{task}/tags/{data.tag_ids[0]}", {}),
            ("PUT", f"{task}/tags/{own_tag['id']}", {}),
            ("DELETE", f"{task}/tags/{data.tag_ids[0]}", {}),
            ("DELETE", f"{task}/tags/{data.tag_ids[1]}", {}),
            ("GET", f"{task}/reminders", {}),
            ("POST", f"{task}/reminders", {"json": {"at": SOON}}),
            ("POST", f"{task}/reminders", {"json": {"before_due": "PT30M"}}),
            ("DELETE", f"{task}/reminders/{data.reminder_id}", {}),
            ("DELETE", f"{task}/reminders/{own_reminder['id']}", {}),
            ("GET", f"{task}/activity", {}),
            ("GET", f"{task}/versions", {}),
            ("POST", f"{task}/versions/1/restore", {"headers": {"If-Match": etag}}),
            ("POST", f"{task}/versions/1/restore", {"headers": {"If-Match": "*"}}),
        ]:
            _assert_nothing_of_alice(b.expect(404, method, path, **kwargs))

    # Many at once: each of A's tasks is an item refused with 404, as alone, while B's own applies.
    # The answer names each item by the id B sent; beyond that, nothing of A's.
    def _batch(method: str, items: list[dict[str, Any]]) -> dict[str, int]:
        response = b.expect(207, method, "/api/tasks", json={"items": items})
        text = response.text
        for task_id in data.task_ids:
            text = text.replace(task_id, "")
        assert [secret for secret in data.secrets() if secret in text] == [], response.text
        return {item["id"]: item["status"] for item in response.json()["items"]}

    theirs = [
        {"id": task_id, "if_match": before[task_id][1], "changes": {"title": "taken over"}} for task_id in data.task_ids
    ]
    patched = _batch("PATCH", [*theirs, {"id": own_task["id"], "changes": {"priority": 3}}])
    assert patched == {**dict.fromkeys(data.task_ids, 404), own_task["id"]: 200}
    deleted = _batch("DELETE", [{"id": task_id} for task_id in data.task_ids])
    assert deleted == dict.fromkeys(data.task_ids, 404)
    mine = f"/api/tasks/{own_task['id']}"
    _assert_nothing_of_alice(b.expect(404, "PATCH", f"{mine}/checklist/{data.item_id}", json={"text": "x"}))
    _assert_nothing_of_alice(b.expect(404, "DELETE", f"{mine}/checklist/{data.item_id}"))
    _assert_nothing_of_alice(b.expect(404, "DELETE", f"{mine}/reminders/{data.reminder_id}"))
    for tag_id in data.tag_ids:
        _assert_nothing_of_alice(b.expect(404, "PUT", f"{mine}/tags/{tag_id}"))
        # Detaching a tag B's task does not carry: nothing to do, and nothing of A's in the answer.
        _assert_nothing_of_alice(b.expect((200, 404), "DELETE", f"{mine}/tags/{tag_id}"), own_etag=True)
        _assert_nothing_of_alice(b.expect(404, "PATCH", f"/api/tags/{tag_id}", json={"name": "taken over"}))
        _assert_nothing_of_alice(b.expect(404, "DELETE", f"/api/tags/{tag_id}"))

    # A's workspaces: not listable, not readable, not joinable with A's invitation to someone else.
    for workspace_id in (data.personal, data.team):
        params = {"workspace_id": workspace_id}
        for path in ("/api/tasks", "/api/stats", "/api/stats/history", "/api/tags", "/api/activity"):
            _assert_nothing_of_alice(b.expect(404, "GET", path, params=params))
        _assert_nothing_of_alice(
            b.expect(
                404, "POST", f"/api/workspaces/{workspace_id}/invitations", json={"email": bob.email, "role": "editor"}
            )
        )
        members = f"/api/workspaces/{workspace_id}/members"
        _assert_nothing_of_alice(b.expect(404, "GET", members))
        revoke = f"/api/workspaces/{workspace_id}/invitations/{data.invitation_id}"
        _assert_nothing_of_alice(b.expect(404, "DELETE", revoke))
        for member_id in (alice.id, bob.id):
            _assert_nothing_of_alice(b.expect(404, "PATCH", f"{members}/{member_id}", json={"role": "owner"}))
            _assert_nothing_of_alice(b.expect(404, "DELETE", f"{members}/{member_id}"))
    _assert_nothing_of_alice(b.expect(403, "POST", f"/api/invitations/{data.invitation_token}/accept"))
    _assert_nothing_of_alice(b.expect(404, "POST", f"/api/invitations/{uuid.uuid4().hex}/accept"))
    # Reading an invitation needs its token (the link is the capability): a guessed one names nothing.
    _assert_nothing_of_alice(b.expect(404, "GET", f"/api/invitations/{uuid.uuid4().hex}"))
    b.expect(201, "POST", "/api/workspaces", json={"name": "bob's club"})
    workspaces = b.expect(200, "GET", "/api/workspaces").json()["items"]
    assert {w["id"] for w in workspaces}.isdisjoint({data.personal, data.team})
    _assert_nothing_of_alice(b.request("GET", "/api/workspaces"), own_etag=True)  # the ETag of B's own list

    # Listing, searching, filtering and counting in B's own workspace: only B's tasks.
    for params in [
        {},
        {"q": "alice secret"},
        {"q": "groceries"},
        {"completed": "true"},
        {"priority": 1},
        {"due_before": "2031-01-01T00:00:00Z"},
        {"sort": "due_date", "order": "asc", "limit": 100},
    ]:
        listing = b.expect(200, "GET", "/api/tasks", params=params)
        assert {item["id"] for item in listing.json()["items"]} <= bob_ids
        assert {item["workspace_id"] for item in listing.json()["items"]} <= {own_task["workspace_id"]}
        _assert_nothing_of_alice(listing, own_etag=True)  # the ETag of B's own list
    for tag_id in data.tag_ids:
        filtered = b.expect((200, 404), "GET", "/api/tasks", params={"tag": tag_id})
        _assert_nothing_of_alice(filtered, own_etag=True)
    assert len(b.expect(200, "GET", "/api/tasks").json()["items"]) == len(bob_ids)
    stats = b.expect(200, "GET", "/api/stats").json()
    history = b.expect(200, "GET", "/api/stats/history", params={"days": 2}).json()
    assert sum(day["created"] for day in history["days"]) == len(bob_ids)
    assert (stats["total"], stats["completed"], stats["overdue"]) == (len(bob_ids), 0, 0)
    assert [tag["id"] for tag in b.expect(200, "GET", "/api/tags").json()["items"]] == [own_tag["id"]]
    _assert_nothing_of_alice(b.expect(200, "GET", "/api/activity"), own_etag=True)
    assert [r["id"] for r in b.expect(200, "GET", f"{mine}/reminders").json()["items"]] == [own_reminder["id"]]
    me = b.expect(200, "GET", "/api/auth/me").json()
    assert (me["id"], me["email"]) == (bob.id, bob.email)

    # A's data is exactly as it was, ETags included.
    assert _state(alice.client, data) == before
    # Every guarded route in the catalog was probed.
    assert {route.key for route in routes} - b.exercised == set()


def test_the_catalog_has_guarded_routes_to_probe():
    # Guards the guard: the derivation above must find the task routes in the catalog.
    keys = {route.key for route in _guarded_routes()}
    assert {
        "GET /api/tasks",
        "POST /api/tasks",
        "POST /api/tasks/batch",
        "GET /api/tasks/{task_id}",
        "PATCH /api/tasks/{task_id}",
        "DELETE /api/tasks/{task_id}",
        "GET /api/stats",
        "GET /api/auth/me",
    } <= keys
