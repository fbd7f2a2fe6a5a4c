"""Accounts and sessions: register, log in, rotate refresh tokens, log out, authenticate.

Access tokens live at most 15 minutes and carry the user's token version; every
authenticated request compares it with the database, so logout and a password
change end every outstanding token at once. Refresh tokens rotate on each use; a
used one presented again means it was stolen, and every session of the account ends
(the version is bumped too, so the access token the thief already holds dies with it).

Failed logins are limited like this (login()):

- Every attempt is counted before its password is checked, in PostgreSQL
  (ratelimit.LoginFailures): exact across processes and pods, whether Redis is up,
  down or absent, and a guess refused with 429 is never checked.
- Per account: `login_max_failures` failures in the window, and then 429 until it
  ends. The bucket is the account's id; for an address with no account it is the
  address as the database compares it (accounts.folded_email), so no spelling the
  database takes for the same address ('İ' for 'i') gets a bucket of its own.
- Per client address: five times as many failures, over any accounts, from one
  address (password spraying). The address is the one our own proxies saw
  (client_address); a request with no trustworthy address is counted per account
  only, never in one shared bucket that anyone could fill to lock everybody out.
- Known devices: each successful login answers with a device token, signed, naming
  the account and bound to its password, which the client keeps and sends with its
  next login (OWASP's "device cookies"; a body field, not a cookie, because an ALB
  response without multi-value headers carries one Set-Cookie, the refresh token's).
  An attempt with a valid one for the account is counted against that device alone
  (the same limit) instead of the account and the address. So others' guesses lock
  an account only for clients that never logged in to it, while guessers, who have
  no such token, stay capped at `login_max_failures` checked guesses per window in
  all. A new password invalidates every device token of the account.
"""

from __future__ import annotations

import hashlib
import ipaddress
import uuid
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from functools import cache
from typing import Any

from functions.domain.auth import accounts
from functions.domain.auth.models import PasswordChanged, TokenPair
from functions.domain.workspaces import workspaces
from functions.platform.db import Connection, Database
from functions.platform.dependencies import Scope
from functions.platform.errors import NotFound, RateLimited, Unauthorized, Unprocessable
from functions.platform.http import parse_id
from functions.platform.passwords import hash_password, needs_rehash, verify_password, weakness
from functions.platform.ratelimit import Bucket, LoginFailures
from functions.platform.settings import Settings
from functions.platform.tokens import Claims, TokenSigner, TokenVerifier

REFRESH_COOKIE = "tf_refresh"
DEVICE_TTL_SECONDS = 90 * 86_400
# How many failures one client address may have, in multiples of the per-account limit.
CLIENT_LIMIT_FACTOR = 5

Network = ipaddress.IPv4Network | ipaddress.IPv6Network


@dataclass(frozen=True)
class Session:
    pair: TokenPair
    refresh_max_age: int


@dataclass(frozen=True)
class _LoginBuckets:
    counted: list[Bucket]
    cleared: list[Bucket]  # after the right password: counting starts again
    released: list[Bucket]  # after the right password: the attempt no longer counts


def register(
    database: Database, email: str, password: str, display_name: str | None, timezone: str | None = None
) -> dict[str, Any]:
    """A new account with its personal workspace; its timezone is UTC when `timezone` is None."""
    password_hash = hash_password(password)  # before the transaction: hashing is slow on purpose

    def create(conn: Connection) -> dict[str, Any]:
        user = accounts.create_user(conn, email, password_hash, display_name, timezone)
        workspaces.create_personal(conn, user["id"])
        return user

    return database.transaction(create)


def login(
    database: Database,
    settings: Settings,
    signer: TokenSigner,
    verifier: TokenVerifier,
    email: str,
    password: str,
    client: str | None,
    device_token: str | None,
) -> Session:
    """A new session for the right password, with a new device token; `client` is
    client_address's answer, `device_token` one an earlier login gave this client."""
    email = email.strip()
    failures = LoginFailures(settings.login_failure_window_seconds)

    def reserve(conn: Connection) -> tuple[dict[str, Any] | None, _LoginBuckets, int | None]:
        user = accounts.find_credentials(conn, email)
        buckets = _login_buckets(conn, settings, verifier, email, user, client, device_token)
        return user, buckets, failures.reserve(conn, buckets.counted)

    user, buckets, wait = database.transaction(reserve)  # committed before the slow check
    if wait is not None:
        raise RateLimited("too many failed logins; try again later", retry_after_seconds=wait)
    if not verify_password(user["password_hash"] if user else None, password) or user is None:
        raise Unauthorized("the e-mail address or password is wrong")  # the reservation stays: a failure
    database.transaction(lambda conn: failures.succeeded(conn, buckets.cleared, buckets.released))
    password_hash = user["password_hash"]
    if needs_rehash(password_hash):
        password_hash = hash_password(password)
        database.transaction(lambda conn: accounts.update_password_hash(conn, user["id"], password_hash))
    device, _ = signer.issue(user["id"], "device", 0, DEVICE_TTL_SECONDS, binding=credential_binding(password_hash))
    session = database.transaction(
        lambda conn: _issue(conn, settings, signer, user["id"], user["token_version"], str(uuid.uuid4()))
    )
    return replace(session, pair=session.pair.model_copy(update={"device_token": device}))


