"""The cluster's add-ons that EKS manages: the EBS CSI driver (volumes for whatever needs
one, encrypted by default) and the metrics server (kubectl top, and the resource metrics
any HorizontalPodAutoscaler reads; Knative's own autoscaler does not need it).

Versions are pinned; upgrading one is a reviewed change of a constant, checked against
`aws eks describe-addon-versions --kubernetes-version <cluster version>`.
"""

from __future__ import annotations

from aws_cdk import aws_eks_v2 as eks
from aws_cdk import aws_iam as iam
from constructs import Construct

from cdk.components.identity import irsa_principal
from cdk.components.nag import acknowledge, managed_policy

EBS_CSI_VERSION = "v1.56.0-eksbuild.1"
METRICS_SERVER_VERSION = "v0.8.0-eksbuild.1"
EBS_CSI_POLICY = "service-role/AmazonEBSCSIDriverPolicy"
# The add-on's controller runs under this ServiceAccount in kube-system.
EBS_CSI_SERVICE_ACCOUNT = "ebs-csi-controller-sa"


class Addons(Construct):
    def __init__(self, scope: Construct, construct_id: str, *, cluster: eks.Cluster) -> None:
        super().__init__(scope, construct_id)
        ebs_role = iam.Role(
            self, "EbsCsiRole",
            assumed_by=irsa_principal(self, "EbsCsiTrust", cluster.open_id_connect_provider, "kube-system",
                                      EBS_CSI_SERVICE_ACCOUNT),
            managed_policies=[iam.ManagedPolicy.from_aws_managed_policy_name(EBS_CSI_POLICY)],
            description="The EBS CSI driver's controller: creates, attaches and deletes volumes",
        )
        acknowledge(ebs_role, {
            managed_policy(EBS_CSI_POLICY): "AWS's policy for the driver, scoped by tags to the volumes it creates.",
        })
        ebs = eks.Addon(self, "EbsCsi", cluster=cluster, addon_name="aws-ebs-csi-driver",
                        addon_version=EBS_CSI_VERSION,
                        configuration_values={"defaultStorageClass": {"enabled": True}})
        default_child = ebs.node.default_child
        assert isinstance(default_child, eks.CfnAddon)
        default_child.service_account_role_arn = ebs_role.role_arn
        eks.Addon(self, "MetricsServer", cluster=cluster, addon_name="metrics-server",
                  addon_version=METRICS_SERVER_VERSION)
