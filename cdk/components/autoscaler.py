"""The Cluster Autoscaler: adds nodes when pods cannot be scheduled and removes the ones
left idle, between the node group's `nodes_min` and `nodes_max`.

The Cluster Autoscaler rather than Karpenter: the cluster has one managed node group of
one instance type, which the autoscaler scales through the group's own Auto Scaling
group (EKS tags it for auto-discovery). Karpenter would launch instances outside the
node group and need node classes, pools, an interruption queue and an instance profile
of its own, for no choice of instance we want to make.

Installed from the project's chart, pinned like the mesh's; the image is the release
matching the cluster's Kubernetes minor (cluster.py). Its IRSA role may change the size
of, and terminate instances in, only the groups tagged as this cluster's own.
"""

from __future__ import annotations

from typing import Any

from aws_cdk import Token
from aws_cdk import aws_eks_v2 as eks
from aws_cdk import aws_iam as iam
from constructs import Construct

from cdk.components.cluster import as_icluster
from cdk.components.identity import irsa_principal
from cdk.components.nag import acknowledge
from cdk.environments import Environment

# Chart 9.59.0 ships appVersion 1.35.0; the image is that minor's latest patch. The minor
# must follow the cluster's (KUBERNETES_VERSION in cluster.py).
CHART_VERSION = "9.59.0"
CHARTS = "https://kubernetes.github.io/autoscaler"
IMAGE = "registry.k8s.io/autoscaling/cluster-autoscaler"
IMAGE_TAG = "v1.35.2"
NAMESPACE = "kube-system"
SERVICE_ACCOUNT = "cluster-autoscaler"
PRODUCTION_REPLICAS = 2  # one leads, the other takes over when its node drains
# The chart requests nothing by default; these are the figures its values suggest.
REQUESTS = {"cpu": "100m", "memory": "300Mi"}
# The tag EKS puts on a managed node group's Auto Scaling group, with the value `owned`.
OWNED_TAG = "k8s.io/cluster-autoscaler/{cluster}"
# The project's documented policy (cloudprovider/aws/README.md, "Full Cluster Autoscaler
# Features Policy"): reads on everything, writes conditioned on the tag above.
READ_ACTIONS = (
    "autoscaling:DescribeAutoScalingGroups",
    "autoscaling:DescribeAutoScalingInstances",
    "autoscaling:DescribeLaunchConfigurations",
    "autoscaling:DescribeScalingActivities",
    "ec2:DescribeImages",
    "ec2:DescribeInstanceTypes",
    "ec2:DescribeLaunchTemplateVersions",
    "ec2:GetInstanceTypesFromInstanceRequirements",
    "eks:DescribeNodegroup",
)
WRITE_ACTIONS = ("autoscaling:SetDesiredCapacity", "autoscaling:TerminateInstanceInAutoScalingGroup")


def chart_values(environment: Environment, cluster_name: str, role_arn: str) -> dict[str, Any]:
    return {
        "cloudProvider": "aws",
        "awsRegion": environment.region,
        "autoDiscovery": {"clusterName": cluster_name},
        "fullnameOverride": SERVICE_ACCOUNT,
        "image": {"repository": IMAGE, "tag": IMAGE_TAG},
        "rbac": {
            "serviceAccount": {
                "create": True,
                "name": SERVICE_ACCOUNT,
                "annotations": {"eks.amazonaws.com/role-arn": role_arn},
            }
        },
        "replicaCount": PRODUCTION_REPLICAS if environment.production else 1,
        "podDisruptionBudget": {"maxUnavailable": 1},
        "resources": {"requests": REQUESTS},
        "extraArgs": {
            # One group today; a second of the same shape would share the load evenly.
            "balance-similar-node-groups": True,
            # CoreDNS, metrics-server and the controllers run in kube-system: without this,
            # no node holding one of them would ever be removed.
            "skip-nodes-with-system-pods": False,
            # The functions' only volume is a scratch emptyDir (/tmp), nothing to keep.
            "skip-nodes-with-local-storage": False,
            "expander": "least-waste",
        },
    }


def write_policy(cluster_name: str) -> iam.PolicyStatement:
    return iam.PolicyStatement(
        actions=list(WRITE_ACTIONS),
        resources=["*"],
        conditions={"StringEquals": {f"aws:ResourceTag/{OWNED_TAG.format(cluster=cluster_name)}": "owned"}},
    )


class Autoscaler(Construct):
    def __init__(self, scope: Construct, construct_id: str, *, environment: Environment, cluster: eks.Cluster) -> None:
        super().__init__(scope, construct_id)
        cluster_name = _literal_name(cluster)
        self.role = iam.Role(
            self,
            "Role",
            assumed_by=irsa_principal(self, "Trust", cluster.open_id_connect_provider, NAMESPACE, SERVICE_ACCOUNT),
            description="The Cluster Autoscaler: resizes this cluster's node groups",
            inline_policies={
                "Autoscaling": iam.PolicyDocument(
                    statements=[
                        iam.PolicyStatement(actions=list(READ_ACTIONS), resources=["*"]),
                        write_policy(cluster_name),
                    ]
                )
            },
        )
        acknowledge(
            self.role,
            {
                "IAM5[Resource::*]": (
                    "The Cluster Autoscaler's documented policy: describing groups, instance types and "
                    "launch templates takes no resource; resizing and terminating are conditioned on "
                    "the group carrying this cluster's owned tag."
                ),
            },
        )
        self.chart = eks.HelmChart(
            self,
            "Chart",
            cluster=as_icluster(cluster),
            chart="cluster-autoscaler",
            release="cluster-autoscaler",
            namespace=NAMESPACE,
            repository=CHARTS,
            version=CHART_VERSION,
            wait=True,
            values=chart_values(environment, cluster_name, self.role.role_arn),
        )


def _literal_name(cluster: eks.Cluster) -> str:
    """The name the cluster was given: `cluster_name` is a reference, and a tag key in an
    IAM condition must be written out."""
    resource = cluster.node.default_child
    assert isinstance(resource, eks.CfnCluster)
    assert isinstance(resource.name, str)
    assert not Token.is_unresolved(resource.name)
    return resource.name
