"""The browsers a user has subscribed for reminders (Web Push).

An endpoint is the push service's address for one browser and one server key, so it names a
subscription: the same browser subscribing again updates its row, whoever subscribed it before
(a browser holds one subscription, and it follows whoever is logged in there now).
"""

from __future__ import annotations

from typing import Any

from functions.domain.push.models import PushSubscriptionCreate
from functions.platform import webhooks
from functions.platform.db import Connection
from functions.platform.errors import Conflict, NotFound, Unauthorized, Unprocessable
from functions.platform.vapid import b64url_decode

MAX_PER_USER = 20
P256DH_BYTES = 65  # an uncompressed P-256 point: 0x04, x, y
AUTH_BYTES = 16
SUBJECT = "push endpoint"  # how a refused endpoint is named in the answer
_COLUMNS = "id::text AS id, endpoint, created_at"
# xmax is 0 on a row this statement inserted, and not on one it updated.
_SUBSCRIBE = f"""
INSERT INTO push_subscriptions (user_id, endpoint, p256dh, auth, user_agent)
VALUES (%(user)s, %(endpoint)s, %(p256dh)s, %(auth)s, %(agent)s)
ON CONFLICT (endpoint) DO UPDATE
SET user_id = EXCLUDED.user_id, p256dh = EXCLUDED.p256dh, auth = EXCLUDED.auth, user_agent = EXCLUDED.user_agent
RETURNING {_COLUMNS}, (xmax = 0) AS created
"""  # noqa: S608 - constants only


def prepare(body: PushSubscriptionCreate, allow_private_networks: bool) -> dict[str, str]:
    """The subscription to store, checked; resolves the endpoint's host, so call it outside a
    transaction. The endpoint must be https on the public internet, as a push service is (the
    local stack and the tests also allow http and loopback, as for webhooks)."""
    p256dh = _decoded(body.keys.p256dh, "keys.p256dh")
    if len(p256dh) != P256DH_BYTES or p256dh[0] != 0x04:
        raise Unprocessable(f"keys.p256dh must be an uncompressed P-256 public key ({P256DH_BYTES} bytes)")
    if len(_decoded(body.keys.auth, "keys.auth")) != AUTH_BYTES:
        raise Unprocessable(f"keys.auth must be {AUTH_BYTES} bytes")
    endpoint = webhooks.validate_url(body.endpoint, allow_private_networks, SUBJECT)
    return {"endpoint": endpoint, "p256dh": body.keys.p256dh.rstrip("="), "auth": body.keys.auth.rstrip("=")}


def _decoded(value: str, name: str) -> bytes:
    try:
        return b64url_decode(value)
    except ValueError:
        raise Unprocessable(f"{name} must be base64url") from None


def subscribe(
    conn: Connection, user_id: str, subscription: dict[str, str], user_agent: str | None
) -> tuple[dict[str, Any], bool]:
    """The stored subscription, and whether it is new."""
    # The account's row orders concurrent subscriptions of one user, so the bound holds.
    if conn.execute("SELECT 1 FROM users WHERE id = %s FOR UPDATE", (user_id,)).fetchone() is None:
        raise Unauthorized("the account no longer exists")
    count = conn.execute(
        "SELECT count(*) AS n FROM push_subscriptions WHERE user_id = %s AND endpoint <> %s",
        (user_id, subscription["endpoint"]),
    ).fetchone()
    if count and count["n"] >= MAX_PER_USER:
        raise Conflict(f"at most {MAX_PER_USER} browsers can be subscribed; turn notifications off on one first")
    row = conn.execute(
        _SUBSCRIBE,
        {**subscription, "user": user_id, "agent": (user_agent or "")[:300] or None},
    ).fetchone()
    assert row is not None
    return row, bool(row["created"])


def list_for(conn: Connection, user_id: str) -> list[dict[str, Any]]:
    return conn.execute(
        f"SELECT {_COLUMNS} FROM push_subscriptions WHERE user_id = %s ORDER BY created_at, id",  # noqa: S608
        (user_id,),
    ).fetchall()


def delete(conn: Connection, user_id: str, subscription_id: str) -> None:
    removed = conn.execute(
        "DELETE FROM push_subscriptions WHERE id = %s AND user_id = %s RETURNING 1", (subscription_id, user_id)
    ).fetchone()
    if removed is None:
        raise NotFound("no such push subscription")


def forget(conn: Connection, subscription_ids: list[str]) -> None:
    """Removes subscriptions the push service said are gone (404, 410)."""
    if subscription_ids:
        conn.execute("DELETE FROM push_subscriptions WHERE id = ANY(%s::uuid[])", (subscription_ids,))
