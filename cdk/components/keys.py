"""The token key pair and the Web Push key, generated into their secrets on the first deploy
and then left alone.

A custom resource backed by a small Lambda (`cdk/key_pair/handler.py`, standard library
and the runtime's boto3 only) fills `taskforge-jwt-signing-key` and
`taskforge-jwt-verify-key` when the signing secret holds no valid Ed25519 key, and
`taskforge-vapid-key` when it holds no valid P-256 key. A key that is there is never
replaced; deleting the resource leaves the secrets as they are.
"""

from __future__ import annotations

from pathlib import Path

from aws_cdk import ArnFormat, CustomResource, Duration, RemovalPolicy, Stack
from aws_cdk import aws_iam as iam
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_logs as logs
from aws_cdk import aws_secretsmanager as secretsmanager
from constructs import Construct

from cdk.components.nag import acknowledge

CODE = Path(__file__).resolve().parent.parent / "key_pair"
RUNTIME = lambda_.Runtime.PYTHON_3_14
# Named, so that the one wildcard in its role (the log streams) can be acknowledged by name.
LOG_GROUP = "/taskforge/key-pair"


class KeyPair(Construct):
    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        signing_key: secretsmanager.ISecret,
        verify_key: secretsmanager.ISecret,
        vapid_key: secretsmanager.ISecret,
    ) -> None:
        super().__init__(scope, construct_id)
        log_group = logs.LogGroup(
            self,
            "Logs",
            log_group_name=LOG_GROUP,
            retention=logs.RetentionDays.ONE_YEAR,
            removal_policy=RemovalPolicy.DESTROY,
        )
        stack = Stack.of(self)
        streams = stack.format_arn(
            service="logs",
            resource="log-group",
            resource_name=f"{LOG_GROUP}:*",
            arn_format=ArnFormat.COLON_RESOURCE_NAME,
        )
        # Its own role rather than the managed basic-execution policy: these two secrets and its log group only.
        role = iam.Role(
            self,
            "Role",
            assumed_by=iam.ServicePrincipal("lambda.amazonaws.com"),
            description="TaskForge token key pair and Web Push key generator",
        )
        role.add_to_policy(
            iam.PolicyStatement(
                actions=["secretsmanager:GetSecretValue", "secretsmanager:PutSecretValue"],
                resources=[signing_key.secret_arn, verify_key.secret_arn, vapid_key.secret_arn],
            )
        )
        role.add_to_policy(
            iam.PolicyStatement(actions=["logs:CreateLogStream", "logs:PutLogEvents"], resources=[streams])
        )
        self.function = lambda_.Function(
            self,
            "Function",
            runtime=RUNTIME,
            handler="handler.handler",
            code=lambda_.Code.from_asset(str(CODE), exclude=["__pycache__", "*.pyc", "__init__.py"]),
            role=role,
            log_group=log_group,
            timeout=Duration.minutes(1),
            memory_size=256,
            description="Makes the token key pair and the Web Push key once; never replaces them",
        )
        self.resource = CustomResource(
            self,
            "Resource",
            service_token=self.function.function_arn,
            resource_type="Custom::TaskForgeKeyPair",
            properties={
                "SigningSecret": signing_key.secret_arn,
                "VerifySecret": verify_key.secret_arn,
                "VapidSecret": vapid_key.secret_arn,
            },
            removal_policy=RemovalPolicy.RETAIN,
        )
        acknowledge(
            role,
            {
                f"IAM5[Resource::arn:<AWS::Partition>:logs:{stack.region}:{stack.account}:log-group:{LOG_GROUP}:*]": (
                    "Log streams are named by Lambda at run time; the wildcard is limited to this "
                    "function's own log group."
                ),
            },
        )
