"""Migrations apply once, in order, and refuse an edited history."""

import threading

import psycopg
import pytest

from functions.taskforge.migrate import MigrationError, apply_migrations, discover


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
