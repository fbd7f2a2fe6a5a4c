"""Migrations apply once, in order, and refuse an edited history."""

import threading

import psycopg
import pytest

from functions.platform.migrate import MigrationError, apply_migrations, discover


def test_a_fresh_database_gets_every_migration_once(empty_database_url):
    versions = [m.version for m in discover()]

    assert apply_migrations(empty_database_url) == versions
    assert apply_migrations(empty_database_url) == []
    with psycopg.connect(empty_database_url) as conn:
        recorded = [row[0] for row in conn.execute("SELECT version FROM schema_migrations ORDER BY version")]
        extensions = {row[0] for row in conn.execute("SELECT extname FROM pg_extension")}
    assert recorded == versions
    assert {"citext", "pg_trgm"} <= extensions


def test_two_runners_at_once_apply_each_migration_once(empty_database_url):
    results: list[list[str]] = []
    barrier = threading.Barrier(2, timeout=10)

    def run():
        barrier.wait()
        results.append(apply_migrations(empty_database_url))

    threads = [threading.Thread(target=run) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert sorted(len(result) for result in results) == [0, len(discover())]


def test_a_migration_edited_after_it_was_applied_is_refused(empty_database_url, tmp_path):
    (tmp_path / "0001_first.sql").write_text("CREATE TABLE first (id int);")
    apply_migrations(empty_database_url, tmp_path)
    (tmp_path / "0001_first.sql").write_text("CREATE TABLE first (id bigint);")

    with pytest.raises(MigrationError, match="changed after it was applied"):
        apply_migrations(empty_database_url, tmp_path)


def test_a_failing_migration_leaves_nothing_half_applied(empty_database_url, tmp_path):
    (tmp_path / "0001_good.sql").write_text("CREATE TABLE good (id int);")
    (tmp_path / "0002_bad.sql").write_text("CREATE TABLE half (id int); SELECT no_such_function();")

    with pytest.raises(psycopg.Error):
        apply_migrations(empty_database_url, tmp_path)

    with psycopg.connect(empty_database_url) as conn:
        tables = {row[0] for row in conn.execute("SELECT tablename FROM pg_tables WHERE schemaname = 'public'")}
        versions = [row[0] for row in conn.execute("SELECT version FROM schema_migrations")]
    assert "good" in tables
    assert "half" not in tables
    assert versions == ["0001_good"]


def test_two_migrations_with_one_number_are_refused(tmp_path):
    (tmp_path / "0001_a.sql").write_text("SELECT 1;")
    (tmp_path / "0001_b.sql").write_text("SELECT 1;")
    with pytest.raises(MigrationError, match="share a number"):
        discover(tmp_path)


def _migrate_up_to(url: str, last: str, directory) -> None:
    for migration in discover():
        if migration.version <= last:
            (directory / f"{migration.version}.sql").write_text(migration.sql)
    apply_migrations(url, directory)


def test_0007_repairs_out_of_range_instants_then_refuses_them(empty_database_url, tmp_path):
    _migrate_up_to(empty_database_url, "0006_completion_history", tmp_path)
    with psycopg.connect(empty_database_url, autocommit=True) as conn:
        # Rows as the API let them through before: written directly, around it.
        user = conn.execute(
            "INSERT INTO users (email, password_hash) VALUES ('a@example.com', 'x') RETURNING id"
        ).fetchone()[0]
        workspace = conn.execute(
            "INSERT INTO workspaces (name, personal, created_by) VALUES ('P', true, %s) RETURNING id", (user,)
        ).fetchone()[0]

        def task(due: str | None, **series: str) -> str:
            return conn.execute(
                "INSERT INTO tasks (owner_id, workspace_id, title, due_date, recurrence, timezone, series_start,"
                " occurrence_local) VALUES (%s, %s, 't', %s::timestamptz, %s, %s, %s::timestamp, %s::timestamp)"
                " RETURNING id::text",
                (
                    user,
                    workspace,
                    due,
                    series.get("rule"),
                    series.get("zone"),
                    series.get("start"),
                    series.get("start"),
                ),
            ).fetchone()[0]

        def reminder(task_id: str, at: str | None = None, before_due: str | None = None, **times: str) -> str:
            return conn.execute(
                "INSERT INTO reminders (task_id, user_id, at, before_due, scheduled_at, occurrence, fire_at)"
                " VALUES (%s, %s, %s::timestamptz, %s::interval, %s::timestamptz, %s::timestamptz, %s::timestamptz)"
                " RETURNING id::text",
                (
                    task_id,
                    user,
                    at,
                    before_due,
                    times.get("scheduled"),
                    times.get("occurrence"),
                    times.get("scheduled"),
                ),
            ).fetchone()[0]

        year_one = task("0001-01-01 00:00:00+00")
        year_9999 = task(
            "9999-12-31 23:59:59-14", rule="FREQ=DAILY", zone="Pacific/Kiritimati", start="9999-12-31 23:59:59"
        )
        sane = task("2031-01-01 00:00:00+00")
        undated = task(None)
        before_year_one = reminder(
            year_one, before_due="1 day", scheduled="0001-12-31 00:00:00+00 BC", occurrence="0001-01-01 00:00:00+00"
        )
        absolute = reminder(
            undated,
            at="0001-01-01 00:00:00+00",
            scheduled="0001-01-01 00:00:00+00",
            occurrence="0001-01-01 00:00:00+00",
        )
        uncomputable = reminder(
            sane, before_due="100 years", scheduled="1931-01-01 00:00:00+00", occurrence="2031-01-01 00:00:00+00"
        )
        fine = reminder(
            sane, before_due="1 day", scheduled="2030-12-31 00:00:00+00", occurrence="2031-01-01 00:00:00+00"
        )
        conn.execute(
            "INSERT INTO task_occurrences (task_id, due_date, outcome) VALUES (%s, '0001-01-01Z', 'skipped')",
            (year_9999,),
        )

    apply_migrations(empty_database_url)

    with psycopg.connect(empty_database_url, autocommit=True) as conn:
        conn.execute("SET TIME ZONE 'UTC'")
        tasks = dict(conn.execute("SELECT id::text, (due_date::text, occurrence_local::text, version) FROM tasks"))
        assert tasks[year_one] == ("1970-01-01 00:00:00+00", None, "2")
        assert tasks[year_9999] == ("9000-12-31 23:59:59.999999+00", "9001-01-01 23:59:59.999999", "2")
        assert tasks[sane] == ("2031-01-01 00:00:00+00", None, "1")  # untouched
        assert tasks[undated] == (None, None, "1")
        occurrence = conn.execute("SELECT due_date::text FROM task_occurrences").fetchone()[0]
        assert occurrence == "1970-01-01 00:00:00+00"
        reminders = {
            row[0]: row[1:]
            for row in conn.execute(
                "SELECT id::text, status, quarantined_at IS NOT NULL, last_error, fire_at, before_due::text"
                " FROM reminders"
            )
        }
        for quarantined in (before_year_one, absolute, uncomputable):
            status, has_time, error, fire_at, _ = reminders[quarantined]
            assert (status, has_time, fire_at) == ("quarantined", True, None)
            assert error.startswith("migration 0007: out of range")
        assert "0001-12-31 00:00:00+00 BC" in reminders[before_year_one][2]  # the old values, for the operator
        assert reminders[uncomputable][4] == "30 days"
        assert reminders[fine][:2] == ("pending", False)

        # From now on the database refuses what the API refuses.
        for statement in (
            "UPDATE tasks SET due_date = '0001-01-01Z' WHERE id = %s",
            "UPDATE tasks SET due_date = '9001-01-01Z' WHERE id = %s",
            "UPDATE tasks SET occurrence_local = '0001-01-01' WHERE id = %s",
            "UPDATE reminders SET fire_at = '0001-01-01Z' WHERE task_id = %s",
            "UPDATE reminders SET before_due = '31 days' WHERE task_id = %s",
            "INSERT INTO task_occurrences (task_id, due_date, outcome) VALUES (%s, '0001-01-01Z', 'skipped')",
        ):
            with pytest.raises(psycopg.errors.CheckViolation):
                conn.execute(statement, (sane,))
