"""Redis on ElastiCache: a replication group in the isolated subnets, encrypted in transit
and at rest, AUTH token from Secrets Manager (taskforge-redis)."""

from __future__ import annotations

from aws_cdk import RemovalPolicy, Token
from aws_cdk import aws_ec2 as ec2
from aws_cdk import aws_elasticache as elasticache
from aws_cdk import aws_kms as kms
from aws_cdk import aws_secretsmanager as secretsmanager
from constructs import Construct

from cdk.components.nag import acknowledge
from cdk.environments import Environment

PORT = 6379


class Cache(Construct):
    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        environment: Environment,
        vpc: ec2.IVpc,
        subnets: ec2.SubnetSelection,
        auth_token: secretsmanager.ISecret,
    ) -> None:
        super().__init__(scope, construct_id)
        self.security_group = ec2.SecurityGroup(
            self, "SecurityGroup", vpc=vpc, allow_all_outbound=False, description="TaskForge Redis"
        )
        key = kms.Key(
            self,
            "Key",
            enable_key_rotation=True,
            description="TaskForge Redis at rest",
            removal_policy=RemovalPolicy.RETAIN,
        )
        subnet_group = elasticache.CfnSubnetGroup(
            self,
            "Subnets",
            description="TaskForge Redis",
            subnet_ids=vpc.select_subnets(subnet_type=subnets.subnet_type).subnet_ids,
        )
        replicated = environment.cache_nodes > 1
        self.group = elasticache.CfnReplicationGroup(
            self,
            "ReplicationGroup",
            replication_group_description=f"TaskForge {environment.name} cache and rate limits",
            engine="redis",
            engine_version="7.1",
            cache_node_type=environment.cache_node_type,
            num_cache_clusters=environment.cache_nodes,
            automatic_failover_enabled=replicated,
            multi_az_enabled=replicated,
            port=PORT,
            cache_subnet_group_name=subnet_group.ref,
            security_group_ids=[self.security_group.security_group_id],
            transit_encryption_enabled=True,
            transit_encryption_mode="required",
            at_rest_encryption_enabled=True,
            kms_key_id=key.key_arn,
            auth_token=auth_token.secret_value_from_json("token").unsafe_unwrap(),
            snapshot_retention_limit=7 if environment.production else 1,
            snapshot_window="02:00-03:00",
            preferred_maintenance_window="sun:05:30-sun:06:30",
            auto_minor_version_upgrade=True,
        )
        self.group.apply_removal_policy(RemovalPolicy.SNAPSHOT if environment.production else RemovalPolicy.DESTROY)
        self.connections = ec2.Connections(security_groups=[self.security_group], default_port=ec2.Port.tcp(PORT))
        self.host = self.group.attr_primary_end_point_address
        self.port = Token.as_string(self.group.attr_primary_end_point_port)
        acknowledge(
            self.group,
            {
                "AEC5": "Security groups admit only the cluster's nodes; the standard port keeps clients' defaults.",
            },
        )
        if not replicated:
            acknowledge(
                self.group,
                {
                    "AEC4": "Staging runs one node: the API keeps working without Redis, so a failover is not worth "
                    "a second node there; production is Multi-AZ.",
                },
            )

    def allow_from(self, peer: ec2.IConnectable) -> None:
        self.connections.allow_default_port_from(peer, "TaskForge functions")
