"""Fixtures of the randomized authorization run: its settings (from the environment), the
activity relay, the database connection that checks the model, and the world.

AUTHZ_SEED replays a run (each run prints its seed; a failure names it), AUTHZ_REQUESTS
sets how many random requests follow the set-up (2000 by default: 12-22 s on two cores
at load 5, about 50 s at load 10), AUTHZ_CHECK_EVERY how often the database is compared
with the model (every 10 requests narrows a failure down to one of the last ten), and
AUTHZ_REPORT names a file for the run's figures (JSON). A long run needs pytest's
per-test timeout lifted: `--timeout 0`.
"""

from __future__ import annotations

import os
import random
from collections.abc import Callable, Iterator
from typing import Any

import psycopg
import pytest

from tests.functional.api.conftest import Mailbox, mailbox  # noqa: F401

from .model import World
from .population import Account, enrol
from .runner import Runner, RunSettings


@pytest.fixture
def run_settings() -> RunSettings:
    seed = os.environ.get("AUTHZ_SEED")
    return RunSettings(
        seed=int(seed) if seed else random.SystemRandom().randrange(2**32),
        requests=int(os.environ.get("AUTHZ_REQUESTS", "2000")),
        check_every=int(os.environ.get("AUTHZ_CHECK_EVERY", "250")),
        report=os.environ.get("AUTHZ_REPORT") or None,
    )


def reset_rate_limits(user_ids: list[str]) -> None:
    from functions.platform.cache import Cache
    from functions.platform.ratelimit import Counters
    from functions.platform.settings import Settings

    counters = Counters(Cache(Settings.from_env()), None)
    for user_id in user_ids:
        counters.reset(f"api:{user_id}")  # the key Dependencies.caller counts under


@pytest.fixture
def checker(api_database: str) -> Iterator[psycopg.Connection[Any]]:
    with psycopg.connect(api_database, autocommit=True) as conn:
        yield conn


@pytest.fixture
def runner(
    gateway: Any,
    make_account: Callable[..., Account],
    checker: psycopg.Connection[Any],
    relay: Callable[[], int],
    run_settings: RunSettings,
    mailbox: Mailbox,  # noqa: F811 - the fixture, imported above for pytest to find
) -> Iterator[Runner]:
    """The world's seven users enrolled (nothing else yet) and a runner to act for them.

    The users go with make_account's clean-up, and what they made with them; users that
    registered during the run are deleted here.
    """
    world = World()
    world.mailed_links = lambda email: mailbox.links(email, "/verify-email")
    enrol(world, make_account, random.Random(run_settings.seed))
    yield Runner(gateway, world, checker, relay, reset_rate_limits, run_settings.replay())
    if world.newcomers:
        checker.execute("DELETE FROM users WHERE id = ANY(%s::uuid[])", (list(world.newcomers),))
