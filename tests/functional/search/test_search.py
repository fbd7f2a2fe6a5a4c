"""Search (GET /api/tasks?q=...): every word of q must occur in the title or the description,
anywhere and in any case; results keep the list's sort and keyset pages whichever way the
server finds them (a walk of the sort order, a longer one, or the trigram index)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import psycopg
import pytest
from psycopg.rows import dict_row

from functions.domain.tasks import tasks
from functions.platform.migrate import apply_migrations, discover


def _titles(api, **params) -> list[str]:
    response = api.get("/api/tasks", params=params)
    assert response.status_code == 200, response.text
    return [item["title"] for item in response.json()["items"]]


def _create(api, bodies: list[dict[str, Any]], workspace_id: str | None = None) -> list[dict[str, Any]]:
    extra = {"workspace_id": workspace_id} if workspace_id else {}
    created = api.post("/api/tasks/batch", json={"tasks": [{**body, **extra} for body in bodies]})
    assert created.status_code == 201, created.text
    return created.json()["items"]


@pytest.fixture
def api(make_account):
    """An account with tasks whose words hide inside longer ones, newest last."""
    client = make_account().client
    _create(
        client,
        [
            {"title": "Fix PR-1234", "description": "the login bug"},
            {"title": "Write the report", "description": "quarterly"},
            {"title": "Buy groceries", "description": "milk, eggs"},
            {"title": "Renew passport"},
            {"title": "Prepare slides", "description": "for the meeting"},
            {"title": "Call mum", "description": "room 1234b"},
        ],
    )
    return client


def test_a_number_inside_a_hyphenated_token_is_found(api):
    assert _titles(api, q="1234") == ["Call mum", "Fix PR-1234"]
    assert _titles(api, q="PR-1234") == ["Fix PR-1234"]


def test_words_are_found_inside_other_words(api):
    assert _titles(api, q="port") == ["Renew passport", "Write the report"]
    assert _titles(api, q="groc") == ["Buy groceries"]
    assert _titles(api, q="ilk") == ["Buy groceries"]  # in the description
    assert _titles(api, q="zebra") == []


def test_every_word_is_required_in_any_order(api):
    assert _titles(api, q="report write") == ["Write the report"]
    assert _titles(api, q="write report") == ["Write the report"]
    assert _titles(api, q="report groceries") == []
    # One word in the title, the other in the description.
    assert _titles(api, q="bug fix") == ["Fix PR-1234"]


def test_case_does_not_matter_beyond_ascii(make_account):
    api = make_account().client
    _create(api, [{"title": "Ünïcode handling"}, {"title": "ÉCOLE"}, {"title": "unicode plain"}])
    assert _titles(api, q="üNÏCODE") == ["Ünïcode handling"]
    assert _titles(api, q="école") == ["ÉCOLE"]
    assert _titles(api, q="UNICODE") == ["unicode plain"]


def test_like_metacharacters_match_literally(make_account):
    api = make_account().client
    _create(
        api,
        [
            {"title": "snake_case names"},
            {"title": "snakeXcase names"},
            {"title": "50% off"},
            {"title": "5000 items"},
            {"title": "back\\slash"},
        ],
    )
    # `_` is a word character, so it is part of the word, and it is not LIKE's any-one-character.
    assert _titles(api, q="snake_case") == ["snake_case names"]
    assert _titles(api, q="e_c") == ["snake_case names"]
    # `%` and `\` are not: they separate words, never a wildcard or an escape (nor an error).
    assert _titles(api, q="50%") == ["5000 items", "50% off"]
    assert _titles(api, q="50%off") == ["50% off"]
    assert _titles(api, q="back\\slash") == ["back\\slash"]
    assert _titles(api, q="%") == _titles(api)
    assert _titles(api, q="\\") == _titles(api)


@pytest.mark.parametrize(
    ("word", "text", "found"),
    [
        ("a%b", "xa%by", True),
        ("a%b", "axxb", False),
        ("a_b", "a_b", True),
        ("a_b", "axb", False),
        ("a\\b", "a\\b", True),
        ("a\\b", "ab", False),
        ("100%", "100% sure", True),
        ("100%", "1000", False),
    ],
)
def test_a_like_pattern_matches_its_word_literally_in_postgresql(api_database, word, text, found):
    # The API's word split never lets `%` or `\` into a word; the pattern is safe without it.
    with psycopg.connect(api_database) as conn:
        row = conn.execute("SELECT lower(%s) LIKE lower(%s)", (text, tasks.like_pattern(word))).fetchone()
    assert row == (found,)


def test_short_words_match_as_substrings_too(api):
    assert _titles(api, q="pr") == ["Prepare slides", "Fix PR-1234"]
    assert _titles(api, q="PR 12") == ["Fix PR-1234"]
    assert _titles(api, q="x") == ["Fix PR-1234"]
    assert _titles(api, q="qz") == []


def test_a_query_of_punctuation_only_filters_nothing(api):
    everything = _titles(api)
    assert len(everything) == 6
    assert _titles(api, q="--") == everything
    assert _titles(api, q=" ?! ") == everything


def test_a_search_never_shows_another_workspaces_tasks(make_account):
    owner, stranger = make_account(), make_account()
    _create(stranger.client, [{"title": "stranger's report"}])
    _create(owner.client, [{"title": "my report"}])
    club = owner.client.post("/api/workspaces", json={"name": "club"}).json()["id"]
    _create(owner.client, [{"title": "club report"}], workspace_id=club)

    assert _titles(owner.client, q="report") == ["my report"]
    assert _titles(owner.client, q="report", workspace_id=club) == ["club report"]
    assert _titles(stranger.client, q="report") == ["stranger's report"]
    assert stranger.client.get("/api/tasks", params={"q": "report", "workspace_id": club}).status_code == 404


# ---------------------------------------------------------------- pages, by each way of finding them


@pytest.fixture
def steps(monkeypatch) -> list[str]:
    """The statements list_page runs, as W (a walk of the sort order) and T (the trigram step,
    the one run unprepared)."""
    taken: list[str] = []
    run = tasks._run

    def spy(conn, statement, prepare=None):
        taken.append("T" if prepare is False else "W")
        return run(conn, statement, prepare)

    monkeypatch.setattr(tasks, "_run", spy)
    return taken


# budget, limit: the first walk's rows, and the most rows the walks may take in all.
WAYS = {
    "one walk": (4000, 20_000),
    "a second walk": (3, 20_000),
    "the trigram index": (3, 0),
}


def _a_workspace_of(api, count: int) -> list[dict[str, Any]]:
    """`count` tasks, a third of them about a "report" (in the title or the description), with
    priorities and due dates (some none) in an order of their own."""
    now = datetime.now(UTC)
    bodies = []
    for i in range(count):
        body: dict[str, Any] = {"title": f"task {i}", "priority": 1 + (i * 7) % 3}
        if i % 3 == 0:
            body["title" if i % 2 else "description"] = f"Reporting {i}"
        if i % 4:
            body["due_date"] = (now + timedelta(hours=(i * 5) % 11)).isoformat().replace("+00:00", "Z")
        bodies.append(body)
    return _create(api, bodies)


def _walk_pages(api, params: dict[str, Any]) -> list[dict[str, Any]]:
    seen: list[dict[str, Any]] = []
    cursor = None
    while True:
        page = api.get("/api/tasks", params={**params, **({"cursor": cursor} if cursor else {})})
        assert page.status_code == 200, page.text
        seen += page.json()["items"]
        cursor = page.json()["next_cursor"]
        if cursor is None:
            return seen


@pytest.mark.parametrize("way", WAYS)
@pytest.mark.parametrize(("sort", "order"), [("created_at", "desc"), ("due_date", "asc"), ("priority", "desc")])
def test_pages_of_a_search_hold_every_match_once_in_order(make_account, monkeypatch, steps, way, sort, order):
    api = make_account().client
    _a_workspace_of(api, 40)
    budget, limit = WAYS[way]
    monkeypatch.setattr(tasks, "SEARCH_WALK_BUDGET", budget)
    monkeypatch.setattr(tasks, "SEARCH_WALK_LIMIT", limit)

    # The list without q, paged the plain way, is the reference: its matches in its order.
    everything = _walk_pages(api, {"sort": sort, "order": order, "limit": 100})
    expected = [item["id"] for item in everything if "report" in (item["title"] + " " + item["description"]).lower()]
    assert len(expected) == 14
    steps.clear()

    found = _walk_pages(api, {"q": "PORT", "sort": sort, "order": order, "limit": 4})
    assert [item["id"] for item in found] == expected
    taken = "".join(steps)
    if way == "one walk":
        assert set(taken) == {"W"}
    elif way == "a second walk":
        assert "WW" in taken  # a page walked twice
    else:
        assert "T" in taken


@pytest.mark.parametrize("way", WAYS)
def test_other_filters_apply_on_every_way(make_account, monkeypatch, steps, way):
    api = make_account().client
    created = _a_workspace_of(api, 30)
    tag = api.post("/api/tags", json={"name": "home", "color": "#ff8800"}).json()
    for task in created[::2]:
        assert api.put(f"/api/tasks/{task['id']}/tags/{tag['id']}").status_code == 200
    for task in created[::5]:
        api.patch(f"/api/tasks/{task['id']}", json={"completed": True})
    budget, limit = WAYS[way]
    monkeypatch.setattr(tasks, "SEARCH_WALK_BUDGET", budget)
    monkeypatch.setattr(tasks, "SEARCH_WALK_LIMIT", limit)

    expected = [
        task["title"]
        for index, task in reversed(list(enumerate(created)))
        if index % 2 == 0 and index % 5 and "report" in (task["title"] + " " + task["description"]).lower()
    ]
    assert expected
    found = _walk_pages(api, {"q": "report", "tag": tag["id"], "completed": "false", "limit": 2})
    assert [item["title"] for item in found] == expected


def test_a_page_the_walks_cannot_fill_comes_from_the_trigram_step(make_account, monkeypatch, steps):
    api = make_account().client
    _create(api, [{"title": f"task {i}"} for i in range(30)])
    monkeypatch.setattr(tasks, "SEARCH_WALK_BUDGET", 5)

    first = api.get("/api/tasks", params={"q": "task 9", "limit": 2}).json()
    assert [item["title"] for item in first["items"]] == ["task 29", "task 19"]
    # Tasks 29-25: one match, so 2 more are 10 rows away at that rate; 15 walked (24-10): one
    # more match; the trigram step finds the third after task 10.
    assert steps == ["W", "W", "T"]
    steps.clear()
    second = api.get("/api/tasks", params={"q": "task 9", "limit": 2, "cursor": first["next_cursor"]}).json()
    assert [item["title"] for item in second["items"]] == ["task 9"]
    assert second["next_cursor"] is None
    assert steps == ["W", "T"]  # tasks 18-14: no match at all, so straight to the trigram step
    steps.clear()
    assert _titles(api, q="task 13", limit=2) == ["task 13"]
    assert steps == ["W", "T"]


# ---------------------------------------------------------------- the migration


def test_the_migration_applies_to_a_table_with_tasks_and_search_uses_it(empty_database_url, tmp_path: Path):
    for migration in discover():
        if migration.version < "0012":
            (tmp_path / f"{migration.version}.sql").write_text(migration.sql)
    apply_migrations(empty_database_url, tmp_path)
    with psycopg.connect(empty_database_url, autocommit=True, row_factory=dict_row) as conn:
        user = conn.execute(
            "INSERT INTO users (email, password_hash) VALUES ('a@example.com', 'x') RETURNING id"
        ).fetchone()
        assert user is not None
        workspace = conn.execute(
            "INSERT INTO workspaces (name, personal, created_by) VALUES ('Personal', true, %s) RETURNING id::text",
            (user["id"],),
        ).fetchone()
        assert workspace is not None
        conn.execute(
            "INSERT INTO tasks (owner_id, workspace_id, title, description)"
            " SELECT %s, %s, 'task ' || n, CASE WHEN n %% 100 = 0 THEN 'Quarterly REPORT' ELSE '' END"
            " FROM generate_series(1, 2000) AS n",
            (user["id"], workspace["id"]),
        )

    assert apply_migrations(empty_database_url) == [m.version for m in discover() if m.version >= "0012"]

    with psycopg.connect(empty_database_url, autocommit=True, row_factory=dict_row) as conn:
        indexes = {
            row["indexname"] for row in conn.execute("SELECT indexname FROM pg_indexes WHERE tablename = 'tasks'")
        }
        columns = {
            row["column_name"]
            for row in conn.execute("SELECT column_name FROM information_schema.columns WHERE table_name = 'tasks'")
        }
        assert "tasks_text_trgm" in indexes
        assert not {"tasks_search", "tasks_title_trgm"} & indexes
        assert "search" not in columns
        conn.execute("SET enable_seqscan = off")  # on 2,000 rows the planner would rather scan them
        plan = conn.execute(
            f"EXPLAIN SELECT id FROM tasks t WHERE {tasks.SEARCHED_TEXT} LIKE lower(%s)", (tasks.like_pattern("eport"),)
        ).fetchall()
        assert "tasks_text_trgm" in "\n".join(row["QUERY PLAN"] for row in plan)
        rows, cursor = tasks.list_page(conn, workspace["id"], tasks.TaskQuery(q="eport", limit=50))
    assert [row["title"] for row in rows] == [f"task {n}" for n in range(2000, 0, -100)]
    assert cursor is None
