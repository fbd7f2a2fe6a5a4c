"""The bucket every access log lands in: S3 server access logs, CloudFront's and the ALB's."""

from __future__ import annotations

from aws_cdk import Duration, RemovalPolicy
from aws_cdk import aws_iam as iam
from aws_cdk import aws_s3 as s3
from constructs import Construct

from cdk.components.nag import acknowledge
from cdk.environments import Environment

# Elastic Load Balancing's log-delivery account in us-east-1, the one region these stacks use.
ELB_LOG_ACCOUNT = "127311923021"
ALB_PREFIX = "alb"


class AccessLogs(Construct):
    def __init__(self, scope: Construct, construct_id: str, *, environment: Environment) -> None:
        super().__init__(scope, construct_id)
        self.bucket = s3.Bucket(
            self,
            "Bucket",
            block_public_access=s3.BlockPublicAccess.BLOCK_ALL,
            encryption=s3.BucketEncryption.S3_MANAGED,  # the only encryption ALB log delivery supports
            enforce_ssl=True,
            # CloudFront's standard logs are written with an ACL.
            object_ownership=s3.ObjectOwnership.OBJECT_WRITER,
            lifecycle_rules=[s3.LifecycleRule(expiration=Duration.days(365 if environment.production else 30))],
            removal_policy=RemovalPolicy.RETAIN,
        )
        self.bucket.grant_put(iam.AccountPrincipal(ELB_LOG_ACCOUNT), f"{ALB_PREFIX}/*")
        acknowledge(self.bucket, {"S1": "This is the access-log bucket; logging it into itself would loop."})
