"""Lists revalidate: every list answers with an ETag, and If-None-Match with a current one gets
304 (the same ETag, no body, the security headers) after the same authentication and
authorization as the 200. Whatever the list shows changing, or another query, is another ETag."""

from __future__ import annotations

import pytest

from tests.support.wsgi_client import WsgiClient, WsgiResponse

SECURITY_HEADERS = (
    "Strict-Transport-Security",
    "X-Content-Type-Options",
    "Content-Security-Policy",
    "Referrer-Policy",
    "Cache-Control",
)


@pytest.fixture
def team(make_account):
    """A shared workspace with an owner and an editor who joined by invitation, and a task in it."""
    owner, editor = make_account(), make_account()
    workspace = owner.client.post("/api/workspaces", json={"name": "Studio"}).json()
    token = owner.client.post(
        f"/api/workspaces/{workspace['id']}/invitations", json={"email": editor.email, "role": "editor"}
    ).json()["token"]
    assert editor.client.post(f"/api/invitations/{token}/accept").status_code == 200
    task = owner.client.post("/api/tasks", json={"title": "Shared", "workspace_id": workspace["id"]}).json()
    return {"id": workspace["id"], "owner": owner, "editor": editor, "task": task}


def _get(client: WsgiClient, path: str, etag: str | None = None, **params) -> WsgiResponse:
    headers = {"If-None-Match": etag} if etag is not None else {}
    return client.get(path, params=params or None, headers=headers)


def _etag(response: WsgiResponse) -> str:
    assert response.status_code == 200, response.text
    etag = response.header("ETag")
    assert etag is not None
    assert etag.startswith('"')
    assert etag.endswith('"')
    return etag


def _assert_not_modified(response: WsgiResponse, etag: str) -> None:
    assert response.status_code == 304, response.text
    assert response.header("ETag") == etag
    assert response.content == b""
    assert response.header("Content-Type") is None
    for name in SECURITY_HEADERS:
        assert response.header(name), name


def _lists(team) -> dict[str, str]:
    """Every list endpoint, each addressed in the team's workspace."""
    task_id = team["task"]["id"]
    return {
        "tasks": f"/api/tasks?workspace_id={team['id']}",
        "tags": f"/api/tags?workspace_id={team['id']}",
        "workspaces": "/api/workspaces",
        "members": f"/api/workspaces/{team['id']}/members",
        "reminders": f"/api/tasks/{task_id}/reminders",
        "checklist": f"/api/tasks/{task_id}/checklist",
        "activity": f"/api/activity?workspace_id={team['id']}",
        "task-activity": f"/api/tasks/{task_id}/activity",
    }


@pytest.mark.parametrize("kind", ["tasks", "tags", "workspaces", "members", "reminders", "checklist", "activity"])
def test_a_current_etag_gets_304_with_that_etag_and_no_body(team, kind):
    path = _lists(team)[kind]
    editor = team["editor"].client
    first = _get(editor, path)
    etag = _etag(first)

    _assert_not_modified(_get(editor, path, etag), etag)
    # The owner sees the same list of a shared scope, so the same ETag holds for them too.
    if kind not in ("workspaces",):
        _assert_not_modified(_get(team["owner"].client, path, etag), etag)
    # Asked again without it: the same body under the same ETag.
    again = _get(editor, path)
    assert (_etag(again), again.json()) == (etag, first.json())


def test_the_task_activity_list_revalidates_too(team):
    path = _lists(team)["task-activity"]
    etag = _etag(_get(team["editor"].client, path))
    _assert_not_modified(_get(team["editor"].client, path, etag), etag)


def _change(team, what: str) -> None:
    """Something the tasks list shows, changed by the owner."""
    owner, task, workspace_id = team["owner"].client, team["task"], team["id"]
    if what == "field":
        assert owner.patch(f"/api/tasks/{task['id']}", json={"priority": 1}).status_code == 200
    elif what == "new task":
        assert owner.post("/api/tasks", json={"title": "Another", "workspace_id": workspace_id}).status_code == 201
    elif what in ("tag attached", "tag renamed", "tag deleted"):
        tag = owner.post("/api/tags", json={"name": "urgent", "workspace_id": workspace_id, "color": "#ff0000"}).json()
        assert owner.put(f"/api/tasks/{task['id']}/tags/{tag['id']}").status_code == 200
        if what == "tag attached":
            return
        team["probe"]()  # the attached tag is part of the list now
        if what == "tag renamed":
            assert owner.patch(f"/api/tags/{tag['id']}", json={"name": "later"}).status_code == 200
        elif what == "tag deleted":
            assert owner.delete(f"/api/tags/{tag['id']}").status_code == 204
    elif what == "checklist progress":
        item = owner.post(f"/api/tasks/{task['id']}/checklist", json={"text": "step"}).json()
        team["probe"]()
        assert owner.patch(f"/api/tasks/{task['id']}/checklist/{item['id']}", json={"done": True}).status_code == 200
    elif what == "task deleted":
        assert owner.delete(f"/api/tasks/{task['id']}").status_code == 204
    else:
        raise AssertionError(what)