def credential_binding(password_hash: str) -> str:
    """What device tokens are bound to: it changes with the password (and its salt)."""
    return hashlib.sha256(password_hash.encode()).hexdigest()[:32]


def _login_buckets(
    conn: Connection,
    settings: Settings,
    verifier: TokenVerifier,
    email: str,
    user: dict[str, Any] | None,
    client: str | None,
    device_token: str | None,
) -> _LoginBuckets:
    limit = settings.login_max_failures
    if user is not None and device_token:
        try:
            device = verifier.verify(device_token, "device")
        except Unauthorized:
            pass  # a bad or expired cookie is no cookie
        else:
            if device.user_id == user["id"] and device.binding == credential_binding(user["password_hash"]):
                own = Bucket(f"device:{device.token_id}", limit)
                return _LoginBuckets(counted=[own], cleared=[own], released=[])
    if user is not None:
        account = Bucket(f"account:{user['id']}", limit)
    else:
        folded = accounts.folded_email(conn, email)
        account = Bucket("email:" + hashlib.sha256(folded.encode()).hexdigest(), limit)
    if client is None:
        return _LoginBuckets(counted=[account], cleared=[account], released=[])
    address = Bucket(f"client:{client}", limit * CLIENT_LIMIT_FACTOR)
    return _LoginBuckets(counted=[account, address], cleared=[account], released=[address])


def refresh(
    database: Database, settings: Settings, signer: TokenSigner, verifier: TokenVerifier, refresh_token: str
) -> Session:
    claims = verifier.verify(refresh_token, "refresh")

    def rotate(conn: Connection) -> Session | None:
        row = accounts.claim_refresh_token(conn, claims.token_id)
        if row is None or row["user_id"] != claims.user_id or row["revoked_at"] is not None:
            raise Unauthorized("the refresh token is no longer valid")
        if row["used_at"] is not None:
            # Stolen: one of the two holders is a thief, and its access token must die now too.
            accounts.revoke_everything(conn, claims.user_id)
            return None  # commit the revocation, then refuse
        if accounts.token_version(conn, claims.user_id) != claims.token_version:
            raise Unauthorized("the session has ended")
        accounts.mark_used(conn, claims.token_id)
        return _issue(conn, settings, signer, claims.user_id, claims.token_version, row["family_id"])

    session = database.transaction(rotate)
    if session is None:
        raise Unauthorized("the refresh token was already used; every session of this account has ended")
    return session


def logout(database: Database, user_id: str) -> None:
    database.transaction(lambda conn: accounts.revoke_everything(conn, user_id))


def change_password(database: Database, user_id: str, current_password: str, new_password: str) -> PasswordChanged:
    """The current password proves the caller; then replace_password."""
    new_hash = hash_password(new_password)  # before the transaction: hashing is slow on purpose

    def change(conn: Connection) -> PasswordChanged:
        user = accounts.get_user(conn, user_id)
        if user is None or not verify_password(user["password_hash"], current_password):
            raise Unauthorized("the current password is wrong")
        return replace_password(conn, user_id, user["email"], new_password, new_hash)

    return database.transaction(change)


