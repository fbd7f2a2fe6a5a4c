#!/usr/bin/env python3
"""A smoke test through the path users take: the CloudFront domain, not the cluster.

    SMOKE_EMAIL=… SMOKE_PASSWORD=… python scripts/deploy/smoke.py https://d1234.cloudfront.net

Checks, in order: GET / is the SPA's index (its root element), GET /api/health says ok, GET
/api/ready is 200, the smoke account registers (201, or 409 when it exists) and logs in (200 with
an access token), and GET /api/auth/me answers for it. The deploy has just happened, so the whole
sequence is retried a bounded number of times with growing pauses; the last failure is printed as
one line naming the check, and the exit status is 1. Standard library only.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Mapping, Sequence
from typing import Any

ROOT_ELEMENT = '<div id="root">'
TIMEOUT_SECONDS = 10


class CheckFailed(Exception):
    def __init__(self, check: str, reason: str) -> None:
        super().__init__(f"{check}: {reason}")


def request(
    base: str, method: str, path: str, body: dict[str, Any] | None = None, token: str | None = None
) -> tuple[int, bytes]:
    headers = {"Accept": "application/json, text/html"}
    data = None
    if body is not None:
        data, headers["Content-Type"] = json.dumps(body).encode(), "application/json"
    if token:
        headers["Authorization"] = f"Bearer {token}"
    call = urllib.request.Request(base + path, data=data, headers=headers, method=method)  # noqa: S310  an https URL we were given
    try:
        with urllib.request.urlopen(call, timeout=TIMEOUT_SECONDS) as response:  # noqa: S310  as above
            return int(response.status), response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.read()
    except (urllib.error.URLError, OSError) as error:
        raise CheckFailed(f"{method} {path}", f"unreachable ({error})") from error


def _json(check: str, payload: bytes) -> dict[str, Any]:
    try:
        value = json.loads(payload)
    except ValueError as error:
        raise CheckFailed(check, "the answer is not JSON") from error
    if not isinstance(value, dict):
        raise CheckFailed(check, "the answer is not a JSON object")
    return value


def check_once(base: str, email: str, password: str) -> None:
    status, page = request(base, "GET", "/")
    if status != 200 or ROOT_ELEMENT.encode() not in page:
        raise CheckFailed("GET /", f"{status}, not the SPA's index" if status == 200 else f"status {status}")
    status, body = request(base, "GET", "/api/health")
    if status != 200 or _json("GET /api/health", body).get("status") != "ok":
        raise CheckFailed("GET /api/health", f"status {status}, {body[:80]!r}")
    status, _ = request(base, "GET", "/api/ready")
    if status != 200:
        raise CheckFailed("GET /api/ready", f"status {status}")
    status, body = request(
        base, "POST", "/api/auth/register", {"email": email, "password": password, "display_name": "Smoke test"}
    )
    if status not in (201, 409):  # 409: registered by an earlier deploy
        raise CheckFailed("POST /api/auth/register", f"status {status}, {body[:120]!r}")
    status, body = request(base, "POST", "/api/auth/login", {"email": email, "password": password})
    token = _json("POST /api/auth/login", body).get("access_token") if status == 200 else None
    if not token:
        raise CheckFailed("POST /api/auth/login", f"status {status}" if status != 200 else "no access_token")
    status, body = request(base, "GET", "/api/auth/me", token=str(token))
    if status != 200 or _json("GET /api/auth/me", body).get("email") != email:
        raise CheckFailed("GET /api/auth/me", f"status {status}, not the smoke account")


def smoke(
    base: str, email: str, password: str, attempts: int, delay: float, sleep: Callable[[float], None] = time.sleep
) -> None:
    """Raises the last CheckFailed when no attempt passes; pauses grow to at most a minute."""
    for attempt in range(1, attempts + 1):
        try:
            check_once(base, email, password)
            return
        except CheckFailed as failure:
            if attempt == attempts:
                raise
            print(f"smoke: attempt {attempt}/{attempts}: {failure}; again in {delay:.0f}s", file=sys.stderr)
            sleep(delay)
            delay = min(delay * 2, 60.0)


def main(
    argv: Sequence[str] | None = None,
    environ: Mapping[str, str] | None = None,
    sleep: Callable[[float], None] = time.sleep,
) -> int:
    parser = argparse.ArgumentParser(prog="python scripts/deploy/smoke.py", description=__doc__.split("\n\n")[0])
    parser.add_argument("url", help="https://<CloudFront domain or the environment's domain>")
    parser.add_argument("--attempts", type=int, default=8)
    parser.add_argument("--delay", type=float, default=5.0, help="the first pause, in seconds (doubles)")
    args = parser.parse_args(argv)
    environ = os.environ if environ is None else environ
    email, password = environ.get("SMOKE_EMAIL", ""), environ.get("SMOKE_PASSWORD", "")
    if not email or not password:
        print("smoke: SMOKE_EMAIL and SMOKE_PASSWORD must be set", file=sys.stderr)
        return 2
    try:
        smoke(args.url.rstrip("/"), email, password, max(args.attempts, 1), args.delay, sleep)
    except CheckFailed as failure:
        print(f"smoke: {failure}", file=sys.stderr)
        return 1
    print(f"smoke: {args.url} serves the SPA, the API and a login")
    return 0


if __name__ == "__main__":
    sys.exit(main())
