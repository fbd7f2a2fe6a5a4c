"""What differs between staging and production, and where each value may be overridden.

The one source of each environment's account, region, domain and role names: the CDK app
and knative/render.py both resolve their environment here. A value comes from, in order:
CDK context (`-c staging.account=...`, or cdk.json), the environment
(`TASKFORGE_STAGING_ACCOUNT=...`), the default below. The account and the domain have no
default: a deploy names them. Offline synthesis and the tests use `example_context()`,
values that can never reach a real account. Two context values are not per environment:
`env` (which stack the app contains) and `imageTag` (the release deployed).

A missing or malformed value raises ConfigurationError, one line naming the field and
where to set it, before any construct exists.
"""

from __future__ import annotations

import ipaddress
import json
import os
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, fields, replace
from pathlib import Path
from typing import Any

# The Kubernetes side (knative/render.py) renders every function into this namespace,
# with a ServiceAccount named after the function and annotated with the role below.
NAMESPACE = "taskforge"
APP = "taskforge"
CLOUDFRONT_REGION = "us-east-1"
ROOT = Path(__file__).resolve().parent.parent

# Values no real deploy can have: AWS's documentation account, and names under `.example`,
# a top-level domain reserved for documentation (RFC 2606). `python cdk/app.py --example`
# and the tests synthesize with them; knative/render.py --print refuses them.
EXAMPLE_ACCOUNT = "123456789012"
EXAMPLE_DOMAINS = {"staging": "staging.taskforge.example", "production": "taskforge.example"}
_EXAMPLE_ACCOUNTS = {EXAMPLE_ACCOUNT, "000000000000"}  # the second: moto's and LocalStack's
_RESERVED_DOMAINS = ("example", "test", "invalid", "localhost", "example.com", "example.net", "example.org")

_ACCOUNT = re.compile(r"[0-9]{12}")
_REGION = re.compile(r"[a-z]{2}(-gov|-iso[a-z]?)?-[a-z]+-[0-9]")
_DNS_LABEL = re.compile(r"[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?")
_HOSTED_ZONE = re.compile(r"Z[A-Z0-9]+")
_EMAIL = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s]+")
_ROLE_ARN = re.compile(r"arn:aws:iam::[0-9]{12}:role/[\w+=,.@/-]{1,512}")


class ConfigurationError(ValueError):
    """An environment value that is missing or malformed: one line naming it and where to set it."""


@dataclass(frozen=True)
class Environment:
    name: str
    account: str
    region: str
    # The SPA is served at https://<domain>, the API at https://api.<domain>, and mail
    # leaves from reminders@<domain>.
    domain: str
    production: bool
    availability_zones: int
    nat_gateways: int
    backup_retention_days: int
    database_instance_type: str
    database_storage_gib: int
    database_multi_az: bool
    cache_node_type: str
    cache_nodes: int
    node_instance_type: str
    nodes_min: int
    nodes_max: int
    # The VPC's addresses: the network CDK builds, and the proxies the functions trust
    # (knative/render.py: TRUSTED_PROXY_NETWORKS).
    vpc_cidr: str = "10.40.0.0/16"
    # Optional: where alarms are e-mailed; the Route 53 zone of `domain` (validates the
    # certificate automatically when given); a role to administer the cluster; the role the
    # CD workflow assumes (edits the functions' namespace only); CIDRs allowed to reach the
    # Kubernetes API from outside the VPC (none: private only).
    alarm_email: str = ""
    hosted_zone_id: str = ""
    cluster_admin_role_arn: str = ""
    deploy_role_arn: str = ""
    endpoint_cidrs: tuple[str, ...] = field(default_factory=tuple)
    # CloudFront's origin-facing managed prefix list (com.amazonaws.global.cloudfront.origin-facing)
    # in `region`: the only source the ALB accepts. This is its id in us-east-1.
    cloudfront_prefix_list_id: str = "pl-3b927c52"
    # The release being deployed (`-c imageTag=<commit SHA>`), reported as the stack's `Image`
    # output; empty when synthesizing without one.
    image_tag: str = ""

    @property
    def stack_name(self) -> str:
        return f"TaskForge-{self.name}"

    @property
    def api_domain(self) -> str:
        return f"api.{self.domain}"

    @property
    def mail_sender(self) -> str:
        return f"reminders@{self.domain}"

    @property
    def public_url(self) -> str:
        """Where people open the app: the SPA's origin, links in e-mails, the API's CORS origin."""
        return f"https://{self.domain}"

    def role_name(self, function_name: str) -> str:
        """The IAM role the function's ServiceAccount names (knative/render.py: role_arn)."""
        return f"{APP}-{self.name}-{function_name}"


