"""The External Secrets Operator and what it syncs: each Secrets Manager secret into the
functions' namespace under the name and key knative/README.md lists.

taskforge-database has `url` for the functions and `username`/`password` for the
migration Job, which makes that user; taskforge-database-admin has the `url` the Job
migrates with. No function reads the administrator's Secret."""

from __future__ import annotations

from typing import Any

from aws_cdk import aws_eks_v2 as eks
from aws_cdk import aws_secretsmanager as secretsmanager
from constructs import Construct

from cdk.components import secrets as names
from cdk.components.cluster import as_icluster
from cdk.environments import NAMESPACE, Environment

VERSION = "0.20.4"
CHARTS = "https://charts.external-secrets.io"
OPERATOR_NAMESPACE = "external-secrets"
STORE = "aws-secrets-manager"
REFRESH = "1h"  # a rotated database password stays valid one more rotation (alternating users)
# The administrator's password rotates alone (single user): the old one stops working at once,
# so its copy is refreshed often enough that a migration Job never waits long on a stale one.
ADMIN_REFRESH = "5m"
# The generated passwords exclude every character a URL would need escaped (rds.DatabaseSecret).
DATABASE_URL = "postgresql://{{ .username }}:{{ .password }}@{{ .host }}:{{ .port }}/{{ .dbname }}?sslmode=require"


def _external_secret(
    name: str,
    data: list[dict[str, Any]] | None = None,
    extract: str | None = None,
    template: dict[str, str] | None = None,
    refresh: str = REFRESH,
) -> dict[str, Any]:
    spec: dict[str, Any] = {
        "refreshInterval": refresh,
        "secretStoreRef": {"kind": "ClusterSecretStore", "name": STORE},
        "target": {"name": name, "creationPolicy": "Owner"},
    }
    if data:
        spec["data"] = data
    if extract:
        spec["dataFrom"] = [{"extract": {"key": extract}}]
    if template:
        spec["target"]["template"] = {"engineVersion": "v2", "data": template}
    return {
        "apiVersion": "external-secrets.io/v1",
        "kind": "ExternalSecret",
        "metadata": {"name": name, "namespace": NAMESPACE},
        "spec": spec,
    }


def _key(secret_key: str, remote: str, prop: str) -> dict[str, Any]:
    return {"secretKey": secret_key, "remoteRef": {"key": remote, "property": prop}}


class SecretSync(Construct):
    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        environment: Environment,
        cluster: eks.Cluster,
        synced: list[secretsmanager.ISecret],
        redis_host: str,
        redis_port: str,
        namespace: Construct,
    ) -> None:
        super().__init__(scope, construct_id)
        operator_namespace = cluster.add_manifest(
            "OperatorNamespace", {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": OPERATOR_NAMESPACE}}
        )
        account = cluster.add_service_account("Controller", name="external-secrets", namespace=OPERATOR_NAMESPACE)
        account.node.add_dependency(operator_namespace)
        for secret in synced:
            secret.grant_read(account)
        chart = eks.HelmChart(
            self,
            "Operator",
            cluster=as_icluster(cluster),
            chart="external-secrets",
            release="external-secrets",
            namespace=OPERATOR_NAMESPACE,
            repository=CHARTS,
            version=VERSION,
            wait=True,
            values={"serviceAccount": {"create": False, "name": account.service_account_name}},
        )
        chart.node.add_dependency(account)
        resources = eks.KubernetesManifest(
            self,
            "Secrets",
            cluster=as_icluster(cluster),
            manifest=[
                {
                    "apiVersion": "external-secrets.io/v1",
                    "kind": "ClusterSecretStore",
                    "metadata": {"name": STORE},
                    "spec": {"provider": {"aws": {"service": "SecretsManager", "region": environment.region}}},
                },
                # Rotation rewrites username and password; the URL is rebuilt from the current pair.
                _external_secret(
                    names.DATABASE,
                    extract=names.DATABASE,
                    template={"url": DATABASE_URL, "username": "{{ .username }}", "password": "{{ .password }}"},
                ),
                _external_secret(
                    names.DATABASE_ADMIN,
                    extract=names.DATABASE_ADMIN,
                    template={"url": DATABASE_URL},
                    refresh=ADMIN_REFRESH,
                ),
                _external_secret(
                    names.REDIS,
                    data=[_key("token", names.REDIS, "token")],
                    template={"url": "rediss://:{{ .token }}@" + redis_host + ":" + redis_port + "/0"},
                ),
                _external_secret(names.SIGNING_KEY, data=[_key("private-key", names.SIGNING_KEY, "private-key")]),
                _external_secret(names.VERIFY_KEY, data=[_key("public-key", names.VERIFY_KEY, "public-key")]),
                _external_secret(names.VAPID_KEY, data=[_key("private-key", names.VAPID_KEY, "private-key")]),
            ],
        )
        resources.node.add_dependency(chart, namespace)
