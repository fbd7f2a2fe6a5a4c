"""The in-VPC deployer: a CodeBuild project in the cluster's VPC that runs a deploy's cluster steps.

The cluster's API endpoint is private, so the CD workflow does not talk to Kubernetes: it uploads
the commit's source here, starts a build and waits for it. The build runs
scripts/deploy/cluster.py (render, migrate, apply, canary, candidate smoke test) with kubectl.

Its role reaches the cluster through an access entry with no AWS-managed access policy: the
entry's Kubernetes group is bound, in the functions' namespace, to DEPLOYER_RULES, exactly what
the rendered manifests, the migration Job, canary.py and cluster.py use
(tests/infrastructure/test_rbac.py derives that set and compares). The workflow's own role gets
only the managed policy below: upload a source, start and follow a build, read its logs, and
read the smoke-test account's secret (scripts/deploy/smoke.py).
"""

from __future__ import annotations

import json
from dataclasses import fields
from typing import Any

from aws_cdk import ArnFormat, Duration, RemovalPolicy, Stack
from aws_cdk import aws_codebuild as codebuild
from aws_cdk import aws_ec2 as ec2
from aws_cdk import aws_eks as eks_l1
from aws_cdk import aws_eks_v2 as eks
from aws_cdk import aws_iam as iam
from aws_cdk import aws_kms as kms
from aws_cdk import aws_logs as logs
from aws_cdk import aws_s3 as s3
from aws_cdk import aws_secretsmanager as secretsmanager
from constructs import Construct

from cdk.components.nag import acknowledge
from cdk.environments import NAMESPACE, Environment

DEPLOYER_GROUP = "taskforge-deployers"  # the access entry's Kubernetes group (never system:*)
SOURCE_KEY = "source.zip"  # one key, versioned: a build names the version the workflow uploaded
KUBECTL_VERSION = "v1.35.0"  # within one minor of the cluster (cluster.py: KUBERNETES_VERSION)
# The deployer's Role in the functions' namespace. Every resource it touches is namespaced, so a
# Role (not a ClusterRole) is enough. Written out so a review sees it; test_rbac.py checks it is
# exactly what the deploy uses, no more and no less.
APPLY = ["get", "list", "create", "patch"]  # kubectl apply --selector: read, create or merge-patch
DEPLOYER_RULES: list[dict[str, list[str]]] = [
    {"apiGroups": [""], "resources": ["configmaps", "serviceaccounts"], "verbs": APPLY},
    {"apiGroups": [""], "resources": ["pods"], "verbs": ["get", "list", "watch", "create", "delete"]},
    {"apiGroups": [""], "resources": ["pods/log"], "verbs": ["get"]},
    {"apiGroups": [""], "resources": ["pods/attach"], "verbs": ["get", "create"]},
    {"apiGroups": ["batch"], "resources": ["jobs"], "verbs": [*APPLY, "watch", "delete"]},
    {"apiGroups": ["serving.knative.dev"], "resources": ["services"], "verbs": [*APPLY, "watch"]},
    {"apiGroups": ["eventing.knative.dev"], "resources": ["brokers", "triggers"], "verbs": APPLY},
    {"apiGroups": ["sources.knative.dev"], "resources": ["pingsources"], "verbs": APPLY},
    {"apiGroups": ["networking.istio.io"], "resources": ["virtualservices"], "verbs": APPLY},
    {"apiGroups": ["policy"], "resources": ["poddisruptionbudgets"], "verbs": APPLY},
]


def environment_variables(environment: Environment) -> dict[str, str]:
    """The environment's settings as TASKFORGE_<ENV>_<FIELD>, the way knative/render.py reads them."""
    values: dict[str, str] = {}
    for item in fields(Environment):
        value: Any = getattr(environment, item.name)
        if item.name in ("name", "image_tag"):
            continue
        text = (
            ",".join(value)
            if isinstance(value, tuple)
            else str(value).lower()
            if isinstance(value, bool)
            else str(value)
        )
        if text:
            values[f"TASKFORGE_{environment.name.upper()}_{item.name.upper()}"] = text
    return values


def build_spec() -> codebuild.BuildSpec:
    kubectl = f"https://dl.k8s.io/release/{KUBECTL_VERSION}/bin/linux/amd64/kubectl"
    return codebuild.BuildSpec.from_object(
        {
            "version": "0.2",
            "env": {"shell": "bash"},
            "phases": {
                "install": {
                    "commands": [
                        f"curl -fsSLo /usr/local/bin/kubectl {kubectl}",
                        f'echo "$(curl -fsSL {kubectl}.sha256)  /usr/local/bin/kubectl" | sha256sum --check',
                        "chmod +x /usr/local/bin/kubectl",
                        "python3 -m venv .venv",
                        ".venv/bin/python -m pip install --quiet --disable-pip-version-check -r requirements-dev.txt",
                    ]
                },
                "build": {"commands": ['.venv/bin/python scripts/deploy/cluster.py "$PHASE"']},
            },
        }
    )


