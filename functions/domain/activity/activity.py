"""The activity feed: the outbox's events stored in DynamoDB, newest first per workspace and
per task.

What an entry shows is decided when it is read, for whoever reads it: whether its task has
been deleted since (`task_deleted`, and the summary says so), and the current name of a tag
and text of a checklist item it names, while the reader may see them (an event stores their
ids only: outbox.py says why); a generic word ("a tag", "an item") otherwise.
"""

from __future__ import annotations

import json
import logging
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

from pynamodb.exceptions import PynamoDBException

from functions.catalog import EVENT_PREFIX
from functions.platform.db import Connection
from functions.platform.dynamo import activity_model
from functions.platform.errors import BadRequest, ServiceUnavailable
from functions.platform.http import INVALID_CURSOR, decode_cursor, encode_cursor
from functions.platform.settings import Settings

logger = logging.getLogger(__name__)

# How the feed words each event (catalog.EVENT_TYPES), from the actor's side. The fields:
# {title} the task's title, quoted; {tag} "the tag “name”" or "a tag"; {item} the item's
# text, quoted, or "an item"; {member} who joined, changed role or left; {role} with its article.
SUMMARIES: dict[str, str] = {
    EVENT_PREFIX + kind: words
    for kind, words in {
        "task.created": "created {title}",
        "task.updated": "changed {title}",
        "task.completed": "completed {title}",
        "task.reopened": "reopened {title}",
        "task.deleted": "deleted {title}",
        "task.skipped": "skipped an occurrence of {title}",
        "tag.created": "created {tag}",
        "tag.updated": "changed {tag}",
        "tag.deleted": "deleted {tag}",
        "tag.attached": "added {tag} to {title}",
        "tag.detached": "removed {tag} from {title}",
        "checklist.added": "added {item} to the checklist of {title}",
        "checklist.changed": "changed {item} in the checklist of {title}",
        "checklist.checked": "checked {item} on {title}",
        "checklist.unchecked": "unchecked {item} on {title}",
        "checklist.removed": "removed {item} from the checklist of {title}",
        "member.joined": "joined as {role}",
        "member.changed": "made {member} {role}",
        "member.removed": "removed {member}",
        "member.left": "left the workspace",
        "invitation.sent": "invited someone as {role}",
        "invitation.revoked": "revoked an invitation",
    }.items()
}
_ARTICLES = {"owner": "an owner", "editor": "an editor", "viewer": "a viewer"}
TASK_DELETED = EVENT_PREFIX + "task.deleted"


def describe(event_type: str, detail: dict[str, Any], tag: str | None = None, item: str | None = None) -> str:
    """The entry's summary: its event worded, with the tag's name and the item's text when
    the reader may see them."""
    template = SUMMARIES.get(event_type) or event_type.rsplit(".", 1)[-1] + " {title}"
    role = detail.get("role")
    return template.format_map(
        {
            "title": f"“{detail.get('title', '')}”",
            "tag": f"the tag “{tag}”" if tag is not None else "a tag",
            "item": f"“{item}”" if item is not None else "an item",
            "member": detail.get("member") or "someone",
            "role": _ARTICLES.get(role, role or "a member") if isinstance(role, str) else "a member",
        }
    )


def store(settings: Settings, event: dict[str, Any]) -> None:
    """Stores one event (an EventBridge-shaped event from the broker). Storing the same event
    again writes the same item: redelivery cannot duplicate it."""
    model: Any = activity_model(settings)
    detail = event["detail"]
    # The CloudEvent's own time keeps microseconds; EventBridge's "time" has whole seconds.
    time = _utc_iso(event.get("cloudevent", {}).get("time") or event["time"])
    model(
        detail["workspace_id"],
        f"{time}#{event['id']}",
        # The per-task index's key. An event of the workspace itself (a tag made, a member
        # joined) is indexed under the workspace's id, which names no task: DynamoDB takes no
        # empty key, and no task's feed reads it.
        task_id=detail.get("task_id") or detail["workspace_id"],
        event_id=event["id"],
        type=event["detail-type"],
        actor_id=detail.get("actor_id"),
        summary=describe(event["detail-type"], detail),
        data=json.dumps(detail),
        expires=datetime.now(UTC) + timedelta(days=settings.activity_retention_days),
    ).save()


# A page's cursor is DynamoDB's last evaluated key: exactly the key attributes of what was
# queried (the index's and the table's for the per-task index), each a string.
_TABLE_KEY = frozenset({"workspace_id", "sort_key"})
_TASK_INDEX_KEY = frozenset({"task_id", "sort_key", "workspace_id"})