# No account and no domain: those a deploy must name (`REQUIRED`).
DEFAULTS: dict[str, Environment] = {
    "staging": Environment(
        name="staging",
        account="",
        region="us-east-1",
        domain="",
        production=False,
        availability_zones=2,
        nat_gateways=1,
        backup_retention_days=7,
        database_instance_type="t4g.medium",
        database_storage_gib=20,
        database_multi_az=False,
        cache_node_type="cache.t4g.small",
        cache_nodes=1,
        node_instance_type="m7i.large",
        nodes_min=8,
        nodes_max=10,
    ),
    "production": Environment(
        name="production",
        account="",
        region="us-east-1",
        domain="",
        production=True,
        availability_zones=3,
        nat_gateways=3,
        backup_retention_days=30,
        database_instance_type="m7g.large",
        database_storage_gib=100,
        database_multi_az=True,
        cache_node_type="cache.m7g.large",
        cache_nodes=2,
        node_instance_type="m7i.xlarge",
        nodes_min=3,
        nodes_max=10,
    ),
}
REQUIRED = ("account", "domain")


def example_context() -> dict[str, str]:
    """Context that fills every required value with one that cannot be deployed."""
    values: dict[str, str] = {}
    for name in DEFAULTS:
        values |= {f"{name}.account": EXAMPLE_ACCOUNT, f"{name}.domain": EXAMPLE_DOMAINS[name]}
    return values


def file_context(root: Path = ROOT) -> dict[str, Any]:
    """The context in cdk.json, which only the CDK CLI reads by itself."""
    context: dict[str, Any] = json.loads((root / "cdk.json").read_text())["context"]
    return context


def selected(context: Callable[[str], Any]) -> tuple[str, ...]:
    """The environments to synthesize: `-c env=<name>` picks one, so `cdk deploy` needs no stack name."""
    chosen = context("env")
    if chosen in (None, ""):
        return tuple(DEFAULTS)
    if chosen not in DEFAULTS:
        raise ConfigurationError(f"env={chosen!r}: expected one of {', '.join(DEFAULTS)}")
    return (str(chosen),)


def where(name: str, item: str) -> str:
    """Where a value is set, for an error message."""
    return f"set -c {name}.{item}=… or TASKFORGE_{name.upper()}_{item.upper()}"


def _convert(kind: Any, text: str) -> Any:
    if kind in (bool, "bool"):
        return text.strip().lower() in ("1", "true", "yes")
    if kind in (int, "int"):
        return int(text)
    if kind in (tuple[str, ...], "tuple[str, ...]"):
        return tuple(part.strip() for part in text.split(",") if part.strip())
    return text.strip()