@pytest.mark.parametrize(
    "what", ["field", "new task", "tag attached", "tag renamed", "tag deleted", "checklist progress", "task deleted"]
)
def test_another_member_s_change_is_a_200_with_a_new_etag(team, what):
    editor, path = team["editor"].client, _lists(team)["tasks"]
    held = {"etag": _etag(_get(editor, path)), "body": None}

    def probe() -> None:
        """The editor revalidates: the list changed since it was held, and what it holds now is current."""
        fresh = _get(editor, path, held["etag"])
        assert fresh.status_code == 200, fresh.text
        assert _etag(fresh) != held["etag"]
        assert fresh.json() != held["body"]
        held.update(etag=_etag(fresh), body=fresh.json())
        _assert_not_modified(_get(editor, path, held["etag"]), held["etag"])

    held["body"] = _get(editor, path).json()
    team["probe"] = probe
    _change(team, what)
    probe()


def test_membership_changes_change_the_members_and_workspaces_lists(team, make_account):
    owner, editor = team["owner"].client, team["editor"].client
    members, workspaces = _lists(team)["members"], _lists(team)["workspaces"]
    members_etag, workspaces_etag = _etag(_get(editor, members)), _etag(_get(editor, workspaces))

    assert (
        owner.patch(f"/api/workspaces/{team['id']}/members/{team['editor'].id}", json={"role": "viewer"}).status_code
        == 200
    )

    changed = _get(editor, members, members_etag)
    assert changed.status_code == 200
    assert _etag(changed) != members_etag
    assert {m["role"] for m in changed.json()["items"]} == {"owner", "viewer"}
    assert _etag(_get(editor, workspaces, workspaces_etag)) != workspaces_etag
    # An invitation is shown to owners only: it changes their list, not the viewer's.
    owners_etag = _etag(_get(owner, members))
    viewers_etag = _etag(_get(editor, members))
    newcomer = make_account()
    owner.post(f"/api/workspaces/{team['id']}/invitations", json={"email": newcomer.email, "role": "viewer"})
    assert _get(owner, members, owners_etag).status_code == 200
    _assert_not_modified(_get(editor, members, viewers_etag), viewers_etag)


def test_a_removed_member_gets_404_never_304(team):
    editor = team["editor"].client
    held = {kind: _etag(_get(editor, path)) for kind, path in _lists(team).items()}

    assert team["owner"].client.delete(f"/api/workspaces/{team['id']}/members/{team['editor'].id}").status_code == 204

    for kind, path in _lists(team).items():
        refused = _get(editor, path, held[kind])
        if kind == "workspaces":  # their own list: it changed (the workspace is gone from it)
            assert refused.status_code == 200
            assert team["id"] not in {w["id"] for w in refused.json()["items"]}
            continue
        assert refused.status_code == 404, (kind, refused.status_code)
        assert refused.header("Content-Type") == "application/problem+json"
        assert refused.header("ETag") is None


def test_without_a_valid_token_the_answer_is_401_not_304(team, client):
    path = _lists(team)["tasks"]
    etag = _etag(_get(team["editor"].client, path))
    assert _get(client, path, etag).status_code == 401
    assert _get(client, path, "*").status_code == 401


@pytest.mark.parametrize(
    "other",
    [
        {"completed": "true"},
        {"priority": "1"},
        {"limit": "10"},
        {"sort": "due_date"},
        {"order": "asc"},
        {"q": "shared"},
        {"due_before": "2030-01-01T00:00:00Z"},
    ],
)
def test_two_different_queries_never_share_an_etag(team, other):
    editor, path = team["editor"].client, _lists(team)["tasks"]
    base = _get(editor, path)
    varied = _get(editor, path, **other)
    assert _etag(base) != _etag(varied)
    # Holding one query's ETag says nothing about the other's list.
    assert _get(editor, path, _etag(base), **other).status_code == 200


