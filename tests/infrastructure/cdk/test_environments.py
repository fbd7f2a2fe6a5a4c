"""Where each environment's values come from: defaults, then the environment, then CDK context.
No synthesis here."""

from __future__ import annotations

from collections.abc import Callable, Mapping

import pytest

from cdk.environments import DEFAULTS, resolve, selected
from tests.infrastructure.manifests import render


def _context(values: Mapping[str, object]) -> Callable[[str], object | None]:
    return values.get


def test_the_defaults_are_the_accounts_regions_and_hosts_the_manifests_were_rendered_for() -> None:
    for overlay in render.ENVIRONMENTS:
        environment = resolve(overlay.name, _context({}), env={})
        assert (environment.account, environment.region) == (overlay.account_id, overlay.region)
        assert environment.api_domain in overlay.hosts
        assert overlay.cors_allow_origin == f"https://{environment.domain}"
        assert environment.mail_sender == overlay.mail_sender
        assert overlay.role_arn("get-health").endswith(f":role/{environment.role_name('get-health')}")


def test_context_wins_over_the_environment_which_wins_over_the_default() -> None:
    env = {"TASKFORGE_STAGING_ACCOUNT": "333333333333", "TASKFORGE_STAGING_NODES_MAX": "7",
           "TASKFORGE_STAGING_ENDPOINT_CIDRS": "203.0.113.0/24, 198.51.100.7/32"}
    environment = resolve("staging", _context({"staging.account": "444444444444"}), env=env)
    assert environment.account == "444444444444"
    assert environment.nodes_max == 7
    assert environment.endpoint_cidrs == ("203.0.113.0/24", "198.51.100.7/32")
    assert environment.domain == DEFAULTS["staging"].domain


def test_a_region_other_than_cloudfronts_is_refused() -> None:
    with pytest.raises(ValueError, match="us-east-1"):
        resolve("production", _context({"production.region": "eu-west-1"}), env={})


def test_boolean_values_from_the_command_line_are_read_as_booleans() -> None:
    environment = resolve("staging", _context({"staging.database_multi_az": "true"}), env={})
    assert environment.database_multi_az is True


def test_env_context_selects_the_one_stack_to_synthesize_and_deploy() -> None:
    assert selected(_context({})) == tuple(DEFAULTS)
    assert selected(_context({"env": "staging"})) == ("staging",)
    assert selected(_context({"env": "production"})) == ("production",)
    with pytest.raises(ValueError, match="staging, production"):
        selected(_context({"env": "prod"}))


def test_image_tag_context_reaches_every_environment() -> None:
    assert resolve("staging", _context({}), env={}).image_tag == ""
    environment = resolve("production", _context({"imageTag": "0123abc"}), env={})
    assert environment.image_tag == "0123abc"
