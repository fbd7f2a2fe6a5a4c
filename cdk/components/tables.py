"""The DynamoDB tables, exactly as functions/platform/dynamo.py's models expect them:
the reminder delivery ledger and the activity feed. On demand, point-in-time recovery,
expiry through the `expires` TTL attribute the models set."""

from __future__ import annotations

from aws_cdk import RemovalPolicy
from aws_cdk import aws_dynamodb as dynamodb
from constructs import Construct

from cdk.environments import Environment

# functions/platform/settings.py's defaults: the same names in every environment's account.
LEDGER_TABLE = "taskforge-delivery-ledger"
ACTIVITY_TABLE = "taskforge-activity"
TTL_ATTRIBUTE = "expires"
BY_TASK_INDEX = "by-task"


def _string(name: str) -> dynamodb.Attribute:
    return dynamodb.Attribute(name=name, type=dynamodb.AttributeType.STRING)


class Tables(Construct):
    def __init__(self, scope: Construct, construct_id: str, *, environment: Environment) -> None:
        super().__init__(scope, construct_id)
        self._production = environment.production
        self.ledger = self._table("DeliveryLedger", LEDGER_TABLE, "delivery_id")
        self.activity = self._table("Activity", ACTIVITY_TABLE, "workspace_id", "sort_key")
        self.activity.add_global_secondary_index(
            index_name=BY_TASK_INDEX,
            partition_key=_string("task_id"),
            sort_key=_string("sort_key"),
            projection_type=dynamodb.ProjectionType.ALL,
        )

    def _table(self, construct_id: str, name: str, partition_key: str, sort_key: str | None = None) -> dynamodb.Table:
        return dynamodb.Table(
            self,
            construct_id,
            table_name=name,
            partition_key=_string(partition_key),
            sort_key=_string(sort_key) if sort_key else None,
            billing_mode=dynamodb.BillingMode.PAY_PER_REQUEST,
            encryption=dynamodb.TableEncryption.AWS_MANAGED,
            point_in_time_recovery_specification=dynamodb.PointInTimeRecoverySpecification(
                point_in_time_recovery_enabled=True
            ),
            time_to_live_attribute=TTL_ATTRIBUTE,
            deletion_protection=self._production,
            removal_policy=RemovalPolicy.RETAIN if self._production else RemovalPolicy.DESTROY,
        )
