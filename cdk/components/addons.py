"""The cluster's add-ons that EKS manages: the EBS CSI driver (volumes for whatever needs
one, encrypted by default), the metrics server (kubectl top, and the resource metrics
any HorizontalPodAutoscaler reads; Knative's own autoscaler does not need it) and
CloudWatch Observability (container logs and Container Insights).

CloudWatch Observability runs Fluent Bit on every node. It ships every container's
stdout to `/aws/containerinsights/<cluster>/application`, the nodes' logs to `/dataplane`
and `/host`, and the CloudWatch agent writes Container Insights' own records to
`/performance`. The stack creates those four groups first, with a retention, so none
of them is made by the add-on with logs kept forever.

The functions' metrics are EMF lines on stdout (namespace TaskForge). CloudWatch Logs
extracts metrics from EMF only when the sender marks the events as `json/emf`, which the
add-on's application output does not, and its kubernetes filter nests a JSON line under
`log_processed`. So `TASKFORGE_EMF` (below) adds a Fluent Bit file to the add-on's
configuration: it re-tags every line whose `_aws` metadata names the TaskForge namespace,
lifts the EMF document back to the top of the record and sends it to the application
group with `log_format json/emf`. Those lines become the metrics the alarms in
observability.py read; every other line goes out as before.

Both Fluent Bit and the agent run as the ServiceAccount `cloudwatch-agent` in
`amazon-cloudwatch`, whose IRSA role holds CloudWatchAgentServerPolicy.

Versions are pinned; upgrading one is a reviewed change of a constant, checked against
`aws eks describe-addon-versions --kubernetes-version <cluster version>`.
"""

from __future__ import annotations

from aws_cdk import RemovalPolicy
from aws_cdk import aws_eks_v2 as eks
from aws_cdk import aws_iam as iam
from aws_cdk import aws_logs as logs
from constructs import Construct

from cdk.components.cluster import as_icluster
from cdk.components.identity import irsa_principal
from cdk.components.nag import acknowledge, managed_policy
from cdk.environments import Environment

EBS_CSI_VERSION = "v1.56.0-eksbuild.1"
METRICS_SERVER_VERSION = "v0.8.0-eksbuild.1"
CLOUDWATCH_OBSERVABILITY_VERSION = "v6.6.0-eksbuild.1"
EBS_CSI_POLICY = "service-role/AmazonEBSCSIDriverPolicy"
CLOUDWATCH_AGENT_POLICY = "CloudWatchAgentServerPolicy"
# The add-on's controller runs under this ServiceAccount in kube-system.
EBS_CSI_SERVICE_ACCOUNT = "ebs-csi-controller-sa"
# Fluent Bit and the CloudWatch agent both run under this ServiceAccount.
CLOUDWATCH_NAMESPACE = "amazon-cloudwatch"
CLOUDWATCH_SERVICE_ACCOUNT = "cloudwatch-agent"
# The groups the add-on writes to, under /aws/containerinsights/<cluster>/.
CONTAINER_INSIGHTS_GROUPS = ("application", "dataplane", "host", "performance")
METRICS_NAMESPACE = "TaskForge"  # observability.py NAMESPACE; functions/platform/api.py
# The namespace of an EMF line, once the add-on's kubernetes filter has parsed it.
EMF_NAMESPACE = "$log_processed['_aws']['CloudWatchMetrics'][0]['Namespace']"
# Included after the add-on's application-log.conf (the chart includes its files in name
# order), so the kubernetes filter has already parsed the line into `log_processed`.
TASKFORGE_EMF = f"""\
[FILTER]
    Name                 rewrite_tag
    Match                application.*
    Rule                 {EMF_NAMESPACE} ^{METRICS_NAMESPACE}$ emf.$TAG false
    Emitter_Name         taskforge_emf
    Emitter_Storage.type filesystem

[FILTER]
    Name                 nest
    Match                emf.*
    Operation            lift
    Nested_under         log_processed

[FILTER]
    Name                 modify
    Match                emf.*
    Remove               log

[OUTPUT]
    Name                 cloudwatch_logs
    Match                emf.*
    region               ${{AWS_REGION}}
    log_group_name       /aws/containerinsights/${{CLUSTER_NAME}}/application
    log_stream_prefix    ${{HOST_NAME}}-emf-
    auto_create_group    false
    log_format           json/emf
    extra_user_agent     container-insights
"""
OBSERVABILITY_CONFIGURATION = {
    "containerLogs": {"enabled": True, "fluentBit": {"config": {"extraFiles": {"taskforge-emf.conf": TASKFORGE_EMF}}}},
}