def test_the_same_list_of_two_workspaces_has_two_etags(make_account):
    owner = make_account().client
    first, second = (owner.post("/api/workspaces", json={"name": name}).json()["id"] for name in ("A", "B"))
    for kind in ("tasks", "tags", "activity"):
        a = _get(owner, f"/api/{kind}", workspace_id=first)
        b = _get(owner, f"/api/{kind}", workspace_id=second)
        assert a.json()["items"] == b.json()["items"] == []
        assert _etag(a) != _etag(b), kind
    # Lists whose ETag is a digest of the body: two empty checklists, reminders, feeds.
    tasks = [owner.post("/api/tasks", json={"title": "t", "workspace_id": wid}).json()["id"] for wid in (first, second)]
    for kind in ("checklist", "reminders"):
        a, b = (_get(owner, f"/api/tasks/{task_id}/{kind}") for task_id in tasks)
        assert a.json() == b.json() == {"items": []}
        assert _etag(a) != _etag(b), kind


def test_the_personal_workspace_is_the_default_and_the_same_list(team):
    owner = team["owner"].client
    personal = owner.get("/api/workspaces").json()["items"][0]["id"]
    for kind in ("tasks", "tags"):
        assert _etag(_get(owner, f"/api/{kind}")) == _etag(_get(owner, f"/api/{kind}", workspace_id=personal))
        assert _etag(_get(owner, f"/api/{kind}")) != _etag(_get(owner, f"/api/{kind}", workspace_id=team["id"]))


@pytest.mark.parametrize(
    ("header", "status"),
    [
        ("{etag}", 304),
        ("W/{etag}", 304),  # weak comparison: W/"x" matches "x"
        ('"other", W/"older", {etag}', 304),
        ('"other" ,, {etag} ,', 304),  # empty list members are allowed
        ("*", 304),  # any current representation
        ('"other"', 200),
        ('W/"other", "older"', 200),
        ("{bare}", 200),  # not an entity tag
        ('{etag} "other"', 200),  # not a list
        ("", 200),
    ],
)
def test_if_none_match_is_compared_as_rfc_9110_says(team, header, status):
    editor, path = team["editor"].client, _lists(team)["tasks"]
    etag = _etag(_get(editor, path))
    sent = header.format(etag=etag, bare=etag.strip('"'))
    answer = _get(editor, path, sent)
    assert answer.status_code == status, (sent, answer.text)
    assert answer.header("ETag") == etag


def test_an_overlong_if_none_match_is_refused(team):
    from functions.platform.http import IF_NONE_MATCH_MAX

    answer = _get(team["editor"].client, _lists(team)["tasks"], '"x", ' * (IF_NONE_MATCH_MAX // 5 + 1))
    assert answer.status_code == 422
    assert answer.header("Content-Type") == "application/problem+json"


def test_the_etag_does_not_change_on_a_write_elsewhere(team, make_account):
    # A write in another workspace leaves this one's generation alone.
    editor, path = team["editor"].client, _lists(team)["tasks"]
    etag = _etag(_get(editor, path))
    editor.post("/api/tasks", json={"title": "in my personal workspace"})
    make_account().client.post("/api/tasks", json={"title": "somebody else's"})
    _assert_not_modified(_get(editor, path, etag), etag)


def test_cors_lets_the_app_send_if_none_match_and_read_the_etag():
    from functions.platform.api import create_api
    from functions.platform.http import NotModified
    from functions.platform.settings import Settings

    origin = "https://app.example.com"
    app = create_api(Settings(cors_allow_origin=origin))

    @app.get("/api/probe")
    def probe() -> dict[str, str]:
        raise NotModified('"abc"')

    def event(method: str, headers: dict[str, str]) -> dict:
        return {
            "httpMethod": method,
            "path": "/api/probe",
            "headers": {"origin": origin, **headers},
            "queryStringParameters": {},
            "body": None,
            "isBase64Encoded": False,
            "requestContext": {"elb": {"targetGroupArn": "arn"}},
        }

    preflight = app.resolve(
        event(
            "OPTIONS",
            {"access-control-request-method": "GET", "access-control-request-headers": "if-none-match"},
        ),
        None,
    )
    allowed = {name.strip().lower() for name in preflight["headers"]["Access-Control-Allow-Headers"].split(",")}
    assert "if-none-match" in allowed
    answer = app.resolve(event("GET", {"if-none-match": '"abc"'}), None)
    assert answer["statusCode"] == 304
    assert answer["headers"]["ETag"] == '"abc"'
    assert "ETag" in answer["headers"]["Access-Control-Expose-Headers"].split(",")
    assert answer["headers"]["Access-Control-Allow-Origin"] == origin
