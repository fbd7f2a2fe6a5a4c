"""external-dns: makes `api.<domain>`, CloudFront's origin for /api/*, an alias of the ALB
the Load Balancer Controller creates from the mesh's Ingress.

CloudFormation never learns that ALB's name, so without this the record is a hand step.
Installed only when the environment names its Route 53 zone (`hosted_zone_id`); without
one the operator still makes the record (cdk/README.md, "The first deploy").

It reads Ingresses only, and only hostnames under `<domain>` in exactly that zone. The
policy is `upsert-only`: it creates and updates records but never deletes one. The zone
also holds what the stack and the operator made (the site's alias, the certificate's and
SES's records), and with this policy no mistake in a source, a filter or the TXT registry
can remove any of them; the cost is that a record it made outlives the Ingress, which an
operator deletes by hand. The TXT registry, owned as `taskforge-<env>`, marks the records
it made, so it never takes over one it did not.

Its IRSA role may change records in that zone alone; listing zones takes no resource.
The chart is pinned like the mesh's; upgrading it is a reviewed change of a constant.
"""

from __future__ import annotations

from typing import Any

from aws_cdk import aws_eks_v2 as eks
from aws_cdk import aws_iam as iam
from aws_cdk import aws_route53 as route53
from constructs import Construct

from cdk.components.cluster import as_icluster
from cdk.components.identity import irsa_principal
from cdk.components.nag import acknowledge
from cdk.environments import APP, Environment

# Chart 1.19.0 ships ExternalDNS v0.19.0 (its appVersion, the image the chart defaults to).
CHART_VERSION = "1.19.0"
CHARTS = "https://kubernetes-sigs.github.io/external-dns/"
NAMESPACE = "external-dns"
SERVICE_ACCOUNT = "external-dns"
POLICY = "upsert-only"
# Record reads and writes name the zone; listing the account's zones has no resource form.
ZONE_ACTIONS = (
    "route53:ChangeResourceRecordSets",
    "route53:ListResourceRecordSets",
    "route53:ListTagsForResource",
    "route53:ListTagsForResources",
)
ACCOUNT_ACTIONS = ("route53:ListHostedZones",)
# The hostname the mesh's Ingress asks for (mesh.py).
HOSTNAME_ANNOTATION = "external-dns.alpha.kubernetes.io/hostname"


def owner_id(environment: Environment) -> str:
    """The TXT registry's owner: the records this environment's external-dns made."""
    return f"{APP}-{environment.name}"


def chart_values(environment: Environment, zone_id: str, role_arn: str) -> dict[str, Any]:
    return {
        "provider": {"name": "aws"},
        "fullnameOverride": SERVICE_ACCOUNT,
        "serviceAccount": {
            "create": True,
            "name": SERVICE_ACCOUNT,
            "annotations": {"eks.amazonaws.com/role-arn": role_arn},
        },
        "sources": ["ingress"],
        "domainFilters": [environment.domain],
        # The chart has no value of its own for the zone filter: it is the binary's flag.
        "extraArgs": [f"--zone-id-filter={zone_id}"],
        "policy": POLICY,
        "registry": "txt",
        "txtOwnerId": owner_id(environment),
    }


def record_policy(zone: route53.IHostedZone) -> iam.PolicyDocument:
    return iam.PolicyDocument(
        statements=[
            iam.PolicyStatement(actions=list(ZONE_ACTIONS), resources=[zone.hosted_zone_arn]),
            iam.PolicyStatement(actions=list(ACCOUNT_ACTIONS), resources=["*"]),
        ]
    )


class Dns(Construct):
    """external-dns for the environment's zone; nothing at all without one."""

    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        environment: Environment,
        cluster: eks.Cluster,
        zone: route53.IHostedZone | None,
    ) -> None:
        super().__init__(scope, construct_id)
        self.role: iam.Role | None = None
        self.chart: eks.HelmChart | None = None
        if zone is None:
            return
        self.role = iam.Role(
            self,
            "Role",
            assumed_by=irsa_principal(self, "Trust", cluster.open_id_connect_provider, NAMESPACE, SERVICE_ACCOUNT),
            description=f"external-dns: the records of {environment.api_domain} in its hosted zone",
            inline_policies={"Records": record_policy(zone)},
        )
        acknowledge(
            self.role,
            {
                "IAM5[Resource::*]": "route53:ListHostedZones has no resource form; external-dns lists the account's "
                "zones to find its own. Every record read and write names that one zone.",
            },
        )
        self.chart = eks.HelmChart(
            self,
            "Chart",
            cluster=as_icluster(cluster),
            chart="external-dns",
            release="external-dns",
            namespace=NAMESPACE,
            repository=CHARTS,
            version=CHART_VERSION,
            wait=True,
            values=chart_values(environment, zone.hosted_zone_id, self.role.role_arn),
        )
