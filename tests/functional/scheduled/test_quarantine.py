"""What an operator does with a quarantined row: list it, and release it once the cause is
fixed (python -m functions.domain.reminders.quarantine)."""

from __future__ import annotations

import psycopg

from functions.domain.reminders import quarantine


def test_a_released_event_is_published_with_its_own_id_and_recorded_once(
    make_account, relay, broker_answers, api_database, capsys
):
    api = make_account().client
    broker_answers["held"] = 422
    api.post("/api/tasks", json={"title": "held"})
    relay()
    with psycopg.connect(api_database) as conn:
        event_id, row_id = conn.execute(
            "SELECT event_id::text, id FROM outbox WHERE data->>'title' = 'held'"
        ).fetchone()

    assert quarantine.main(["list"]) == 0
    listed = [line.split("\t") for line in capsys.readouterr().out.splitlines()]
    assert ["event", str(row_id)] in [line[:2] for line in listed]
    broker_answers.clear()  # the cause is fixed
    assert quarantine.main(["release", "event", str(row_id)]) == 0
    relay()
    relay()

    items = api.get("/api/activity").json()["items"]
    assert [(item["id"], item["data"]["title"]) for item in items] == [(event_id, "held")]
    assert quarantine.main(["release", "event", str(row_id)]) == 1  # nothing quarantined under that id now


def test_the_command_says_how_to_use_it(capsys):
    assert quarantine.main([]) == 2
    assert quarantine.main(["release", "task", "x"]) == 2
    assert "usage" in capsys.readouterr().err
