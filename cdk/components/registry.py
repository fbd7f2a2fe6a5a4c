"""ECR: the one image every function runs. CI pushes it (tagged with the release, deployed
by digest); tags are immutable, every push is scanned, old images expire."""

from __future__ import annotations

from aws_cdk import Duration, RemovalPolicy
from aws_cdk import aws_ecr as ecr
from constructs import Construct

from cdk.environments import APP, Environment


class Registry(Construct):
    def __init__(self, scope: Construct, construct_id: str, *, environment: Environment) -> None:
        super().__init__(scope, construct_id)
        self.repository = ecr.Repository(
            self, "Repository",
            repository_name=APP,  # knative/render.py: <account>.dkr.ecr.<region>.amazonaws.com/taskforge
            image_scan_on_push=True,
            image_tag_mutability=ecr.TagMutability.IMMUTABLE,
            encryption=ecr.RepositoryEncryption.KMS,
            removal_policy=RemovalPolicy.RETAIN if environment.production else RemovalPolicy.DESTROY,
            lifecycle_rules=[
                ecr.LifecycleRule(description="untagged layers of abandoned builds", rule_priority=1,
                                  tag_status=ecr.TagStatus.UNTAGGED, max_image_age=Duration.days(14)),
                ecr.LifecycleRule(description="keep the last releases to roll back to", rule_priority=2,
                                  tag_status=ecr.TagStatus.ANY, max_image_count=50),
            ],
        )
