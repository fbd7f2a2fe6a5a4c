"""Reading an import file into tasks, or into the list of what is wrong with it and where.

Nothing here touches the database: a file is read whole, and either every task in it is
valid (as the API would take it, recurrence included) or the import is refused with every
problem found, each with its line.
"""

from __future__ import annotations

import csv
import io
import json
import re
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from typing import Any

from pydantic import ValidationError

from functions.domain.tasks import recurrence
from functions.domain.transfer import export
from functions.domain.transfer.models import MAX_IMPORT_TASKS, ImportedTask, ImportFormat, ImportProblem
from functions.platform.errors import DomainError

# A date without a time is due at the end of that day: not overdue while the day lasts.
END_OF_DAY = time(23, 59)

# Todoist's PRIORITY is its API's number, the reverse of what its apps show: 4 is p1 (urgent),
# 1 is p4 (no priority). p1, p2 and p3 keep their number here; p4 becomes our default, 2.
TODOIST_PRIORITIES = {"4": 1, "3": 2, "2": 3, "1": 2, "": 2}
_LABEL = re.compile(r"(?:^|\s)@([^\s@]+)")
_WEEKDAYS = {
    "mo": "MO", "mon": "MO", "monday": "MO",
    "tu": "TU", "tue": "TU", "tues": "TU", "tuesday": "TU",
    "we": "WE", "wed": "WE", "wednesday": "WE",
    "th": "TH", "thu": "TH", "thur": "TH", "thurs": "TH", "thursday": "TH",
    "fr": "FR", "fri": "FR", "friday": "FR",
    "sa": "SA", "sat": "SA", "saturday": "SA",
    "su": "SU", "sun": "SU", "sunday": "SU",
}  # fmt: skip
_UNITS = {"day": "DAILY", "week": "WEEKLY", "month": "MONTHLY", "year": "YEARLY"}
_TIME = re.compile(r"^(?:at\s+)?(\d{1,2})(?::(\d{2}))?\s*(am|pm)?$")
_ABSOLUTE_FORMATS = ("%Y-%m-%d", "%b %d %Y", "%d %b %Y", "%B %d %Y", "%d %B %Y", "%m/%d/%Y")


@dataclass(frozen=True)
class Read:
    """A file's tasks with the line each starts on, or what is wrong with it."""

    tasks: list[tuple[int, ImportedTask]]
    problems: list[ImportProblem]


class Unreadable(ValueError):
    """A cell whose meaning cannot be read; its message says why and what would do."""


def read(format: ImportFormat, content: str, default_timezone: str, today: datetime) -> Read:
    """`today` is now, aware: where a repeating Todoist date's first occurrence is looked for."""
    content = content.removeprefix("\ufeff")
    found = _taskforge_json(content) if format == "taskforge-json" else _todoist_csv(content, default_timezone, today)
    if len(found.tasks) > MAX_IMPORT_TASKS:
        detail = f"the file holds {len(found.tasks)} tasks; import at most {MAX_IMPORT_TASKS} at once"
        return Read([], [ImportProblem(line=0, detail=detail)])
    problems = found.problems + [
        ImportProblem(line=line, detail=why)
        for line, task in found.tasks
        if (why := _series_problem(task, default_timezone))
    ]
    if problems:
        return Read([], sorted(problems, key=lambda problem: problem.line))
    return found


def series(task: ImportedTask, default_timezone: str) -> tuple[str | None, str, datetime | None, datetime | None]:
    """(recurrence, timezone, series_start, occurrence_local), as a task created by the API gets them."""
    timezone = task.timezone or default_timezone
    recurrence.zone(timezone)
    if not task.recurrence:
        return None, timezone, None, None
    if task.due_date is None:
        raise Unreadable("a repeating task needs a due date: its first occurrence")
    start = recurrence.local(task.due_date, timezone)
    return recurrence.normalise(task.recurrence, timezone, start), timezone, start, start


def _series_problem(task: ImportedTask, default_timezone: str) -> str | None:
    try:
        series(task, default_timezone)
    except (DomainError, Unreadable) as problem:
        return problem.detail if isinstance(problem, DomainError) else str(problem)
    return None