def replace_password(conn: Connection, user_id: str, email: str, new_password: str, new_hash: str) -> PasswordChanged:
    """The account's password becomes `new_password` (`new_hash` is its hash), and whatever
    whoever knew the old one could still use ends: every session (the token version and
    every refresh token), every device token (bound to the old hash), the calendar feed and
    the reminder webhook, which they could have copied or redirected (see PasswordChanged).

    422 when the password breaks a rule that needs the account (its address); the caller's
    transaction then changes nothing.
    """
    # Here, not at the top: every function imports this module, and icalendar is slow to load.
    from functions.domain.auth import profiles
    from functions.domain.feeds import calendar_feed

    reason = weakness(new_password, email)
    if reason is not None:
        raise Unprocessable(reason)
    accounts.update_password_hash(conn, user_id, new_hash)
    accounts.revoke_everything(conn, user_id)
    return PasswordChanged(
        calendar_feed_revoked=calendar_feed.revoke_if_any(conn, user_id),
        webhook_removed=profiles.remove_webhook(conn, user_id),
    )


def ensure_current(conn: Connection, claims: Claims) -> str:
    """The caller's user id, once the database confirms the token has not been revoked. The rest
    of the transaction acts as the caller: the versions of the tasks it changes name them."""
    if accounts.act_as(conn, claims.user_id) != claims.token_version:
        raise Unauthorized("the session has ended")
    return claims.user_id


# The caller's token version, the workspace (default: the caller's personal one), the caller's
# role in it and its cache generation: ensure_current and workspaces.resolve in one round trip.
_READ_ACCESS = """
SELECT u.token_version, w.id::text AS workspace_id, w.cache_generation, m.role
FROM users u
LEFT JOIN workspaces w ON w.id = coalesce(
    %(workspace)s::uuid, (SELECT p.id FROM workspaces p WHERE p.created_by = u.id AND p.personal)
)
LEFT JOIN memberships m ON m.workspace_id = w.id AND m.user_id = u.id
WHERE u.id = %(user)s
"""


@dataclass(frozen=True)
class WriteScope:
    """A workspace the caller may write in, locked for this transaction, and the caller's time
    zone (what a new task without one of its own is due in); `read_after_lock` is the first row
    (None: none) of the statement open_for_writing was asked to send after its own."""

    user_id: str
    workspace_id: str
    timezone: str
    read_after_lock: dict[str, Any] | None = None


# The workspace a write names (%(workspace)s), else the personal one of the caller (%(user)s).
WRITTEN_WORKSPACE = (
    "coalesce(%(workspace)s::uuid, (SELECT p.id FROM workspaces p WHERE p.created_by = %(user)s AND p.personal))"
)


# The caller's token version, as the transaction's actor; the workspace (default: personal),
# the caller's role in it, their time zone; and, for a writer, the workspace row's lock, which
# every write of its tasks takes anyway (the cache generation, the manual order: see
# tasks/ordering.py). A viewer or a stranger takes no lock.
_OPEN_FOR_WRITING = f"""
SELECT u.token_version, set_config(%(actor)s, u.id::text, true), u.timezone,
       w.id::text AS workspace_id, m.role,
       (SELECT true FROM workspaces l WHERE l.id = w.id AND m.role = ANY(%(writers)s) FOR NO KEY UPDATE) AS locked
FROM users u
LEFT JOIN workspaces w ON w.id = {WRITTEN_WORKSPACE}
LEFT JOIN memberships m ON m.workspace_id = w.id AND m.user_id = u.id
WHERE u.id = %(user)s
"""  # noqa: S608 - fixed text


def open_for_writing(
    conn: Connection, claims: Claims, workspace_id: str | None, read_after_lock: str | None = None
) -> WriteScope:
    """What ensure_current and workspaces.resolve(write=True) decide, the workspace locked for
    the rest of the transaction, in one statement: a new task asks for nothing else first.

    `read_after_lock`, a read naming the workspace as WRITTEN_WORKSPACE does, is sent right
    after, before either answer is read: it runs once the lock is held, so it sees what the
    lock's previous holder committed, and in a pipeline (Database.pipelined) both cost one
    round trip. A caller refused is refused before its answer is looked at."""
    if workspace_id is not None:
        workspace_id = parse_id(workspace_id, "workspace")  # not a UUID: names no workspace
    parameters = {
        "user": claims.user_id,
        "workspace": workspace_id,
        "actor": accounts.ACTOR_SETTING,
        "writers": workspaces.WRITERS,
    }
    opened = conn.execute(_OPEN_FOR_WRITING, parameters)
    after_lock = conn.execute(read_after_lock, parameters) if read_after_lock else None
    row = opened.fetchone()
    if row is None or row["token_version"] != claims.token_version:
        raise Unauthorized("the session has ended")
    if row["workspace_id"] is None and workspace_id is None:
        raise NotFound("the personal workspace is missing")
    workspaces.check(row["role"], write=True)
    assert row["locked"], "a writer's workspace is locked in the statement that found the role"
    return WriteScope(
        claims.user_id,
        row["workspace_id"],
        row["timezone"] or "UTC",
        after_lock.fetchone() if after_lock is not None else None,
    )


