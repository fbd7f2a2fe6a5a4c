"""Thousands of random requests, by random users, to every route in the catalog, aimed at
random things of two shared workspaces, of personal ones and at ids that do not exist:
not one unauthorized read or write.

Each request is judged by an independent model of the rules (model.py): its status,
the body of every success against the model's data, every body against what its reader
may see, and, at checkpoints, the whole database against the model. A failure names
the seed that replays the run.
"""

from __future__ import annotations

import json
import random
from collections import Counter
from pathlib import Path

from .generators import GENERATORS, WEIGHTS
from .plans import Step
from .population import populate, run_started
from .runner import FORGED, Runner, RunSettings, catalog_routes

LOGIN = "POST /api/auth/login"
FORGED_SHARE = 0.03  # of requests sent with credentials other than the actor's token
RELOGIN_SHARE = 0.5  # of turns a logged-out user spends logging in again


def generator_gaps() -> list[str]:
    """Catalog routes without a request generator, and generators of routes the catalog lost."""
    routes = catalog_routes()
    return [
        f"no request generator in tests/functional/authorization/generators.py for {key}"
        for key in routes
        if key not in GENERATORS
    ] + [f"a request generator for {key}, which the catalog no longer has" for key in GENERATORS if key not in routes]


def test_every_catalog_route_has_a_request_generator() -> None:
    assert generator_gaps() == []


def test_random_requests_never_reach_what_the_rules_forbid(runner: Runner, run_settings: RunSettings) -> None:
    print(f"\n{run_settings.replay()}")
    assert generator_gaps() == []
    rng = random.Random(run_settings.seed)
    now = run_started()
    # Given: two shared workspaces with three roles each, an outsider, and their data
    populate(runner, rng, now)
    world, set_up = runner.world, runner.figures.requests
    keys = list(catalog_routes())
    weights = [WEIGHTS.get(key, 1.0) for key in keys]
    actors = list(world.users.values())

    # When: random users send random requests at random targets; every route once first, in a
    # random order (a rarely weighted route could otherwise go unsent by chance), then as weighted
    unsent = rng.sample(keys, len(keys))
    for index in range(run_settings.requests):
        actor = actors[rng.randrange(len(actors))]
        relogin = not actor.session_valid and rng.random() < RELOGIN_SHARE
        key = LOGIN if relogin else (unsent.pop() if unsent else rng.choices(keys, weights)[0])
        plan = GENERATORS[key](Step(rng, world, actor, now))
        credentials = FORGED[rng.randrange(len(FORGED))] if rng.random() < FORGED_SHARE else "valid"
        runner.send(actor, plan, key, credentials)
        if (index + 1) % run_settings.check_every == 0:
            runner.checkpoint()

    # Then: (each answer was checked as it came) the database still equals the model
    runner.checkpoint()
    figures = runner.figures
    summary = {
        "seed": run_settings.seed,
        "random_requests": figures.requests - set_up,
        "set_up_requests": set_up,
        **figures.summary(),
    }
    print(json.dumps(summary, indent=1))
    if run_settings.report:
        Path(run_settings.report).write_text(json.dumps(summary, indent=1) + "\n")
    if run_settings.requests >= 1000:
        missed = [key for key in keys if figures.routes[key] == 0]
        assert missed == [], f"routes no request reached: {missed}"
        # The run met every side of the rules, not only one.
        for standing, outcomes in [
            ("owner", ["write allowed"]),
            ("editor", ["write allowed"]),
            ("viewer", ["read allowed"]),
            ("viewer", ["write refused 403"]),
            ("non-member", ["read refused 404"]),
            ("non-member", ["write refused 404"]),
            ("forged token", ["read refused 401", "write refused 401"]),
            ("logged out", ["read refused 401", "write refused 401"]),
        ]:
            seen = figures.by_standing.get(standing, Counter())
            assert sum(seen[outcome] for outcome in outcomes) > 0, f"the run met no {standing}: {outcomes}"
