"""What the proofs share: polling for a condition, and an account on a running stack."""

from __future__ import annotations

import time
import uuid
from collections.abc import Callable

import requests

CLIENT_TIMEOUT = 10.0


def poll(condition: Callable[[], object], timeout: float, what: str, interval: float = 0.05) -> float:
    """Polls `condition` until it holds; returns when it did. Fails after `timeout` seconds."""
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, f"{what} within {timeout}s"
        time.sleep(interval)  # polling interval
    return time.monotonic()


def sign_up(base_url: str, label: str) -> str:
    """Registers and logs in a fresh account; its access token."""
    email, password = f"{label}-{uuid.uuid4().hex[:10]}@example.com", "a long enough password"
    registered = requests.post(
        f"{base_url}/api/auth/register", json={"email": email, "password": password}, timeout=CLIENT_TIMEOUT
    )
    assert registered.status_code == 201, registered.text
    login = requests.post(
        f"{base_url}/api/auth/login", json={"email": email, "password": password}, timeout=CLIENT_TIMEOUT
    )
    assert login.status_code == 200, login.text
    return str(login.json()["access_token"])
