"""DynamoDB tables as PynamoDB models: the reminder delivery ledger and the activity feed.

Table names, region and endpoint come from settings, so each model class is built
once per configuration.
"""

from __future__ import annotations

import time
from functools import cache
from typing import Any

from pynamodb.attributes import NumberAttribute, TTLAttribute, UnicodeAttribute
from pynamodb.exceptions import PutError
from pynamodb.indexes import AllProjection, GlobalSecondaryIndex
from pynamodb.models import Model

from functions.platform.settings import Settings


def _meta(table: str, region: str, host: str | None) -> type:
    return type("Meta", (), {"table_name": table, "region": region, "host": host, "billing_mode": "PAY_PER_REQUEST"})


@cache
def _ledger_model(table: str, region: str, host: str | None) -> type[Model]:
    class DeliveryRecord(Model):
        """One reminder delivery: `reminder_id#occurrence`; the conditional put claims it once."""

        Meta = _meta(table, region, host)  # type: ignore[assignment]
        delivery_id = UnicodeAttribute(hash_key=True)
        state = UnicodeAttribute()  # claimed | sent
        lease_until = NumberAttribute(default=0)
        sent_at = NumberAttribute(null=True)
        expires = TTLAttribute(null=True)

    return DeliveryRecord


def ledger_model(settings: Settings) -> type[Model]:
    return _ledger_model(settings.delivery_ledger_table, settings.aws_region, settings.aws_endpoint_url)


@cache
def _activity_model(table: str, region: str, host: str | None) -> type[Model]:
    class ByTask(GlobalSecondaryIndex["ActivityRecord"]):  # type: ignore[no-untyped-call]
        class Meta:
            index_name = "by-task"
            projection = AllProjection()

        task_id = UnicodeAttribute(hash_key=True)
        sort_key = UnicodeAttribute(range_key=True)

    class ActivityRecord(Model):
        """One task event: newest first per workspace (and per task through the index)."""

        Meta = _meta(table, region, host)  # type: ignore[assignment]
        workspace_id = UnicodeAttribute(hash_key=True)
        sort_key = UnicodeAttribute(range_key=True)  # ISO time # event id: sorts by time, unique
        task_id = UnicodeAttribute()
        event_id = UnicodeAttribute()
        type = UnicodeAttribute()
        actor_id = UnicodeAttribute(null=True)
        summary = UnicodeAttribute()
        data = UnicodeAttribute()  # the event's detail as JSON
        expires = TTLAttribute(null=True)
        by_task = ByTask()

    return ActivityRecord


def activity_model(settings: Settings) -> type[Model]:
    return _activity_model(settings.activity_table, settings.aws_region, settings.aws_endpoint_url)


class DeliveryLedger:
    """Claim → send → confirm. A claim is a conditional put, so a delivery is claimed once;
    a claim whose lease ran out (its dispatcher died before sending) can be taken again."""

    def __init__(self, settings: Settings, lease_seconds: int = 120) -> None:
        self.model = ledger_model(settings)
        self.lease_seconds = lease_seconds

    def claim(self, delivery_id: str) -> bool:
        model: Any = self.model
        now = time.time()
        record = model(delivery_id, state="claimed", lease_until=now + self.lease_seconds, expires=_days_from_now(30))
        try:
            record.save(
                condition=model.delivery_id.does_not_exist() | ((model.state == "claimed") & (model.lease_until < now))
            )
        except PutError as exc:
            if exc.cause_response_code == "ConditionalCheckFailedException":
                return False
            raise
        return True

    def state(self, delivery_id: str) -> tuple[str, float] | None:
        model: Any = self.model
        try:
            record = model.get(delivery_id, consistent_read=True)
        except model.DoesNotExist:
            return None
        return str(record.state), float(record.lease_until)

    def confirm(self, delivery_id: str) -> None:
        model: Any = self.model
        model(delivery_id).update(actions=[model.state.set("sent"), model.sent_at.set(int(time.time()))])

    def release(self, delivery_id: str) -> None:
        model: Any = self.model
        model(delivery_id).delete(condition=model.state == "claimed")


def _days_from_now(days: int) -> Any:
    from datetime import UTC, datetime, timedelta

    return datetime.now(UTC) + timedelta(days=days)


def ensure_tables(settings: Settings) -> None:
    """Creates the tables where they are missing: for the local stack and tests only;
    in AWS the infrastructure owns them."""
    for model in (ledger_model(settings), activity_model(settings)):
        if not model.exists():
            model.create_table(wait=True, billing_mode="PAY_PER_REQUEST")
