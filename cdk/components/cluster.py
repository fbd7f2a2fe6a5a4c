"""EKS: the cluster, a managed node group in the private subnets, the AWS Load Balancer
Controller (with its IRSA role) and the namespace every function runs in.

kubectl and helm run from a Lambda function in the VPC (the kubectl provider), so the
charts in mesh.py and secret_sync.py install with `cdk deploy`."""

from __future__ import annotations

from typing import cast

from aws_cdk import CfnElement, RemovalPolicy, Stack
from aws_cdk import aws_ec2 as ec2
from aws_cdk import aws_eks_v2 as eks
from aws_cdk import aws_kms as kms
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_logs as logs
from aws_cdk.lambda_layer_kubectl_v35 import KubectlV35Layer
from constructs import Construct, IConstruct

from cdk.components.nag import acknowledge, managed_policy
from cdk.environments import NAMESPACE, Environment

KUBERNETES_VERSION = eks.KubernetesVersion.V1_35  # the kubectl layer above must match (±1 minor)
# How cdk-nag spells the kubectl handler's conditional ECR Public policy.
ECR_PUBLIC_POLICY = (
    '{{"Fn::If":["{condition}",{{"Fn::Join":["",["arn:",{{"Ref":"AWS::Partition"}},'
    '":iam::aws:policy/AmazonElasticContainerRegistryPublicReadOnly"]]}},{{"Ref":"AWS::NoValue"}}]}}'
)
ALB_CONTROLLER_RESOURCES = (
    "*",
    "arn:<AWS::Partition>:ec2:*:*:security-group/*",
    *(
        f"arn:<AWS::Partition>:elasticloadbalancing:*:*:{kind}"
        for kind in (
            "loadbalancer/app/*/*",
            "loadbalancer/net/*/*",
            "targetgroup/*/*",
            "listener/app/*/*/*",
            "listener/net/*/*/*",
            "listener-rule/app/*/*/*",
            "listener-rule/net/*/*/*",
        )
    ),
)
LOGGING = [
    eks.ClusterLoggingTypes.API,
    eks.ClusterLoggingTypes.AUDIT,
    eks.ClusterLoggingTypes.AUTHENTICATOR,
    eks.ClusterLoggingTypes.CONTROLLER_MANAGER,
    eks.ClusterLoggingTypes.SCHEDULER,
]


