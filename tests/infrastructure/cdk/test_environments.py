"""Where each environment's values come from (defaults, the environment, CDK context), what
resolve() refuses, and that the CDK app and knative/render.py read the same source.
No synthesis here, except one subprocess that must stop before it."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Callable, Mapping

import pytest

from cdk.environments import (
    DEFAULTS,
    EXAMPLE_DOMAINS,
    ConfigurationError,
    example_context,
    example_values,
    resolve,
    selected,
)
from tests.infrastructure.manifests import ROOT, render

# What a deploy sets for staging: neither examples nor placeholders.
STAGING = {"TASKFORGE_STAGING_ACCOUNT": "314159265358", "TASKFORGE_STAGING_DOMAIN": "staging.acme.io"}


def _context(values: Mapping[str, object]) -> Callable[[str], object | None]:
    return values.get


def test_the_manifests_are_rendered_from_the_same_settings_the_stack_is_built_from() -> None:
    for overlay in render.ENVIRONMENTS:
        environment = resolve(overlay.name, _context(example_context()), env={})
        assert overlay.settings.domain == environment.domain == EXAMPLE_DOMAINS[overlay.name]
        assert overlay.region == environment.region
        assert overlay.hosts == (environment.api_domain,)
        assert overlay.cors_allow_origin == environment.public_url == f"https://{environment.domain}"
        assert overlay.mail_sender == environment.mail_sender
        assert overlay.trusted_proxy_networks.split(",")[0] == environment.vpc_cidr
        assert overlay.role_arn("get-health").endswith(f":role/{environment.role_name('get-health')}")


def test_a_deploys_values_reach_the_rendered_roles_hosts_and_mail_sender() -> None:
    overlay = render.deployed("staging", environ=STAGING, context={})
    assert overlay.role_arn("get-health") == "arn:aws:iam::314159265358:role/taskforge-staging-get-health"
    assert overlay.image_repository == "314159265358.dkr.ecr.us-east-1.amazonaws.com/taskforge"
    assert overlay.hosts == ("api.staging.acme.io",)
    assert overlay.mail_sender == "reminders@staging.acme.io"


def test_no_default_names_an_account_or_a_domain() -> None:
    for environment in DEFAULTS.values():
        assert (environment.account, environment.domain) == ("", "")


def test_context_wins_over_the_environment_which_wins_over_the_default() -> None:
    env = STAGING | {
        "TASKFORGE_STAGING_ACCOUNT": "333333333333",
        "TASKFORGE_STAGING_NODES_MAX": "9",
        "TASKFORGE_STAGING_ENDPOINT_CIDRS": "203.0.113.0/24, 198.51.100.7/32",
    }
    environment = resolve("staging", _context({"staging.account": "444444444444"}), env=env)
    assert environment.account == "444444444444"
    assert environment.nodes_max == 9
    assert environment.endpoint_cidrs == ("203.0.113.0/24", "198.51.100.7/32")
    assert environment.domain == "staging.acme.io"
    assert environment.vpc_cidr == DEFAULTS["staging"].vpc_cidr


@pytest.mark.parametrize(
    ("override", "message"),
    [
        (
            {"TASKFORGE_STAGING_ACCOUNT": None},
            "staging.account: missing; set -c staging.account=… or TASKFORGE_STAGING_ACCOUNT",
        ),
        (
            {"TASKFORGE_STAGING_DOMAIN": None},
            "staging.domain: missing; set -c staging.domain=… or TASKFORGE_STAGING_DOMAIN",
        ),
        (
            {"TASKFORGE_STAGING_ACCOUNT": "31415926535x"},
            "staging.account: '31415926535x' is not a 12-digit AWS account id",
        ),
        ({"TASKFORGE_STAGING_REGION": "us-east-10x"}, "staging.region: 'us-east-10x' is not an AWS region"),
        ({"TASKFORGE_STAGING_REGION": "eu-west-1"}, "staging.region: 'eu-west-1' must be us-east-1"),
        (
            {"TASKFORGE_STAGING_DOMAIN": "Staging.Acme.io"},
            "staging.domain: 'Staging.Acme.io' is not a lowercase DNS name",
        ),
        ({"TASKFORGE_STAGING_DOMAIN": "acme"}, "staging.domain: 'acme' is not"),
        ({"TASKFORGE_STAGING_DOMAIN": "-bad.acme.io"}, "staging.domain: '-bad.acme.io' is not"),
        (
            {"TASKFORGE_STAGING_HOSTED_ZONE_ID": "z123"},
            "staging.hosted_zone_id: 'z123' is not a Route 53 hosted zone id",
        ),
        (
            {"TASKFORGE_STAGING_ENDPOINT_CIDRS": "203.0.113.0/24,203.0.113.300/32"},
            "staging.endpoint_cidrs: '203.0.113.300/32' is not a CIDR",
        ),
        ({"TASKFORGE_STAGING_VPC_CIDR": "fd00::/48"}, "staging.vpc_cidr: 'fd00::/48' is not an IPv4 CIDR"),
        ({"TASKFORGE_STAGING_ALARM_EMAIL": "ops"}, "staging.alarm_email: 'ops' is not an e-mail address"),
        (
            {"TASKFORGE_STAGING_DEPLOY_ROLE_ARN": "taskforge-cd"},
            "staging.deploy_role_arn: 'taskforge-cd' is not an IAM",
        ),
        ({"TASKFORGE_STAGING_NODES_MAX": "four"}, "staging.nodes_max: 'four' is not a whole number"),
        (
            {"TASKFORGE_STAGING_NODES_MIN": "11", "TASKFORGE_STAGING_NODES_MAX": "10"},
            "staging.nodes_min: 11 must be at least 1 and at most nodes_max (10)",
        ),
        ({"TASKFORGE_STAGING_NODES_MIN": "0"}, "staging.nodes_min: 0 must be at least 1"),
    ],
)
def test_a_missing_or_malformed_value_is_refused_with_one_line_naming_it_and_where_to_set_it(
    override: dict[str, str | None], message: str
) -> None:
    env = {key: value for key, value in (STAGING | override).items() if value is not None}
    with pytest.raises(ConfigurationError) as raised:
        resolve("staging", _context({}), env=env)
    assert str(raised.value).startswith(message)
    assert "\n" not in str(raised.value)
    assert str(raised.value).endswith("TASKFORGE_STAGING_" + message.split(":")[0].split(".")[1].upper())


def test_optional_values_are_accepted_when_well_formed() -> None:
    env = STAGING | {
        "TASKFORGE_STAGING_HOSTED_ZONE_ID": "Z0123456789ABC",
        "TASKFORGE_STAGING_ALARM_EMAIL": "ops@acme.io",
        "TASKFORGE_STAGING_DEPLOY_ROLE_ARN": "arn:aws:iam::314159265358:role/taskforge-cd-staging",
        "TASKFORGE_STAGING_ENDPOINT_CIDRS": "2001:db8::/32",
    }
    environment = resolve("staging", _context({}), env=env)
    assert environment.hosted_zone_id == "Z0123456789ABC"
    assert example_values(environment) == []


def test_example_values_are_recognized_as_such() -> None:
    environment = resolve("production", _context(example_context()), env={})
    assert example_values(environment) == ["account", "domain"]
    lookalike = resolve(
        "production", _context({"production.account": "314159265358", "production.domain": "notexample.com"}), env={}
    )
    assert example_values(lookalike) == []


def test_boolean_values_from_the_command_line_are_read_as_booleans() -> None:
    environment = resolve("staging", _context({"staging.database_multi_az": "true"}), env=STAGING)
    assert environment.database_multi_az is True


def test_env_context_selects_the_one_stack_to_synthesize_and_deploy() -> None:
    assert selected(_context({})) == tuple(DEFAULTS)
    assert selected(_context({"env": "staging"})) == ("staging",)
    assert selected(_context({"env": "production"})) == ("production",)
    with pytest.raises(ConfigurationError, match="staging, production"):
        selected(_context({"env": "prod"}))


def test_image_tag_context_reaches_every_environment() -> None:
    assert resolve("staging", _context({}), env=STAGING).image_tag == ""
    environment = resolve("production", _context(example_context() | {"imageTag": "0123abc"}), env={})
    assert environment.image_tag == "0123abc"


def test_the_app_stops_with_one_line_on_stderr_when_a_value_is_missing(tmp_path: os.PathLike[str]) -> None:
    env = {key: value for key, value in os.environ.items() if not key.startswith("TASKFORGE_")}
    env |= {
        "CDK_OUTDIR": str(tmp_path),
        "TASKFORGE_PRODUCTION_DOMAIN": "bad_domain.acme.io",
        "JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION": "20",
    }
    finished = subprocess.run(
        [sys.executable, str(ROOT / "cdk" / "app.py")],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert finished.returncode == 2
    assert finished.stderr == "cdk: staging.account: missing; set -c staging.account=… or TASKFORGE_STAGING_ACCOUNT\n"
    assert list(os.scandir(tmp_path)) == []  # nothing synthesized


def test_the_app_names_a_malformed_value_of_the_one_environment_it_builds(tmp_path: os.PathLike[str]) -> None:
    env = {key: value for key, value in os.environ.items() if not key.startswith("TASKFORGE_")}
    env |= {
        "CDK_OUTDIR": str(tmp_path),
        "CDK_CONTEXT_JSON": '{"env": "production"}',
        "TASKFORGE_PRODUCTION_ACCOUNT": "314159265358",
        "TASKFORGE_PRODUCTION_DOMAIN": "bad_domain.acme.io",
        "JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION": "20",
    }
    finished = subprocess.run(
        [sys.executable, str(ROOT / "cdk" / "app.py")],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert finished.returncode == 2
    assert finished.stderr.startswith("cdk: production.domain: 'bad_domain.acme.io' is not a lowercase DNS name;")
    assert finished.stderr.count("\n") == 1
    assert "Traceback" not in finished.stderr