class Deployer(Construct):
    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        environment: Environment,
        cluster: eks.Cluster,
        namespace: Construct,
        subnets: ec2.SubnetSelection,
        access_logs: s3.IBucket,
    ) -> None:
        super().__init__(scope, construct_id)
        name = f"taskforge-{environment.name}-deployer"
        self.source = s3.Bucket(
            self,
            "Source",
            block_public_access=s3.BlockPublicAccess.BLOCK_ALL,
            encryption=s3.BucketEncryption.S3_MANAGED,
            enforce_ssl=True,
            server_access_logs_bucket=access_logs,
            server_access_logs_prefix="deployer-source/",
            versioned=True,
            lifecycle_rules=[s3.LifecycleRule(noncurrent_version_expiration=Duration.days(30))],
            removal_policy=RemovalPolicy.RETAIN,
        )
        key = kms.Key(self, "Key", enable_key_rotation=True, description="TaskForge deployer builds and logs")
        key.grant_encrypt_decrypt(iam.ServicePrincipal(f"logs.{Stack.of(self).region}.amazonaws.com"))
        self.log_group = logs.LogGroup(
            self,
            "Logs",
            log_group_name=f"/aws/codebuild/{name}",
            encryption_key=key,
            retention=logs.RetentionDays.ONE_YEAR if environment.production else logs.RetentionDays.ONE_MONTH,
            removal_policy=RemovalPolicy.DESTROY,
        )
        self.security_group = ec2.SecurityGroup(
            self,
            "SecurityGroup",
            vpc=cluster.vpc,
            allow_all_outbound=True,
            description="TaskForge deployer builds: the cluster API on 443, packages through the NAT",
        )
        cluster.cluster_security_group.add_ingress_rule(
            self.security_group, ec2.Port.tcp(443), "the in-VPC deployer reaches the Kubernetes API"
        )
        self.project = codebuild.Project(
            self,
            "Project",
            project_name=name,
            description=f"TaskForge {environment.name}: the cluster steps of a deploy (scripts/deploy/cluster.py)",
            source=codebuild.Source.s3(bucket=self.source, path=SOURCE_KEY),
            build_spec=build_spec(),
            environment=codebuild.BuildEnvironment(
                build_image=codebuild.LinuxBuildImage.STANDARD_7_0,
                compute_type=codebuild.ComputeType.SMALL,
                privileged=False,
            ),
            environment_variables={
                key: codebuild.BuildEnvironmentVariable(value=value)
                for key, value in {
                    **environment_variables(environment),
                    "CLUSTER_NAME": cluster.cluster_name,
                    "NAMESPACE": NAMESPACE,
                    "PHASE": "deploy",
                    "DEPLOY_ENV": environment.name,
                }.items()
            },
            vpc=cluster.vpc,
            subnet_selection=subnets,
            security_groups=[self.security_group],
            encryption_key=key,
            logging=codebuild.LoggingOptions(cloud_watch=codebuild.CloudWatchLoggingOptions(log_group=self.log_group)),
            timeout=Duration.minutes(60),
            queued_timeout=Duration.minutes(30),
            concurrent_build_limit=1,  # one deploy per environment at a time, as the workflow's concurrency
        )
        role = self.project.role
        assert role is not None
        role.add_to_principal_policy(
            iam.PolicyStatement(actions=["eks:DescribeCluster"], resources=[cluster.cluster_arn])
        )
        # Kubernetes access: a group bound to DEPLOYER_RULES, no AWS-managed access policy.
        access = eks_l1.CfnAccessEntry(
            self,
            "AccessEntry",
            cluster_name=cluster.cluster_name,
            principal_arn=role.role_arn,
            kubernetes_groups=[DEPLOYER_GROUP],
            type="STANDARD",
        )
        access.node.add_dependency(cluster)
        labels = {"app.kubernetes.io/part-of": "taskforge", "app.kubernetes.io/component": "deployer"}
        rbac = cluster.add_manifest(
            "DeployerRbac",
            {
                "apiVersion": "rbac.authorization.k8s.io/v1",
                "kind": "Role",
                "metadata": {"name": name, "namespace": NAMESPACE, "labels": labels},
                "rules": DEPLOYER_RULES,
            },
            {
                "apiVersion": "rbac.authorization.k8s.io/v1",
                "kind": "RoleBinding",
                "metadata": {"name": name, "namespace": NAMESPACE, "labels": labels},
                "roleRef": {"apiGroup": "rbac.authorization.k8s.io", "kind": "Role", "name": name},
                "subjects": [{"apiGroup": "rbac.authorization.k8s.io", "kind": "Group", "name": DEPLOYER_GROUP}],
            },
        )
        rbac.node.add_dependency(namespace)

        # The account scripts/deploy/smoke.py registers (once) and logs in as, through CloudFront.
        self.smoke_user = secretsmanager.Secret(
            self,
            "SmokeUser",
            secret_name=f"taskforge-{environment.name}/smoke-user",
            description="TaskForge: the smoke test's account (e-mail and a generated password)",
            generate_secret_string=secretsmanager.SecretStringGenerator(
                secret_string_template=json.dumps({"email": f"smoke-test@{environment.domain}"}),
                generate_string_key="password",
                password_length=32,
                exclude_punctuation=True,
            ),
        )

        # What the CD workflow's role needs, and nothing of Kubernetes: attached to
        # environment.deploy_role_arn when it is set, else by the operator (docs/operations.md).
        self.workflow_policy = iam.ManagedPolicy(
            self,
            "WorkflowPolicy",
            description=f"TaskForge {environment.name}: upload a source to, start and follow the deployer",
            statements=[
                iam.PolicyStatement(actions=["s3:PutObject"], resources=[self.source.arn_for_objects(SOURCE_KEY)]),
                iam.PolicyStatement(
                    actions=["codebuild:StartBuild", "codebuild:BatchGetBuilds"], resources=[self.project.project_arn]
                ),
                iam.PolicyStatement(actions=["secretsmanager:GetSecretValue"], resources=[self.smoke_user.secret_arn]),
                # The canary's bake check (scripts/deploy/bake.py); GetMetricData takes no resource.
                iam.PolicyStatement(actions=["cloudwatch:GetMetricData"], resources=["*"]),
                iam.PolicyStatement(
                    actions=["logs:GetLogEvents"],
                    resources=[
                        Stack.of(self).format_arn(
                            service="logs",
                            resource="log-group",
                            resource_name=f"/aws/codebuild/{name}:log-stream:*",
                            arn_format=ArnFormat.COLON_RESOURCE_NAME,
                        )
                    ],
                ),
            ],
            roles=[iam.Role.from_role_arn(self, "WorkflowRole", environment.deploy_role_arn)]
            if environment.deploy_role_arn
            else None,
        )
        acknowledge(
            self.project,
            {
                "IAM5[Resource::*]": "CodeBuild in a VPC describes subnets, security groups and network interfaces, "
                "actions that take no resource.",
                "IAM5[Resource::arn:<AWS::Partition>:ec2:<AWS::Region>:<AWS::AccountId>:network-interface/*]": (
                    "CodeBuild creates each build's network interface, whose id no one knows in advance; the "
                    "statement is conditioned on the project's subnets and CodeBuild as the caller."
                ),
                "IAM5[Action::s3:GetBucket*]": "aws-cdk-lib's read grant on the source bucket, for its one key.",
                "IAM5[Action::s3:GetObject*]": "aws-cdk-lib's read grant on the source bucket, for its one key.",
                "IAM5[Action::s3:List*]": "aws-cdk-lib's read grant on the source bucket, for its one key.",
                "IAM5[Action::kms:GenerateDataKey*]": (
                    "aws-cdk-lib's grant on the deployer's own key (artifacts, logs)."
                ),
                "IAM5[Action::kms:ReEncrypt*]": "aws-cdk-lib's grant on the deployer's own key (artifacts, logs).",
                f"IAM5[Resource::arn:<AWS::Partition>:logs:{Stack.of(self).region}:{Stack.of(self).account}:log-group:"
                f"/aws/codebuild/<{Stack.of(self).get_logical_id(self._project_resource())}>:*]": (
                    "The project's own log group, whose streams are named per build."
                ),
                f"IAM5[Resource::arn:<AWS::Partition>:codebuild:{Stack.of(self).region}:{Stack.of(self).account}:"
                f"report-group/<{Stack.of(self).get_logical_id(self._project_resource())}>-*]": (
                    "aws-cdk-lib lets every CodeBuild project write its own report groups; this one writes none."
                ),
            },
        )
        acknowledge(
            self.smoke_user,
            {
                "SMG4": "A smoke-test account's password: the account keeps the one it registered with, so a "
                "rotation would only break the next deploy's login.",
            },
        )
        acknowledge(
            self.workflow_policy,
            {
                "IAM5[Resource::*]": "cloudwatch:GetMetricData supports no resource-level permissions; the bake check "
                "reads the API's request counts with it.",
                f"IAM5[Resource::arn:<AWS::Partition>:logs:{Stack.of(self).region}:{Stack.of(self).account}:log-group:"
                f"/aws/codebuild/{name}:log-stream:*]": (
                    "The workflow prints a build's log, whose stream is named after the build it just started."
                ),
            },
        )

    def _project_resource(self) -> codebuild.CfnProject:
        resource = self.project.node.default_child
        assert isinstance(resource, codebuild.CfnProject)
        return resource
