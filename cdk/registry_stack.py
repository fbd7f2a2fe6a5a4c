"""One environment's image registry, a stack of its own: it must exist before the image is
pushed, and the image before the main stack (cdk/stack.py) deploys the release. The deploy
workflow runs `cdk deploy TaskForge-<env>-registry -e` first; `cdk deploy TaskForge-<env>`
deploys it too, as a dependency, when it has changed."""

from __future__ import annotations

from aws_cdk import CfnOutput, Stack
from aws_cdk import Environment as AwsEnvironment
from constructs import Construct

from cdk.components.registry import Registry
from cdk.environments import Environment


def registry_stack_name(environment: Environment) -> str:
    return f"{environment.stack_name}-registry"


class RegistryStack(Stack):
    def __init__(self, scope: Construct, environment: Environment) -> None:
        super().__init__(
            scope,
            registry_stack_name(environment),
            env=AwsEnvironment(account=environment.account, region=environment.region),
            description=f"TaskForge {environment.name}: the ECR repository of the release images",
            termination_protection=environment.production,
        )
        self.registry = Registry(self, "Registry", environment=environment)
        CfnOutput(
            self,
            "RepositoryUri",
            value=self.registry.repository.repository_uri,
            description="where the deploy workflow pushes the commit's image",
        )
