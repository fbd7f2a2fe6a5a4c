"""One IAM role per catalog function (IRSA), trusted only by that function's
ServiceAccount and granted exactly what its `uses` names, through grant_* alone.

knative/render.py names the ServiceAccount after the function, in the `taskforge`
namespace, and annotates it with arn:aws:iam::<account>:role/taskforge-<env>-<function>.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import cast

from aws_cdk import CfnElement, CfnJson, Duration, Stack
from aws_cdk import aws_dynamodb as dynamodb
from aws_cdk import aws_iam as iam
from aws_cdk import aws_secretsmanager as secretsmanager
from constructs import Construct

from cdk.components.mail import Mail
from cdk.components.nag import acknowledge
from cdk.components.tables import Tables
from cdk.environments import NAMESPACE, Environment
from functions.catalog import Function

# The catalog says `dynamodb`; which table, and how, is decided here per function. A new
# function that uses DynamoDB fails synthesis until it is listed.
TABLE_ACCESS: dict[str, tuple[str, str]] = {
    "dispatch-reminders": ("ledger", "read_write"),  # claim (conditional put), state, confirm, release
    "record-activity": ("activity", "write"),
    "list-activity": ("activity", "read"),
    "task-activity": ("activity", "read"),  # queries the by-task index
}
INDEX_REASONS = {
    "read": "Reading the feed queries the by-task index; grant_read_data names the table's indexes so.",
    "write": "grant_write_data names the table's indexes too; writes go to the table, DynamoDB keeps the index.",
}
# `broker` is the in-cluster Knative Broker: nothing in AWS to grant.
IN_CLUSTER_USES = frozenset({"broker"})


@dataclass(frozen=True)
class Grantables:
    """What the `uses` of the catalog name, in AWS."""

    tables: Tables
    mail: Mail
    database: secretsmanager.ISecret
    redis: secretsmanager.ISecret
    signing_key: secretsmanager.ISecret
    verify_key: secretsmanager.ISecret
    vapid_key: secretsmanager.ISecret


def irsa_principal(
    scope: Construct, construct_id: str, provider: iam.IOpenIdConnectProvider, namespace: str, service_account: str
) -> iam.IPrincipal:
    """Web identity of one ServiceAccount. The condition keys hold the cluster's issuer, known
    only at deploy time, so CfnJson builds them."""
    issuer = provider.open_id_connect_provider_issuer
    conditions = CfnJson(
        scope,
        construct_id,
        value={
            f"{issuer}:sub": f"system:serviceaccount:{namespace}:{service_account}",
            f"{issuer}:aud": "sts.amazonaws.com",
        },
    )
    return iam.OpenIdConnectPrincipal(provider, conditions={"StringEquals": conditions})


class Identity(Construct):
    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        environment: Environment,
        provider: iam.IOpenIdConnectProvider,
        functions: Sequence[Function],
        grantables: Grantables,
    ) -> None:
        super().__init__(scope, construct_id)
        self._grantables = grantables
        grants: dict[str, Callable[[Function, iam.Role], object]] = {
            "database": lambda _, role: grantables.database.grant_read(role),
            "redis": lambda _, role: grantables.redis.grant_read(role),
            "signing-key": lambda _, role: grantables.signing_key.grant_read(role),
            "verify-key": lambda _, role: grantables.verify_key.grant_read(role),
            "vapid-key": lambda _, role: grantables.vapid_key.grant_read(role),
            "ses": lambda _, role: grantables.mail.grant_send_email(role),
            "dynamodb": self._grant_table,
        }
        self.roles: dict[str, iam.Role] = {}
        for function in functions:
            role = iam.Role(
                self,
                function.name,
                role_name=environment.role_name(function.name),
                assumed_by=irsa_principal(self, f"{function.name}-trust", provider, NAMESPACE, function.name),
                description=f"TaskForge {environment.name} {function.name}: {', '.join(sorted(function.uses)) or '-'}",
                max_session_duration=Duration.hours(1),
            )
            for use in sorted(function.uses - IN_CLUSTER_USES):
                grants[use](function, role)
            self.roles[function.name] = role
        unknown = set(TABLE_ACCESS) - {f.name for f in functions if "dynamodb" in f.uses}
        if unknown:
            raise ValueError(f"TABLE_ACCESS names functions that do not use dynamodb: {sorted(unknown)}")

    def _grant_table(self, function: Function, role: iam.Role) -> None:
        if function.name not in TABLE_ACCESS:
            raise ValueError(
                f"{function.name} uses dynamodb: name its table in TABLE_ACCESS (cdk/components/identity.py)"
            )
        which, access = TABLE_ACCESS[function.name]
        table: dynamodb.Table = getattr(self._grantables.tables, which)
        {"read": table.grant_read_data, "write": table.grant_write_data, "read_write": table.grant_read_write_data}[
            access
        ](role)
        if which == "activity":  # the table with an index: grant_* names it as <table>/index/*
            table_id = Stack.of(table).get_logical_id(cast(CfnElement, table.node.default_child))
            acknowledge(role, {f"IAM5[Resource::<{table_id}.Arn>/index/*]": INDEX_REASONS[access]})