def page(
    settings: Settings,
    *,
    workspace_id: str | None = None,
    task_id: str | None = None,
    limit: int = 50,
    cursor: str | None = None,
) -> tuple[list[dict[str, Any]], str | None]:
    model: Any = activity_model(settings)
    if task_id is not None:
        start = _decode(cursor, _TASK_INDEX_KEY, "task_id", task_id) if cursor else None
        results = model.by_task.query(task_id, scan_index_forward=False, limit=limit, last_evaluated_key=start)
    else:
        start = _decode(cursor, _TABLE_KEY, "workspace_id", workspace_id) if cursor else None
        results = model.query(workspace_id, scan_index_forward=False, limit=limit, last_evaluated_key=start)
    try:  # the query runs as its results are read
        items = [_entry(record) for record in results]
    except PynamoDBException as exc:
        logger.warning("the activity feed could not be read: %s", exc)
        raise ServiceUnavailable("the activity feed is unavailable; retry shortly") from None
    last = results.last_evaluated_key
    return items, encode_cursor(last) if last and len(items) == limit else None


def _entry(record: Any) -> dict[str, Any]:
    data = json.loads(record.data)
    return {
        "id": record.event_id,
        "type": record.type,
        "task_id": data.get("task_id"),
        "actor_id": record.actor_id,
        "summary": record.summary,
        "time": record.sort_key.split("#", 1)[0],
        "data": data,
    }


def as_read_by(conn: Connection, reader_id: str, items: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The entries as `reader_id` is shown them now: each marked when its task has been deleted
    since, and worded with the current name of the tag and text of the item it names while the
    reader may see them (its workspace's member, they still exist); otherwise the ids are left
    out of its data and the words are generic."""
    tags = _visible(conn, reader_id, _ids(items, "tag_id"), _TAG_NAMES)
    texts = _visible(conn, reader_id, _ids(items, "item_id"), _ITEM_TEXTS)
    task_ids = _ids(items, "task_id")
    existing = {row["id"] for row in conn.execute(_TASKS, (task_ids,)).fetchall()} if task_ids else set()
    shown = []
    for item in items:
        data = dict(item["data"])
        tag = tags.get(data.get("tag_id", ""))
        text = texts.get(data.get("item_id", ""))
        if tag is None:
            data.pop("tag_id", None)
        if text is None:
            data.pop("item_id", None)
        deleted = item["task_id"] is not None and item["task_id"] not in existing
        summary = describe(item["type"], data, tag, text)
        if deleted and item["type"] != TASK_DELETED:  # that one says so already
            summary += " (task deleted)"
        shown.append({**item, "summary": summary, "data": data, "task_deleted": deleted})
    return shown


_TASKS = "SELECT id::text AS id FROM tasks WHERE id = ANY(%s::uuid[])"
_TAG_NAMES = (
    "SELECT g.id::text AS id, g.name AS shown FROM tags g"
    " JOIN memberships m ON m.workspace_id = g.workspace_id AND m.user_id = %s WHERE g.id = ANY(%s::uuid[])"
)
_ITEM_TEXTS = (
    "SELECT c.id::text AS id, c.text AS shown FROM checklist_items c JOIN tasks t ON t.id = c.task_id"
    " JOIN memberships m ON m.workspace_id = t.workspace_id AND m.user_id = %s WHERE c.id = ANY(%s::uuid[])"
)


def _ids(items: list[dict[str, Any]], name: str) -> list[str]:
    found = {item["data"].get(name) for item in items}
    return sorted(value for value in found if isinstance(value, str) and _is_uuid(value))


def _visible(conn: Connection, reader_id: str, ids: list[str], statement: str) -> dict[str, str]:
    if not ids:
        return {}
    return {row["id"]: row["shown"] for row in conn.execute(statement, (reader_id, ids)).fetchall()}


def _is_uuid(value: str) -> bool:
    try:
        uuid.UUID(value)
    except ValueError:
        return False
    return True


def _utc_iso(value: str) -> str:
    moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def _decode(cursor: str, attributes: frozenset[str], partition: str, partition_value: str | None) -> dict[str, Any]:
    """The start key a cursor stands for, when it is one this query could have handed out:
    anything else would reach DynamoDB and fail there (a 500), or start in another partition."""
    refused = BadRequest(INVALID_CURSOR)
    key = decode_cursor(cursor)
    if not isinstance(key, dict) or set(key) != attributes:
        raise refused
    for value in key.values():
        if not (isinstance(value, dict) and set(value) == {"S"} and isinstance(value["S"], str) and value["S"]):
            raise refused
    if key[partition]["S"] != partition_value:
        raise refused
    return key
