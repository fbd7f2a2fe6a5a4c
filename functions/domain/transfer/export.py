"""Export: every task of the workspaces a caller can read (or of one), with its tags, checklist
and recurrence, as JSON or CSV, produced a page at a time while it is sent.

The pages are keyset pages in (workspace, created, id) order, read in one REPEATABLE READ,
READ ONLY transaction: the file is one consistent snapshot however long it takes to send, and
memory holds one page, not the account. Every page is read through the caller's memberships,
so a membership lost between the request's check and the read shows nothing more.

CSV is written for spreadsheets: a UTF-8 byte order mark (Excel otherwise reads it as the
local code page), CRLF line ends and RFC 4180 quoting, a header row, and every cell that a
spreadsheet would run as a formula (one starting with = + - @, a tab or a carriage return)
prefixed with an apostrophe, as OWASP advises against CSV injection.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterator
from datetime import datetime
from typing import Any, Literal

from functions.platform.db import Connection, Database

ExportFormat = Literal["json", "csv"]
FORMAT_NAME = "taskforge"
FORMAT_VERSION = 1
PAGE = 500
CSV_COLUMNS = (
    "workspace",
    "title",
    "description",
    "completed",
    "priority",
    "due_date",
    "timezone",
    "recurrence",
    "tags",
    "checklist",
    "created_at",
    "completed_at",
)
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
_ZERO = "00000000-0000-0000-0000-000000000000"

_PAGE_SQL = """
SELECT t.id::text AS id, t.workspace_id::text AS workspace_id, w.name AS workspace, t.title, t.description,
       t.completed, t.priority, t.due_date, t.timezone, t.recurrence, t.created_at, t.completed_at,
       COALESCE((SELECT json_agg(json_build_object('name', g.name, 'color', g.color) ORDER BY lower(g.name), g.id)
                 FROM task_tags tt JOIN tags g ON g.id = tt.tag_id WHERE tt.task_id = t.id), '[]'::json) AS tags,
       COALESCE((SELECT json_agg(json_build_object('text', c.text, 'done', c.done) ORDER BY c.position, c.id)
                 FROM checklist_items c WHERE c.task_id = t.id), '[]'::json) AS checklist
FROM tasks t
JOIN memberships m ON m.workspace_id = t.workspace_id AND m.user_id = %(user)s
JOIN workspaces w ON w.id = t.workspace_id
WHERE (%(only)s::uuid IS NULL OR t.workspace_id = %(only)s::uuid)
  AND (t.workspace_id, t.created_at, t.id)
      > (%(after_workspace)s::uuid, %(after_created)s::timestamptz, %(after_id)s::uuid)
ORDER BY t.workspace_id, t.created_at, t.id
LIMIT %(page)s
"""


def filename(format: ExportFormat, now: datetime) -> str:
    return f"taskforge-{now.date().isoformat()}.{format}"


def content_type(format: ExportFormat) -> str:
    return "application/json; charset=utf-8" if format == "json" else "text/csv; charset=utf-8"


def stream(
    database: Database, user_id: str, workspace_id: str | None, format: ExportFormat, now: datetime
) -> Iterator[str]:
    """The file, in chunks of about one page each. The caller has checked that `user_id` may
    read `workspace_id` (None: every workspace the caller belongs to)."""
    tasks = _tasks(database, user_id, workspace_id)
    return _json(tasks, now) if format == "json" else _csv(tasks)


def _tasks(database: Database, user_id: str, workspace_id: str | None) -> Iterator[list[dict[str, Any]]]:
    with database.begun() as conn:
        conn.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
        after: tuple[str, Any, str] = (_ZERO, "-infinity", _ZERO)
        while True:
            rows = _page(conn, user_id, workspace_id, after)
            if rows:
                yield rows
            if len(rows) < PAGE:
                return
            last = rows[-1]
            after = (last["workspace_id"], last["created_at"], last["id"])


def _page(
    conn: Connection, user_id: str, workspace_id: str | None, after: tuple[str, Any, str]
) -> list[dict[str, Any]]:
    return conn.execute(
        _PAGE_SQL,
        {
            "user": user_id,
            "only": workspace_id,
            "after_workspace": after[0],
            "after_created": after[1],
            "after_id": after[2],
            "page": PAGE,
        },
    ).fetchall()


def exported(row: dict[str, Any]) -> dict[str, Any]:
    """A task as the JSON export holds it (and the JSON import reads it back)."""
    return {
        "workspace": row["workspace"],
        "title": row["title"],
        "description": row["description"],
        "completed": row["completed"],
        "priority": row["priority"],
        "due_date": _instant(row["due_date"]),
        "timezone": row["timezone"],
        "recurrence": row["recurrence"],
        "tags": row["tags"],
        "checklist": row["checklist"],
        "created_at": _instant(row["created_at"]),
        "completed_at": _instant(row["completed_at"]),
    }


def _json(pages: Iterator[list[dict[str, Any]]], now: datetime) -> Iterator[str]:
    yield json.dumps({"format": FORMAT_NAME, "version": FORMAT_VERSION, "exported_at": now.isoformat()})[:-1]
    yield ', "tasks": ['
    first = True
    for rows in pages:
        chunk = ",\n".join(json.dumps(exported(row), ensure_ascii=False) for row in rows)
        yield chunk if first else ",\n" + chunk
        first = False
    yield "]}\n"


def _csv(pages: Iterator[list[dict[str, Any]]]) -> Iterator[str]:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")  # QUOTE_MINIMAL with doubled quotes: RFC 4180
    buffer.write("\ufeff")
    writer.writerow(CSV_COLUMNS)
    yield _drain(buffer)
    for rows in pages:
        for row in rows:
            writer.writerow([neutralised(cell) for cell in _cells(row)])
        yield _drain(buffer)


def _cells(row: dict[str, Any]) -> list[str]:
    checklist = "\n".join(f"[{'x' if item['done'] else ' '}] {item['text']}" for item in row["checklist"])
    return [
        row["workspace"],
        row["title"],
        row["description"],
        "true" if row["completed"] else "false",
        str(row["priority"]),
        _instant(row["due_date"]) or "",
        row["timezone"] or "",
        row["recurrence"] or "",
        ", ".join(tag["name"] for tag in row["tags"]),
        checklist,
        _instant(row["created_at"]) or "",
        _instant(row["completed_at"]) or "",
    ]


def neutralised(cell: str) -> str:
    """A cell no spreadsheet runs as a formula: one that would be is prefixed with an apostrophe."""
    return "'" + cell if cell.startswith(_FORMULA_STARTS) else cell


def _drain(buffer: io.StringIO) -> str:
    text = buffer.getvalue()
    buffer.seek(0)
    buffer.truncate()
    return text


def _instant(value: datetime | None) -> str | None:
    return value.isoformat() if value is not None else None
