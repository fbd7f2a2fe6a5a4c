"""The VPC: public subnets for the ALB and NAT, private ones for the nodes, isolated ones
for PostgreSQL and Redis; every flow logged. S3 and DynamoDB are reached through gateway
endpoints, not the NAT."""

from __future__ import annotations

from aws_cdk import RemovalPolicy, Tags
from aws_cdk import aws_ec2 as ec2
from aws_cdk import aws_logs as logs
from constructs import Construct

from cdk.environments import Environment

GATEWAY_ENDPOINTS = {
    "S3Endpoint": ec2.GatewayVpcEndpointAwsService.S3,
    "DynamoDbEndpoint": ec2.GatewayVpcEndpointAwsService.DYNAMODB,
}


class Network(Construct):
    def __init__(self, scope: Construct, construct_id: str, *, environment: Environment) -> None:
        super().__init__(scope, construct_id)
        flow_logs = logs.LogGroup(
            self,
            "FlowLogs",
            retention=logs.RetentionDays.ONE_YEAR if environment.production else logs.RetentionDays.ONE_MONTH,
            removal_policy=RemovalPolicy.RETAIN if environment.production else RemovalPolicy.DESTROY,
        )
        self.vpc = ec2.Vpc(
            self,
            "Vpc",
            ip_addresses=ec2.IpAddresses.cidr(environment.vpc_cidr),
            # Explicit zones: no lookup at synth time, so synthesis works offline.
            availability_zones=[f"{environment.region}{zone}" for zone in "abc"[: environment.availability_zones]],
            nat_gateways=environment.nat_gateways,
            subnet_configuration=[
                ec2.SubnetConfiguration(name="public", subnet_type=ec2.SubnetType.PUBLIC, cidr_mask=22),
                ec2.SubnetConfiguration(name="private", subnet_type=ec2.SubnetType.PRIVATE_WITH_EGRESS, cidr_mask=19),
                ec2.SubnetConfiguration(name="data", subnet_type=ec2.SubnetType.PRIVATE_ISOLATED, cidr_mask=24),
            ],
            restrict_default_security_group=True,
            flow_logs={
                "all": ec2.FlowLogOptions(
                    destination=ec2.FlowLogDestination.to_cloud_watch_logs(flow_logs),
                    traffic_type=ec2.FlowLogTrafficType.ALL,
                )
            },
        )
        # How the AWS Load Balancer Controller finds subnets for internet-facing and internal ALBs.
        for subnet in self.vpc.public_subnets:
            Tags.of(subnet).add("kubernetes.io/role/elb", "1")
        for subnet in self.vpc.private_subnets:
            Tags.of(subnet).add("kubernetes.io/role/internal-elb", "1")
        self.data_subnets = ec2.SubnetSelection(subnet_type=ec2.SubnetType.PRIVATE_ISOLATED)
        self.node_subnets = ec2.SubnetSelection(subnet_type=ec2.SubnetType.PRIVATE_WITH_EGRESS)
        # Gateway endpoints cost nothing and keep image layers (S3) and the ledger and
        # activity traffic (DynamoDB) off the NAT's per-GB charge. Interface endpoints are
        # billed per zone-hour and are left out on purpose (docs/operations.md, "Network endpoints").
        for name, service in GATEWAY_ENDPOINTS.items():
            self.vpc.add_gateway_endpoint(name, service=service, subnets=[self.node_subnets])
