"""Fixtures for the scheduled functions' tests."""

from __future__ import annotations

import urllib.error
from typing import Any

import pytest


@pytest.fixture
def broker_answers(relay, monkeypatch):
    """Makes the relay's broker answer `status` for the events with the given titles."""
    from functions.activity import relay_outbox  # handlers read their settings at import

    answers: dict[str, int] = {}
    publish = relay_outbox.publish  # the relay fixture's, into the in-process broker

    def answering(event: dict[str, Any]) -> None:
        status = answers.get(event["data"].get("title"))
        if status:
            raise urllib.error.HTTPError("http://broker", status, "answered", None, None)  # type: ignore[arg-type]
        publish(event)

    monkeypatch.setattr(relay_outbox, "publish", answering)
    return answers