def _taskforge_json(content: str) -> Read:
    try:
        document = json.loads(content)
    except (ValueError, RecursionError):
        return _refused("the file is not JSON; choose a TaskForge JSON export")
    if not (isinstance(document, dict) and document.get("format") == export.FORMAT_NAME):
        return _refused('the file is not a TaskForge export: it has no "format": "taskforge"')
    if document.get("version") != export.FORMAT_VERSION or not isinstance(document.get("tasks"), list):
        return _refused(f"this export's version is not one this server reads (version {export.FORMAT_VERSION})")
    tasks: list[tuple[int, ImportedTask]] = []
    problems: list[ImportProblem] = []
    for number, item in enumerate(document["tasks"], start=1):
        try:
            tasks.append((number, ImportedTask.model_validate(item)))
        except ValidationError as invalid:
            problems.append(ImportProblem(line=number, detail=_explained(invalid)))
    return Read(tasks, problems)


def _todoist_csv(content: str, default_timezone: str, today: datetime) -> Read:
    reader = csv.reader(io.StringIO(content, newline=""), strict=True)
    try:
        header = [name.strip().upper() for name in next(reader, [])]
    except csv.Error as exc:
        return _refused(f"the header row is not CSV: {exc}")
    if "TYPE" not in header or "CONTENT" not in header:
        return _refused("not a Todoist CSV export: its header row must name TYPE and CONTENT")
    tasks: list[tuple[int, dict[str, Any]]] = []
    problems: list[ImportProblem] = []
    line = reader.line_num + 1
    while True:
        try:
            cells = next(reader)
        except StopIteration:
            break
        except csv.Error as exc:
            problems.append(ImportProblem(line=line, detail=f"not valid CSV: {exc}"))
            break
        # A quoted cell keeps the file's line ends; ours are \n.
        cells = [cell.replace("\r\n", "\n").strip() for cell in cells]
        row = {name: (cells[index] if index < len(cells) else "") for index, name in enumerate(header)}
        try:
            _todoist_row(row, tasks, line, default_timezone, today)
        except Unreadable as problem:
            problems.append(ImportProblem(line=line, detail=str(problem)))
        line = reader.line_num + 1
    read_tasks: list[tuple[int, ImportedTask]] = []
    for start, fields in tasks:
        try:
            read_tasks.append((start, ImportedTask.model_validate(fields)))
        except ValidationError as invalid:
            problems.append(ImportProblem(line=start, detail=_explained(invalid)))
    return Read(read_tasks, sorted(problems, key=lambda problem: problem.line))


def _todoist_row(
    row: dict[str, str], tasks: list[tuple[int, dict[str, Any]]], line: int, default_timezone: str, today: datetime
) -> None:
    """Adds what one row says: a task, a sub-task (our checklist item), a comment (appended to
    its task's description); sections and the view's meta rows carry no task."""
    kind = row.get("TYPE", "").lower()
    text = row.get("CONTENT", "")
    if kind in ("section", "meta") or not any(row.values()):
        return
    if kind == "note":
        if not tasks:
            raise Unreadable("a note (comment) comes before any task")
        fields = tasks[-1][1]
        fields["description"] = "\n\n".join(filter(None, [fields["description"], text]))
        return
    if kind != "task":
        raise Unreadable(f"TYPE {row.get('TYPE')!r} is not task, section, note or meta")
    indent = row.get("INDENT", "") or "1"
    if not indent.isdigit() or int(indent) < 1:
        raise Unreadable(f"INDENT {indent!r} is not 1, 2, 3 or 4")
    labels = _LABEL.findall(text)
    title = _LABEL.sub("", text).strip()
    if int(indent) > 1:
        if not tasks:
            raise Unreadable("a sub-task (INDENT above 1) comes before any task")
        tasks[-1][1]["checklist"].append({"text": title or text, "done": False})
        return
    priority = row.get("PRIORITY", "")
    if priority not in TODOIST_PRIORITIES:
        raise Unreadable(f"PRIORITY {priority!r} is not 1, 2, 3 or 4 (4 is p1, the most urgent)")
    timezone = row.get("TIMEZONE") or default_timezone
    try:
        recurrence.zone(timezone)
    except DomainError:
        raise Unreadable(f"TIMEZONE {timezone!r} is not an IANA time zone such as Europe/Berlin") from None
    due, rule = todoist_date(row.get("DATE", ""), timezone, today)
    tasks.append(
        (
            line,
            {
                "title": title,
                "description": row.get("DESCRIPTION", ""),
                "priority": TODOIST_PRIORITIES[priority],
                "due_date": due,
                "recurrence": rule,
                "timezone": timezone,
                "tags": [{"name": label} for label in dict.fromkeys(labels)],
                "checklist": [],
            },
        )
    )