def container_insights_group(cluster_name: str, kind: str) -> str:
    return f"/aws/containerinsights/{cluster_name}/{kind}"


class Addons(Construct):
    def __init__(self, scope: Construct, construct_id: str, *, environment: Environment, cluster: eks.Cluster) -> None:
        super().__init__(scope, construct_id)
        ebs_role = iam.Role(
            self,
            "EbsCsiRole",
            assumed_by=irsa_principal(
                self, "EbsCsiTrust", cluster.open_id_connect_provider, "kube-system", EBS_CSI_SERVICE_ACCOUNT
            ),
            managed_policies=[iam.ManagedPolicy.from_aws_managed_policy_name(EBS_CSI_POLICY)],
            description="The EBS CSI driver's controller: creates, attaches and deletes volumes",
        )
        acknowledge(
            ebs_role,
            {
                managed_policy(
                    EBS_CSI_POLICY
                ): "AWS's policy for the driver, scoped by tags to the volumes it creates.",
            },
        )
        ebs = eks.Addon(
            self,
            "EbsCsi",
            cluster=as_icluster(cluster),
            addon_name="aws-ebs-csi-driver",
            addon_version=EBS_CSI_VERSION,
            configuration_values={"defaultStorageClass": {"enabled": True}},
        )
        _use_role(ebs, ebs_role)
        eks.Addon(
            self,
            "MetricsServer",
            cluster=as_icluster(cluster),
            addon_name="metrics-server",
            addon_version=METRICS_SERVER_VERSION,
        )
        self._cloudwatch_observability(environment, cluster)

    def _cloudwatch_observability(self, environment: Environment, cluster: eks.Cluster) -> None:
        role = iam.Role(
            self,
            "CloudWatchAgentRole",
            assumed_by=irsa_principal(
                self,
                "CloudWatchAgentTrust",
                cluster.open_id_connect_provider,
                CLOUDWATCH_NAMESPACE,
                CLOUDWATCH_SERVICE_ACCOUNT,
            ),
            managed_policies=[iam.ManagedPolicy.from_aws_managed_policy_name(CLOUDWATCH_AGENT_POLICY)],
            description="CloudWatch Observability: Fluent Bit ships container logs, the agent Container Insights",
        )
        acknowledge(
            role,
            {
                managed_policy(
                    CLOUDWATCH_AGENT_POLICY
                ): "AWS's policy for the CloudWatch agent and Fluent Bit: put log "
                "events and metrics, describe the instances they run on.",
            },
        )
        addon = eks.Addon(
            self,
            "CloudWatchObservability",
            cluster=as_icluster(cluster),
            addon_name="amazon-cloudwatch-observability",
            addon_version=CLOUDWATCH_OBSERVABILITY_VERSION,
            configuration_values=OBSERVABILITY_CONFIGURATION,
        )
        _use_role(addon, role)
        for kind in CONTAINER_INSIGHTS_GROUPS:
            group = logs.LogGroup(
                self,
                f"ContainerInsights-{kind}",
                log_group_name=container_insights_group(cluster.cluster_name, kind),
                # Container Insights' records become metrics at once; the raw ones need not outlive a week.
                retention=(
                    logs.RetentionDays.ONE_WEEK
                    if kind == "performance"
                    else logs.RetentionDays.ONE_YEAR
                    if environment.production
                    else logs.RetentionDays.ONE_MONTH
                ),
                removal_policy=RemovalPolicy.RETAIN if environment.production else RemovalPolicy.DESTROY,
            )
            # Made before the add-on starts writing, or CloudFormation would find the name taken.
            addon.node.add_dependency(group)


def _use_role(addon: eks.Addon, role: iam.IRole) -> None:
    default_child = addon.node.default_child
    assert isinstance(default_child, eks.CfnAddon)
    default_child.service_account_role_arn = role.role_arn