def resolve(name: str, context: Callable[[str], Any], env: Mapping[str, str] | None = None) -> Environment:
    """The defaults for `name`, each overridden by context `<name>.<field>` or `TASKFORGE_<NAME>_<FIELD>`."""
    environ = os.environ if env is None else env
    base = DEFAULTS[name]
    changes: dict[str, Any] = {}
    for item in fields(Environment):
        if item.name == "name":
            continue
        value = context(f"{name}.{item.name}")
        if value is None:
            value = environ.get(f"TASKFORGE_{name.upper()}_{item.name.upper()}")
        if value is None:
            continue
        try:
            if isinstance(value, str):
                value = _convert(item.type, value)
            elif isinstance(value, list):
                value = tuple(value)
        except ValueError:
            raise ConfigurationError(
                f"{name}.{item.name}: {value!r} is not a whole number; {where(name, item.name)}"
            ) from None
        changes[item.name] = value
    image_tag = context("imageTag")  # one deploy command: `cdk deploy -c env=staging -c imageTag=<tag>`
    if image_tag:
        changes["image_tag"] = str(image_tag)
    environment = replace(base, **changes)
    problem = first_problem(environment)
    if problem:
        wrong, reason = problem
        raise ConfigurationError(f"{name}.{wrong}: {reason}; {where(name, wrong)}")
    return environment


def first_problem(environment: Environment) -> tuple[str, str] | None:
    """(field, what is wrong with it) for the first value a deploy could not use, if any."""
    for item in REQUIRED:
        if not getattr(environment, item):
            return item, "missing"
    checks: list[tuple[str, str | int, bool, str]] = [
        (
            "account",
            environment.account,
            bool(_ACCOUNT.fullmatch(environment.account)),
            "is not a 12-digit AWS account id",
        ),
        ("region", environment.region, bool(_REGION.fullmatch(environment.region)), "is not an AWS region"),
        # One certificate serves CloudFront and the ALB, and CloudFront takes it from us-east-1 only.
        (
            "region",
            environment.region,
            environment.region == CLOUDFRONT_REGION,
            f"must be {CLOUDFRONT_REGION} (CloudFront's certificate region)",
        ),
        ("domain", environment.domain, is_dns_name(environment.domain), "is not a lowercase DNS name"),
        (
            "hosted_zone_id",
            environment.hosted_zone_id,
            not environment.hosted_zone_id or bool(_HOSTED_ZONE.fullmatch(environment.hosted_zone_id)),
            "is not a Route 53 hosted zone id (Z…)",
        ),
        (
            "alarm_email",
            environment.alarm_email,
            not environment.alarm_email or bool(_EMAIL.fullmatch(environment.alarm_email)),
            "is not an e-mail address",
        ),
        ("vpc_cidr", environment.vpc_cidr, _is_network(environment.vpc_cidr, version=4), "is not an IPv4 CIDR"),
        *(("endpoint_cidrs", cidr, _is_network(cidr), "is not a CIDR") for cidr in environment.endpoint_cidrs),
        *(
            (item, arn, not arn or bool(_ROLE_ARN.fullmatch(arn)), "is not an IAM role ARN")
            for item, arn in (
                ("cluster_admin_role_arn", environment.cluster_admin_role_arn),
                ("deploy_role_arn", environment.deploy_role_arn),
            )
        ),
        (
            "nodes_min",
            environment.nodes_min,
            1 <= environment.nodes_min <= environment.nodes_max,
            f"must be at least 1 and at most nodes_max ({environment.nodes_max})",
        ),
    ]
    for item, value, valid, reason in checks:
        if not valid:
            return item, f"{value!r} {reason}"
    return None


def is_dns_name(name: str) -> bool:
    labels = name.split(".")
    return len(name) <= 253 and len(labels) >= 2 and all(_DNS_LABEL.fullmatch(label) for label in labels)


def _is_network(text: str, version: int | None = None) -> bool:
    try:
        network = ipaddress.ip_network(text)
    except ValueError:
        return False
    return version is None or network.version == version


def example_values(environment: Environment) -> list[str]:
    """The fields that hold a value only documentation and tests use, which no deploy may."""
    found = []
    if environment.account in _EXAMPLE_ACCOUNTS:
        found.append("account")
    if any(
        environment.domain == reserved or environment.domain.endswith(f".{reserved}") for reserved in _RESERVED_DOMAINS
    ):
        found.append("domain")
    return found