def todoist_date(text: str, timezone: str, today: datetime) -> tuple[datetime | None, str | None]:
    """A Todoist DATE cell as (due instant, RRULE): an absolute date (as an export without
    relative dates writes it), with or without a time, or a repeating "every …" phrase, whose
    first occurrence from `today` is the due date. Anything else: Unreadable."""
    phrase = " ".join(text.lower().replace(",", " , ").split())
    if not phrase:
        return None, None
    if phrase.startswith("every ") or phrase in ("daily", "weekly", "monthly", "yearly"):
        return _repeating(phrase, timezone, today)
    moment = _absolute(phrase)
    if moment is None:
        raise Unreadable(
            f"DATE {text!r} is not a date this import reads: export from Todoist without relative"
            ' dates (2024-01-31, Jan 31 2024, optionally with a time) or use an "every …" phrase'
        )
    return recurrence.instant(moment, timezone), None


def _absolute(phrase: str) -> datetime | None:
    try:
        moment = datetime.fromisoformat(
            phrase.replace(" ", "T", 1) if re.match(r"^\d{4}-\d\d-\d\d \d", phrase) else phrase
        )
    except ValueError:
        moment = None
    if moment is not None:
        if moment.tzinfo is not None:
            return None  # an instant with its offset: read below as wall-clock time would be wrong
        return moment if ("t" in phrase or ":" in phrase) else datetime.combine(moment.date(), END_OF_DAY)
    words = phrase.replace(" ,", "").split()
    for cut in range(len(words), 0, -1):
        day_part, time_part = " ".join(words[:cut]), " ".join(words[cut:])
        for pattern in _ABSOLUTE_FORMATS:
            try:
                day = datetime.strptime(day_part, pattern)
            except ValueError:
                continue
            at = _time_of_day(time_part) if time_part else END_OF_DAY
            return datetime.combine(day.date(), at) if at is not None else None
    return None


def _time_of_day(text: str) -> time | None:
    found = _TIME.match(text.strip())
    if found is None:
        return None
    hour, minute, half = int(found[1]), int(found[2] or 0), found[3]
    if half:
        if not 1 <= hour <= 12:
            return None
        hour = hour % 12 + (12 if half == "pm" else 0)
    return time(hour, minute) if hour < 24 and minute < 60 else None


def _repeating(phrase: str, timezone: str, today: datetime) -> tuple[datetime, str]:
    unreadable = Unreadable(
        f"DATE {phrase!r}: a repeating date this import reads is every day, every weekday, every"
        " week, every 2 weeks, every month, every year or every monday, wednesday …, optionally"
        " with a time (every monday at 9am)"
    )
    words = phrase.removeprefix("every ").split()
    at = END_OF_DAY
    for size in (2, 1):  # a trailing time: "at 9am", "9:30", "5 pm"
        if len(words) > size and (found := _time_of_day(" ".join(words[-size:]))) is not None:
            at, words = found, words[:-size]
            break
    body = " ".join(word for word in words if word not in (",", "and"))
    if phrase in ("daily", "weekly", "monthly", "yearly"):
        body = {"daily": "day", "weekly": "week", "monthly": "month", "yearly": "year"}[phrase]
    rule: str | None = None
    if body in ("weekday", "workday"):
        rule = "FREQ=WEEKLY;BYDAY=MO,TU,WE,TH,FR"
    elif (counted := re.fullmatch(r"(\d{1,3})?\s*(day|week|month|year)s?", body)) is not None:
        interval = int(counted[1] or 1)
        rule = f"FREQ={_UNITS[counted[2]]}" + (f";INTERVAL={interval}" if interval > 1 else "")
    elif body and all(day in _WEEKDAYS for day in body.split()):
        rule = "FREQ=WEEKLY;BYDAY=" + ",".join(dict.fromkeys(_WEEKDAYS[day] for day in body.split()))
    if rule is None:
        raise unreadable
    start = datetime.combine(recurrence.local(today, timezone).date(), at)
    if start < recurrence.local(today, timezone):
        start += timedelta(days=1)  # today's time has passed: the series starts from tomorrow
    first = recurrence.first_from(rule, timezone, start)
    if first is None:
        raise unreadable
    return recurrence.instant(first, timezone), rule


def _refused(detail: str) -> Read:
    return Read([], [ImportProblem(line=1, detail=detail)])


def _explained(invalid: ValidationError) -> str:
    """Pydantic's errors as one sentence a person can act on (never the value: it may be long)."""
    return "; ".join(
        f"{'.'.join(str(part) for part in error['loc']) or 'task'}: {error['msg']}" for error in invalid.errors()
    )
