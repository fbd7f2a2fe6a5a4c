"""A reminder sent to the user's browsers through their push services.

The message is encrypted for each browser (RFC 8291, aes128gcm, by pywebpush) and signed
with our VAPID key (RFC 8292, by py_vapid), then POSTed like a webhook: the endpoint's host
is checked and pinned again at every send, so a subscription cannot point us into our own
network. Each browser's copy is a delivery of its own in the ledger
(`<delivery id>#push#<subscription id>`): when one push service fails and the reminder is
tried again, the browsers that already have it are not sent it twice.

A push service that answers 404 or 410 has dropped the subscription (the user turned
notifications off, the browser was reset): it is listed in `row["gone_subscriptions"]` for
the dispatcher to remove. 429 and 5xx are tried again with the reminder's backoff.

The service worker (web/src/sw.ts) gets the JSON payload below and shows it with
showNotification(title, {body, tag, data: {url}}); a click opens `url`.
"""

from __future__ import annotations

import json
import logging
import time
from typing import Any
from urllib.parse import urlsplit

from py_vapid import Vapid
from pywebpush import WebPusher

from functions.domain.push.subscriptions import SUBJECT
from functions.platform import webhooks
from functions.platform.dynamo import DeliveryLedger
from functions.platform.settings import Settings
from functions.platform.vapid import load_private_key

logger = logging.getLogger(__name__)

ACCEPTED = frozenset({200, 201, 202})
GONE = frozenset({404, 410})
VAPID_TOKEN_SECONDS = 12 * 3600  # RFC 8292: at most 24 hours


class PushError(Exception):
    """At least one browser did not get the reminder and no push service said it is gone."""


def payload(row: dict[str, Any]) -> dict[str, str]:
    """What the service worker shows: title and body, the task to open, and a tag that lets
    a repeat of the same reminder replace the notification rather than add one."""
    return {"title": row["subject"], "body": row["body"].strip(), "url": f"/tasks/{row['task_id']}", "tag": row["id"]}


def deliver(settings: Settings, ledger: DeliveryLedger, row: dict[str, Any], delivery_id: str) -> bool:
    """Sends the reminder to every subscribed browser that does not have it yet. True when at
    least one has it; False when none could (no VAPID key here, or every subscription is gone),
    and the caller then uses the account's channel. PushError when one must be tried again."""
    row.setdefault("gone_subscriptions", [])
    if not settings.vapid_private_key:
        logger.warning("reminder %s: no VAPID key is configured, so it goes by the account's channel", row["id"])
        return False
    data = json.dumps(payload(row), ensure_ascii=False, separators=(",", ":")).encode()
    delivered, failures = False, []
    for subscription in row["push_subscriptions"]:
        key = f"{delivery_id}#push#{subscription['id']}"
        if not ledger.claim(key):
            state = ledger.state(key)
            if state and state[0] == "sent":
                delivered = True
            else:  # a dispatcher that died mid-send holds it until its lease ends
                failures.append(f"{subscription['id']}: claimed elsewhere")
            continue
        status: int | None = None
        try:
            status = _post(settings, subscription, data)
            failure = f"the push service answered {status}"
        except webhooks.WebhookError as exc:
            failure = exc.detail
        if status in ACCEPTED:
            delivered = True
            try:
                ledger.confirm(key)
            except Exception:  # sent; the claim's lease keeps others off
                logger.warning("push %s: sent, but the ledger confirmation failed", key)
            continue
        _release(ledger, key)
        if status in GONE:
            row["gone_subscriptions"].append(subscription["id"])
        else:
            failures.append(f"{subscription['id']}: {failure}")
    if failures:
        raise PushError("; ".join(failures)[:500])
    return delivered


def _post(settings: Settings, subscription: dict[str, Any], data: bytes) -> int:
    info = {
        "endpoint": subscription["endpoint"],
        "keys": {"p256dh": subscription["p256dh"], "auth": subscription["auth"]},
    }
    body = WebPusher(info).encode(data, "aes128gcm")["body"]
    endpoint = urlsplit(subscription["endpoint"])
    claims = {
        "aud": f"{endpoint.scheme}://{endpoint.netloc}",
        "sub": settings.vapid_subject,
        "exp": int(time.time()) + VAPID_TOKEN_SECONDS,
    }
    assert settings.vapid_private_key is not None
    headers = {
        **Vapid(load_private_key(settings.vapid_private_key)).sign(claims),
        "Content-Type": "application/octet-stream",
        "Content-Encoding": "aes128gcm",
        # A reminder stale by the missed horizon is not worth showing.
        "TTL": str(settings.reminder_missed_horizon_seconds),
        "Urgency": "high",
    }
    return webhooks.post(
        subscription["endpoint"],
        body,
        headers,
        allow_private=settings.webhook_allow_private_networks,
        subject=SUBJECT,
    )


def _release(ledger: DeliveryLedger, key: str) -> None:
    try:
        ledger.release(key)
    except Exception:  # the lease frees it later anyway
        logger.warning("push %s: could not release its claim", key)
