"""An idle keep-alive connection outlives an ALB's idle timeout (60 s): the proxy closes it, not us.

Were the runtime first, a request the proxy sends on the connection just as it closes would
fail; hyper's own default (30 s) did exactly that. The test idles past 60 s: the idle time is
what it checks, so it waits for it.
"""

from __future__ import annotations

import http.client
import time
from urllib.parse import urlsplit

import pytest

from .helpers import runtime

ALB_IDLE_TIMEOUT_SECONDS = 60


@pytest.mark.timeout(ALB_IDLE_TIMEOUT_SECONDS + 60)
def test_an_idle_connection_is_still_served_after_an_albs_idle_timeout(
    tmp_path_factory: pytest.TempPathFactory,
) -> None:
    with runtime(tmp_path_factory, "keep-alive", {"HANDLER": "echo_handlers.handler"}) as server:
        address = urlsplit(server.base_url)
        connection = http.client.HTTPConnection(address.hostname or "", address.port, timeout=10)
        try:
            connection.request("GET", "/items/1")
            first = connection.getresponse()
            first.read()
            opened = connection.sock
            time.sleep(ALB_IDLE_TIMEOUT_SECONDS + 2)
            connection.request("GET", "/items/2")
            second = connection.getresponse()
            second.read()
            assert connection.sock is opened  # the same connection, not a new one
        finally:
            connection.close()
    assert (first.status, second.status) == (200, 200)
