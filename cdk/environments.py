"""What differs between staging and production, and where each value may be overridden.

Every value has a default, so `cdk synth` needs no flags and no AWS credentials. A
value comes from, in order: CDK context (`-c staging.account=...`), the environment
(`TASKFORGE_STAGING_ACCOUNT=...`), the default below. Two context values are not per
environment: `env` (which stack the app contains) and `imageTag` (the release deployed).
"""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass, field, fields, replace
from typing import Any

# The Kubernetes side (knative/render.py) renders every function into this namespace,
# with a ServiceAccount named after the function and annotated with the role below.
NAMESPACE = "taskforge"
APP = "taskforge"
CLOUDFRONT_REGION = "us-east-1"


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

    def role_name(self, function_name: str) -> str:
        """The IAM role the function's ServiceAccount names (knative/render.py: role_arn)."""
        return f"{APP}-{self.name}-{function_name}"


DEFAULTS: dict[str, Environment] = {
    "staging": Environment(
        name="staging", account="111111111111", region="us-east-1", domain="staging.taskforge.dev",
        production=False, availability_zones=2, nat_gateways=1, backup_retention_days=7,
        database_instance_type="t4g.medium", database_storage_gib=20, database_multi_az=False,
        cache_node_type="cache.t4g.small", cache_nodes=1,
        node_instance_type="m7i.large", nodes_min=2, nodes_max=4,
    ),
    "production": Environment(
        name="production", account="222222222222", region="us-east-1", domain="taskforge.dev",
        production=True, availability_zones=3, nat_gateways=3, backup_retention_days=30,
        database_instance_type="m7g.large", database_storage_gib=100, database_multi_az=True,
        cache_node_type="cache.m7g.large", cache_nodes=2,
        node_instance_type="m7i.xlarge", nodes_min=3, nodes_max=10,
    ),
}


def selected(context: Callable[[str], Any]) -> tuple[str, ...]:
    """The environments to synthesize: `-c env=<name>` picks one, so `cdk deploy` needs no stack name."""
    chosen = context("env")
    if chosen in (None, ""):
        return tuple(DEFAULTS)
    if chosen not in DEFAULTS:
        raise ValueError(f"env={chosen!r}: expected one of {', '.join(DEFAULTS)}")
    return (str(chosen),)


def _convert(kind: Any) -> Callable[[str], Any]:
    if kind in (bool, "bool"):
        return lambda text: text.strip().lower() in ("1", "true", "yes")
    if kind in (int, "int"):
        return int
    if kind in (tuple[str, ...], "tuple[str, ...]"):
        return lambda text: tuple(part.strip() for part in text.split(",") if part.strip())
    return str


def resolve(name: str, context: Callable[[str], Any], env: dict[str, str] | None = None) -> Environment:
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
        if isinstance(value, str):
            value = _convert(item.type)(value)
        elif isinstance(value, list):
            value = tuple(value)
        changes[item.name] = value
    image_tag = context("imageTag")  # one deploy command: `cdk deploy -c env=staging -c imageTag=<tag>`
    if image_tag:
        changes["image_tag"] = str(image_tag)
    environment = replace(base, **changes)
    if environment.region != CLOUDFRONT_REGION:
        # One certificate serves CloudFront and the ALB, and CloudFront takes it from us-east-1 only.
        raise ValueError(f"{name}: region must be {CLOUDFRONT_REGION} (CloudFront's certificate region)")
    return environment