def read_access(conn: Connection, claims: Claims, workspace_id: str | None) -> Scope:
    """What ensure_current and workspaces.resolve(write=False) decide, with the workspace's
    cache generation, from one statement: all a cached read asks PostgreSQL before its cache."""
    if workspace_id is not None:
        workspace_id = parse_id(workspace_id, "workspace")  # not a UUID: names no workspace
    row = conn.execute(_READ_ACCESS, {"user": claims.user_id, "workspace": workspace_id}).fetchone()
    if row is None or row["token_version"] != claims.token_version:
        raise Unauthorized("the session has ended")
    if row["workspace_id"] is None and workspace_id is None:
        raise NotFound("the personal workspace is missing")
    workspaces.check(row["role"], write=False)
    return Scope(claims.user_id, row["workspace_id"], int(row["cache_generation"]))


def _issue(
    conn: Connection, settings: Settings, signer: TokenSigner, user_id: str, token_version: int, family_id: str
) -> Session:
    access, _ = signer.issue(user_id, "access", token_version, settings.access_token_ttl_seconds)
    refresh_token, refresh_claims = signer.issue(
        user_id, "refresh", token_version, settings.refresh_token_ttl_seconds, family_id=family_id
    )
    expires_at = datetime.fromtimestamp(refresh_claims.expires_at, tz=UTC)
    accounts.record_refresh_token(conn, refresh_claims.token_id, family_id, user_id, expires_at)
    pair = TokenPair(access_token=access, refresh_token=refresh_token, expires_in=settings.access_token_ttl_seconds)
    return Session(pair=pair, refresh_max_age=int((expires_at - datetime.now(UTC)) / timedelta(seconds=1)))


def client_address(forwarded_for: str | None, settings: Settings) -> str | None:
    """The client's address as our own proxies saw it, or None when no address can be trusted.

    X-Forwarded-For is read from the right: each proxy appends the address it received
    the request from, and everything left of our own proxies' entries was written by
    someone else. How many of our proxies a request passed is not fixed: in the cluster
    ALB → Istio ingress gateway → Knative's local gateway → (the activator, only while
    the revision has no ready capacity) → queue-proxy, and Envoy and Go's reverse proxy
    each append their peer. So a count of hops cannot be right for every request; the
    addresses our proxies live in can. Entries inside `trusted_proxy_networks` (the VPC,
    whose addresses the ALB, the gateways and every pod have, and the loopback) are
    skipped; then `trusted_proxy_hops` more for the proxies in front of those networks
    whose addresses are not ours (CloudFront, whose edge address the ALB appends: 1).
    What is left, rightmost, is the client. Locally neither is set: the gateway appends
    the peer's address (REMOTE_ADDR), as the ALB would, and that is the client.

    IPv6 clients are counted per /64, the block one subscriber usually holds.
    """
    entries = [entry.strip() for entry in (forwarded_for or "").split(",") if entry.strip()]
    addresses = [_address(entry) for entry in entries]
    networks = _networks(settings.trusted_proxy_networks)
    index = len(addresses) - 1
    while index > 0 and _inside(addresses[index], networks):
        index -= 1
    if not _inside(addresses[index] if addresses else None, networks):
        index -= settings.trusted_proxy_hops
    if index < 0 or addresses[index] is None:
        return None
    address = addresses[index]
    assert address is not None
    if address.version == 6:
        return str(ipaddress.ip_network(f"{address}/64", strict=False))
    return str(address)


def _address(entry: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    text = entry
    if text.startswith("[") and "]" in text:  # [2001:db8::1]:443
        text = text[1 : text.index("]")]
    elif text.count(":") == 1:  # 192.0.2.1:443
        text = text.partition(":")[0]
    try:
        address = ipaddress.ip_address(text)
    except ValueError:
        return None
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        return address.ipv4_mapped
    return address


def _inside(address: ipaddress.IPv4Address | ipaddress.IPv6Address | None, networks: Sequence[Network]) -> bool:
    return address is not None and any(
        address.version == network.version and address in network for network in networks
    )


@cache
def _networks(cidrs: tuple[str, ...]) -> tuple[Network, ...]:
    return tuple(ipaddress.ip_network(cidr, strict=False) for cidr in cidrs)
