"""ECR: the one image every function runs. The deploy workflow pushes it (tagged with the
release, deployed by digest); tags are immutable, every push is scanned, old images expire.

It lives in a stack of its own (cdk/registry_stack.py), deployed before the image is pushed,
so the workflow's role gets its push rights here."""

from __future__ import annotations

from aws_cdk import Duration, RemovalPolicy
from aws_cdk import aws_ecr as ecr
from aws_cdk import aws_iam as iam
from constructs import Construct

from cdk.components.nag import acknowledge
from cdk.environments import APP, Environment

# Beyond pull and push: the workflow asks whether the commit's tag is there, and its digest.
DESCRIBE = ("ecr:DescribeImages",)


class Registry(Construct):
    def __init__(self, scope: Construct, construct_id: str, *, environment: Environment) -> None:
        super().__init__(scope, construct_id)
        self.repository = ecr.Repository(
            self,
            "Repository",
            repository_name=APP,  # knative/render.py: <account>.dkr.ecr.<region>.amazonaws.com/taskforge
            image_scan_on_push=True,
            image_tag_mutability=ecr.TagMutability.IMMUTABLE,
            encryption=ecr.RepositoryEncryption.KMS,
            removal_policy=RemovalPolicy.RETAIN if environment.production else RemovalPolicy.DESTROY,
            lifecycle_rules=[
                ecr.LifecycleRule(
                    description="untagged layers of abandoned builds",
                    rule_priority=1,
                    tag_status=ecr.TagStatus.UNTAGGED,
                    max_image_age=Duration.days(14),
                ),
                ecr.LifecycleRule(
                    description="keep the last releases to roll back to",
                    rule_priority=2,
                    tag_status=ecr.TagStatus.ANY,
                    max_image_count=50,
                ),
            ],
        )
        if environment.deploy_role_arn:
            # The CD workflow's role builds and pushes the release here (.github/workflows/deploy.yml).
            pusher = iam.Role.from_role_arn(self, "DeployRole", environment.deploy_role_arn)
            self.repository.grant_pull_push(pusher)
            self.repository.grant(pusher, *DESCRIBE)
            acknowledge(
                pusher,
                {  # the policy the grants attach to the role
                    "IAM5[Resource::*]": "ecr:GetAuthorizationToken (docker login) takes no resource; every other "
                    "action is on this repository only.",
                },
            )
