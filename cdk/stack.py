"""One environment of TaskForge: composes the constructs in cdk/components/, one per file."""

from __future__ import annotations

from aws_cdk import CfnOutput, CfnResource, RemovalPolicy, Stack
from aws_cdk import Environment as AwsEnvironment
from aws_cdk import aws_ecr as ecr
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_logs as logs
from constructs import Construct

from cdk.components.access_logs import AccessLogs
from cdk.components.addons import Addons
from cdk.components.autoscaler import Autoscaler
from cdk.components.cache import Cache
from cdk.components.certificate import Certificate
from cdk.components.cluster import Cluster
from cdk.components.database import Database
from cdk.components.deployer import Deployer
from cdk.components.dns import Dns
from cdk.components.firewall import Firewall
from cdk.components.identity import Grantables, Identity
from cdk.components.keys import KeyPair
from cdk.components.mail import Mail
from cdk.components.mesh import Mesh
from cdk.components.network import Network
from cdk.components.observability import Observability
from cdk.components.secret_sync import SecretSync
from cdk.components.secrets import Secrets
from cdk.components.spa import Spa
from cdk.components.tables import Tables
from cdk.environments import APP, Environment
from cdk.registry_stack import RegistryStack
from functions.catalog import FUNCTIONS


class TaskForgeStack(Stack):
    def __init__(self, scope: Construct, environment: Environment, *, registry: RegistryStack) -> None:
        super().__init__(
            scope,
            environment.stack_name,
            env=AwsEnvironment(account=environment.account, region=environment.region),
            description=f"TaskForge {environment.name}: EKS + Knative, RDS, ElastiCache, DynamoDB, "
            "SES, S3 + CloudFront (ECR: its registry stack)",
            termination_protection=environment.production,
        )
        self.environment_settings = environment
        # The repository is the registry stack's (deployed first: the image must be pushed
        # before this stack names it), looked up by name: no export ties the two stacks.
        self.registry_stack = registry
        self.add_stack_dependency(registry)
        repository = ecr.Repository.from_repository_name(self, "Repository", APP)
        network = Network(self, "Network", environment=environment)
        logs = AccessLogs(self, "AccessLogs", environment=environment)
        certificate = Certificate(self, "Certificate", environment=environment)
        secrets = Secrets(self, "Secrets", production=environment.production)
        key_pair = KeyPair(
            self, "KeyPair", signing_key=secrets.signing_key, verify_key=secrets.verify_key, vapid_key=secrets.vapid_key
        )
        database = Database(
            self,
            "Database",
            environment=environment,
            vpc=network.vpc,
            subnets=network.data_subnets,
            rotation_subnets=network.node_subnets,
            secrets=secrets,
        )
        cache = Cache(
            self,
            "Cache",
            environment=environment,
            vpc=network.vpc,
            subnets=network.data_subnets,
            auth_token=secrets.redis,
        )
        tables = Tables(self, "Tables", environment=environment)
        mail = Mail(self, "Mail", environment=environment, zone=certificate.zone)

        cluster = Cluster(self, "Cluster", environment=environment, vpc=network.vpc, node_subnets=network.node_subnets)
        database.allow_from(cluster.security_group)
        cache.allow_from(cluster.security_group)
        Addons(self, "Addons", environment=environment, cluster=cluster.cluster)
        Autoscaler(self, "Autoscaler", environment=environment, cluster=cluster.cluster)
        deployer = Deployer(
            self,
            "Deployer",
            environment=environment,
            cluster=cluster.cluster,
            namespace=cluster.namespace,
            subnets=network.node_subnets,
            access_logs=logs.bucket,
        )
        Mesh(
            self,
            "Mesh",
            environment=environment,
            cluster=cluster.cluster,
            certificate=certificate.certificate,
            logs=logs.bucket,
        )
        Dns(self, "Dns", environment=environment, cluster=cluster.cluster, zone=certificate.zone)
        sync = SecretSync(
            self,
            "SecretSync",
            environment=environment,
            cluster=cluster.cluster,
            synced=[
                database.secret,
                database.admin_secret,
                secrets.redis,
                secrets.signing_key,
                secrets.verify_key,
                secrets.vapid_key,
            ],
            redis_host=cache.host,
            redis_port=cache.port,
            namespace=cluster.namespace,
        )
        sync.node.add_dependency(key_pair.resource)  # the first sync copies the generated pair, not a placeholder
        self.identity = Identity(
            self,
            "Identity",
            environment=environment,
            provider=cluster.cluster.open_id_connect_provider,
            functions=FUNCTIONS,
            grantables=Grantables(
                tables=tables,
                mail=mail,
                database=database.secret,
                redis=secrets.redis,
                signing_key=secrets.signing_key,
                verify_key=secrets.verify_key,
                vapid_key=secrets.vapid_key,
            ),
        )

        firewall = Firewall(self, "Firewall", environment=environment)
        spa = Spa(
            self,
            "Spa",
            environment=environment,
            certificate=certificate.certificate,
            logs=logs.bucket,
            web_acl_arn=firewall.web_acl.attr_arn,
            zone=certificate.zone,
        )
        Observability(
            self,
            "Observability",
            environment=environment,
            functions=FUNCTIONS,
            database=database.instance,
            cache=cache.group,
        )
        self._log_provider_functions(environment)

        CfnOutput(self, "ClusterName", value=cluster.cluster.cluster_name)
        CfnOutput(self, "RepositoryUri", value=repository.repository_uri)
        CfnOutput(self, "SiteBucket", value=spa.bucket.bucket_name)
        CfnOutput(self, "DistributionId", value=spa.distribution.distribution_id)
        CfnOutput(
            self,
            "DistributionDomain",
            value=spa.distribution.distribution_domain_name,
            description=f"point {environment.domain} here",
        )
        CfnOutput(
            self,
            "DeployerProject",
            value=deployer.project.project_name,
            description="the CodeBuild project that runs a deploy's cluster steps",
        )
        CfnOutput(self, "DeployerSourceBucket", value=deployer.source.bucket_name)
        CfnOutput(self, "DeployerLogGroup", value=deployer.log_group.log_group_name)
        CfnOutput(
            self,
            "DeployerWorkflowPolicy",
            value=deployer.workflow_policy.managed_policy_arn,
            description="attach to the CD workflow's role (done by the stack when deploy_role_arn is set)",
        )
        CfnOutput(self, "SmokeUserSecret", value=deployer.smoke_user.secret_name)
        CfnOutput(self, "DatabaseEndpoint", value=database.instance.db_instance_endpoint_address)
        CfnOutput(self, "DatabasePort", value=database.instance.db_instance_endpoint_port)
        if environment.image_tag:
            # What this deploy was made for (`-c imageTag=…`): the image knative/render.py is given.
            CfnOutput(
                self,
                "Image",
                value=f"{repository.repository_uri}:{environment.image_tag}",
                description="the release image of this deploy; deploy it by digest",
            )

    def _log_provider_functions(self, environment: Environment) -> None:
        """aws-cdk-lib's custom resource providers (the VPC's default security group, CfnJson)
        are plain CfnResources with no logging option; without a group of ours they would log to
        /aws/lambda/<name>, made by Lambda with no retention. Their basic execution role covers it."""
        functions = [
            child
            for child in self.node.find_all()
            if isinstance(child, CfnResource)
            and child.cfn_resource_type == "AWS::Lambda::Function"
            and not isinstance(child, lambda_.CfnFunction)
        ]
        if not functions:
            return
        group = logs.LogGroup(
            self,
            "ProviderFunctionLogs",
            retention=logs.RetentionDays.ONE_YEAR if environment.production else logs.RetentionDays.ONE_MONTH,
            removal_policy=RemovalPolicy.DESTROY,
        )
        for function in functions:
            function.add_property_override("LoggingConfig.LogGroup", group.log_group_name)
