"""Powertools Idempotency records in PostgreSQL.

The records live in PostgreSQL, not Redis: a cache may evict a key under memory
pressure, and an evicted record lets a retried request run its side effects twice.

Each operation is one statement in a transaction of its own, committed before the
method returns, so the in-progress record is visible to every other request before the
handler runs. Timestamps come from this process's clock, as Powertools computes and
compares them there (as its DynamoDB layer does).
"""

from __future__ import annotations

import time
from typing import Any

from aws_lambda_powertools.utilities.idempotency.exceptions import (
    IdempotencyItemAlreadyExistsError,
    IdempotencyItemNotFoundError,
)
from aws_lambda_powertools.utilities.idempotency.persistence.base import BasePersistenceLayer
from aws_lambda_powertools.utilities.idempotency.persistence.datarecord import DataRecord

from functions.platform.db import Connection, Database

# Claims the key unless a live record holds it. A record holds its key until `expiry`
# (epoch seconds), except an INPROGRESS one whose `in_progress_expiry` (epoch millis, the
# invocation's deadline) has passed: that invocation died without cleaning up. An
# INPROGRESS record without a deadline holds its key until `expiry`. Concurrent claims of
# one key queue on its row and re-check the condition, so at most one of them succeeds.
_CLAIM = """
INSERT INTO idempotency_records AS r (id, status, expiry, in_progress_expiry, payload_hash, response_data)
VALUES (%(id)s, %(status)s, %(expiry)s, %(in_progress_expiry)s, %(payload_hash)s, %(response_data)s)
ON CONFLICT (id) DO UPDATE SET
    status = excluded.status, expiry = excluded.expiry, in_progress_expiry = excluded.in_progress_expiry,
    payload_hash = excluded.payload_hash, response_data = excluded.response_data
WHERE r.expiry < %(now)s
   OR (r.status = 'INPROGRESS' AND r.in_progress_expiry IS NOT NULL AND r.in_progress_expiry < %(now_ms)s)
RETURNING id
"""

# Like DynamoDB's UpdateItem, writes the record even when it has vanished meanwhile.
_COMPLETE = """
INSERT INTO idempotency_records AS r (id, status, expiry, payload_hash, response_data)
VALUES (%(id)s, %(status)s, %(expiry)s, %(payload_hash)s, %(response_data)s)
ON CONFLICT (id) DO UPDATE SET
    status = excluded.status, expiry = excluded.expiry,
    payload_hash = excluded.payload_hash, response_data = excluded.response_data
"""

_SELECT = (
    "SELECT id, status, expiry, in_progress_expiry, payload_hash, response_data FROM idempotency_records WHERE id = %s"
)

_PURGE = """
DELETE FROM idempotency_records WHERE id IN (
    SELECT id FROM idempotency_records WHERE expiry < %(now)s
    ORDER BY expiry LIMIT %(batch)s FOR UPDATE SKIP LOCKED)
"""


class PostgresPersistenceLayer(BasePersistenceLayer):
    def __init__(self, database: Database) -> None:
        super().__init__()  # type: ignore[no-untyped-call]  # Powertools leaves it unannotated
        self._database = database

    def _get_record(self, idempotency_key: str) -> DataRecord:
        record = self._database.transaction(lambda conn: _fetch(conn, idempotency_key))
        if record is None:
            raise IdempotencyItemNotFoundError
        return record

    def _put_record(self, data_record: DataRecord) -> None:
        now = time.time()
        params = {**_columns(data_record), "now": int(now), "now_ms": int(now * 1000)}

        def claim(conn: Connection) -> tuple[bool, DataRecord | None]:
            if conn.execute(_CLAIM, params).fetchone() is not None:
                return True, None
            return False, _fetch(conn, data_record.idempotency_key)

        claimed, existing = self._database.transaction(claim)
        if claimed:
            return
        if existing is None:
            # Deleted since the claim failed; Powertools reads again and retries.
            raise IdempotencyItemAlreadyExistsError
        # Powertools validates the payload only for records it reads itself, not for the
        # one carried by this error, so a different payload must be refused here.
        self._validate_payload(data_payload=data_record, stored_data_record=existing)
        self._save_to_cache(data_record=existing)
        raise IdempotencyItemAlreadyExistsError(old_data_record=existing)

    def _update_record(self, data_record: DataRecord) -> None:
        params = _columns(data_record)
        self._database.transaction(lambda conn: conn.execute(_COMPLETE, params))

    def _delete_record(self, data_record: DataRecord) -> None:
        key = data_record.idempotency_key
        self._database.transaction(lambda conn: conn.execute("DELETE FROM idempotency_records WHERE id = %s", (key,)))


def purge_expired(database: Database, now: int | None = None, batch: int = 1000) -> int:
    """Deletes records whose `expiry` (epoch seconds) is before `now`, `batch` rows per
    transaction, and returns how many it deleted. Rows being claimed right now are skipped."""
    params = {"now": int(time.time()) if now is None else now, "batch": batch}
    total = 0
    while True:
        deleted = database.transaction(lambda conn: conn.execute(_PURGE, params).rowcount)
        total += deleted
        if deleted < batch:
            return total


def _columns(record: DataRecord) -> dict[str, Any]:
    return {
        "id": record.idempotency_key,
        "status": record.status,
        "expiry": record.expiry_timestamp,
        "in_progress_expiry": record.in_progress_expiry_timestamp,
        "payload_hash": record.payload_hash or None,
        "response_data": record.response_data or None,
    }


def _fetch(conn: Connection, idempotency_key: str) -> DataRecord | None:
    row = conn.execute(_SELECT, (idempotency_key,)).fetchone()
    if row is None:
        return None
    return DataRecord(
        idempotency_key=row["id"],
        status=row["status"],
        expiry_timestamp=row["expiry"],
        in_progress_expiry_timestamp=row["in_progress_expiry"],
        response_data=row["response_data"] or "",
        payload_hash=row["payload_hash"] or "",
    )