class Cluster(Construct):
    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        environment: Environment,
        vpc: ec2.IVpc,
        node_subnets: ec2.SubnetSelection,
    ) -> None:
        super().__init__(scope, construct_id)
        key = kms.Key(
            self,
            "SecretsKey",
            enable_key_rotation=True,
            removal_policy=RemovalPolicy.RETAIN,
            description="TaskForge EKS Secrets envelope encryption",
        )
        cluster_name = f"taskforge-{environment.name}"
        # EKS would make its control-plane group on first use, keeping logs forever: made here
        # first, under the name EKS writes to, it carries a retention.
        control_plane_logs = logs.LogGroup(
            self,
            "ControlPlaneLogs",
            log_group_name=control_plane_log_group(cluster_name),
            retention=logs.RetentionDays.ONE_YEAR if environment.production else logs.RetentionDays.ONE_MONTH,
            removal_policy=RemovalPolicy.RETAIN if environment.production else RemovalPolicy.DESTROY,
        )
        endpoint = (
            eks.EndpointAccess.PUBLIC_AND_PRIVATE.only_from(*environment.endpoint_cidrs)
            if environment.endpoint_cidrs
            else eks.EndpointAccess.PRIVATE
        )
        self.cluster = eks.Cluster(
            self,
            "Cluster",
            cluster_name=cluster_name,
            version=KUBERNETES_VERSION,
            vpc=vpc,
            vpc_subnets=[node_subnets],
            endpoint_access=endpoint,
            secrets_encryption_key=key,
            cluster_logging=LOGGING,
            default_capacity_type=eks.DefaultCapacityType.NODEGROUP,
            default_capacity=0,
            kubectl_provider_options=eks.KubectlProviderOptions(kubectl_layer=KubectlV35Layer(self, "Kubectl")),
            alb_controller=eks.AlbControllerOptions(version=eks.AlbControllerVersion.V3_2_2),
        )
        self.cluster.node.add_dependency(control_plane_logs)
        self.nodes = self.cluster.add_nodegroup_capacity(
            "Nodes",
            nodegroup_name=f"taskforge-{environment.name}",
            instance_types=[ec2.InstanceType(environment.node_instance_type)],
            ami_type=eks.NodegroupAmiType.AL2023_X86_64_STANDARD,
            min_size=environment.nodes_min,
            desired_size=environment.nodes_min,
            max_size=environment.nodes_max,
            disk_size=50,
            subnets=node_subnets,
            enable_node_auto_repair=True,
        )
        if environment.cluster_admin_role_arn:
            self.cluster.grant_access(
                "Administrators",
                environment.cluster_admin_role_arn,
                [
                    eks.AccessPolicy.from_access_policy_name(
                        "AmazonEKSClusterAdminPolicy", access_scope_type=eks.AccessScopeType.CLUSTER
                    )
                ],
            )
        # The CD workflow's role has no access entry: deploys reach the cluster through the
        # in-VPC deployer (deployer.py), whose entry is bound to rules of its own.
        # The functions' namespace; the charts create their own.
        self.namespace = self.cluster.add_manifest(
            "Namespace",
            {
                "apiVersion": "v1",
                "kind": "Namespace",
                "metadata": {"name": NAMESPACE, "labels": {"app.kubernetes.io/part-of": "taskforge"}},
            },
        )
        # Pods use their node's network identity (the VPC CNI without security groups for pods).
        self.security_group = self.cluster.cluster_security_group
        acknowledge(
            self.nodes,
            {
                managed_policy("AmazonEKSWorkerNodePolicy"): "The policy EKS requires of every node role.",
                managed_policy("AmazonEKS_CNI_Policy"): "The VPC CNI assigns pod addresses through the node role.",
                managed_policy("AmazonEC2ContainerRegistryReadOnly"): "Nodes pull the function image from ECR.",
            },
        )
        self._acknowledge_toolkit()
        self._log_kubectl_provider(environment)
        if environment.endpoint_cidrs:
            acknowledge(
                self.cluster,
                {
                    "EKS1": "The public endpoint admits only the CIDRs configured as endpoint_cidrs (CI, operators).",
                },
            )

    def _log_kubectl_provider(self, environment: Environment) -> None:
        """The kubectl provider's functions log to a group with a retention: aws-cdk-lib has no
        option for it, so their LoggingConfig names it (their basic execution policy covers it)."""
        group = logs.LogGroup(
            self,
            "KubectlProviderLogs",
            retention=logs.RetentionDays.ONE_YEAR if environment.production else logs.RetentionDays.ONE_MONTH,
            removal_policy=RemovalPolicy.DESTROY,
        )
        provider = self.cluster.node.find_child("KubectlProvider")
        for child in provider.node.find_all():
            if isinstance(child, lambda_.CfnFunction):
                child.add_property_override("LoggingConfig.LogGroup", group.log_group_name)

    def _acknowledge_toolkit(self) -> None:
        """What aws-cdk-lib builds for the cluster, as it builds it."""
        acknowledge(
            self.cluster,
            {
                managed_policy("AmazonEKSClusterPolicy"): "The policy EKS requires of the cluster role.",
            },
        )
        provider = self.cluster.node.find_child("KubectlProvider")
        handler_construct = provider.node.find_child("Handler")
        handler = _logical_id(handler_construct.node.default_child)
        condition = _logical_id(handler_construct.node.find_child("HasEcrPublic"))
        lambda_reason = "aws-cdk-lib's kubectl provider, which runs kubectl and helm from a function in the VPC."
        acknowledge(
            provider,
            {
                "L1": "aws-cdk-lib pins the kubectl provider's runtime to the one its kubectl and helm layers support.",
                managed_policy("service-role/AWSLambdaBasicExecutionRole"): lambda_reason,
                managed_policy("service-role/AWSLambdaVPCAccessExecutionRole"): lambda_reason,
                managed_policy("AmazonEC2ContainerRegistryReadOnly"): lambda_reason + " It may pull charts from ECR.",
                "IAM4[Policy::" + ECR_PUBLIC_POLICY.format(condition=condition) + "]": lambda_reason
                + " It may pull charts from ECR Public.",
                f"IAM5[Resource::<{handler}.Arn>:*]": "The provider framework invokes any version of its own handler.",
            },
        )
        if self.cluster.alb_controller:
            acknowledge(
                self.cluster.alb_controller,
                {
                    f"IAM5[Resource::{resource}]": "The AWS Load Balancer Controller's published policy as aws-cdk-lib "
                    "ships it: the controller creates load balancers, target groups and "
                    "security groups whose ARNs no one knows in advance."
                    for resource in ALB_CONTROLLER_RESOURCES
                },
            )


def as_icluster(cluster: eks.Cluster) -> eks.ICluster:
    """The cluster where a construct takes an ICluster (charts, manifests, add-ons). ICluster's
    kubectlProviderOptions is optional, and Cluster has no such property; the Python bindings make
    ICluster a protocol in which every property is required, so mypy sees a Cluster as no ICluster."""
    return cast(eks.ICluster, cluster)


def control_plane_log_group(cluster_name: str) -> str:
    """Where EKS writes the control plane's logs."""
    return f"/aws/eks/{cluster_name}/cluster"


def _logical_id(element: IConstruct | None) -> str:
    assert isinstance(element, CfnElement)
    return Stack.of(element).get_logical_id(element)
