"""CloudWatch: a dashboard and alarms on the metrics the functions emit as EMF (namespace
TaskForge): `Latency` (ms) by operation and status_class for every API request, and
`CacheUnavailable` by operation whenever Redis fails and the API carries on without it.

The metrics reach CloudWatch once the cluster ships container output to CloudWatch Logs
in EMF (cdk/README.md); until then the alarms see no data and stay OK."""

from __future__ import annotations

from collections.abc import Sequence

from aws_cdk import Duration
from aws_cdk import aws_cloudwatch as cloudwatch
from aws_cdk import aws_cloudwatch_actions as actions
from aws_cdk import aws_iam as iam
from aws_cdk import aws_kms as kms
from aws_cdk import aws_sns as sns
from aws_cdk import aws_sns_subscriptions as subscriptions
from constructs import Construct

from cdk.environments import Environment
from functions.catalog import Function

NAMESPACE = "TaskForge"  # functions/taskforge/api.py METRICS_NAMESPACE, cache.py
PERIOD = Duration.minutes(5)
# Metrics Insights queries: one alarm over every operation, whatever the catalog adds.
SERVER_ERRORS = ('SELECT COUNT(Latency) FROM SCHEMA("TaskForge", operation, status_class) '
                 "WHERE status_class = '5xx'")
CACHE_FAILURES = 'SELECT SUM(CacheUnavailable) FROM SCHEMA("TaskForge", operation)'
BY_STATUS_CLASS = ('SELECT COUNT(Latency) FROM SCHEMA("TaskForge", operation, status_class) '
                   "GROUP BY status_class")
SERVER_ERROR_THRESHOLD = 10  # 5xx responses in 5 minutes, all operations together
CACHE_FAILURE_THRESHOLD = 20  # Redis failures in 5 minutes (each opens a few seconds' circuit)
LATENCY_P99_MS = 1000


def latency(operation: str, status_class: str = "2xx", statistic: str = "p99") -> cloudwatch.Metric:
    return cloudwatch.Metric(namespace=NAMESPACE, metric_name="Latency", statistic=statistic, period=PERIOD,
                             dimensions_map={"operation": operation, "status_class": status_class})


class Observability(Construct):
    def __init__(self, scope: Construct, construct_id: str, *, environment: Environment,
                 functions: Sequence[Function]) -> None:
        super().__init__(scope, construct_id)
        key = kms.Key(self, "AlarmsKey", enable_key_rotation=True, description="TaskForge alarm topic")
        self.topic = sns.Topic(self, "Alarms", display_name=f"TaskForge {environment.name} alarms",
                               master_key=key, enforce_ssl=True)
        # Alarms publish to the encrypted topic as CloudWatch.
        key.grant(iam.ServicePrincipal("cloudwatch.amazonaws.com"), "kms:Decrypt", "kms:GenerateDataKey*")
        if environment.alarm_email:
            self.topic.add_subscription(subscriptions.EmailSubscription(environment.alarm_email))
        notify = actions.SnsAction(self.topic)
        http = [function.name for function in functions if function.routes]

        server_errors = cloudwatch.MathExpression(expression=SERVER_ERRORS, period=PERIOD, label="5xx responses")
        cache_failures = cloudwatch.MathExpression(expression=CACHE_FAILURES, period=PERIOD,
                                                   label="Redis unavailable")
        self.alarms = [
            server_errors.create_alarm(
                self, "ServerErrors", alarm_name=f"taskforge-{environment.name}-5xx",
                alarm_description="The API answered with 5xx more often than usual",
                threshold=SERVER_ERROR_THRESHOLD, evaluation_periods=1,
                comparison_operator=cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
                treat_missing_data=cloudwatch.TreatMissingData.NOT_BREACHING),
            cache_failures.create_alarm(
                self, "CacheUnavailable", alarm_name=f"taskforge-{environment.name}-cache-unavailable",
                alarm_description="Redis calls are failing: the API runs without its cache and rate limits",
                threshold=CACHE_FAILURE_THRESHOLD, evaluation_periods=2, datapoints_to_alarm=2,
                comparison_operator=cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
                treat_missing_data=cloudwatch.TreatMissingData.NOT_BREACHING),
        ]
        for operation in http:
            self.alarms.append(latency(operation).create_alarm(
                self, f"Latency-{operation}", alarm_name=f"taskforge-{environment.name}-{operation}-p99",
                alarm_description=f"p99 latency of {operation} above {LATENCY_P99_MS} ms for 15 minutes",
                threshold=LATENCY_P99_MS, evaluation_periods=3, datapoints_to_alarm=3,
                comparison_operator=cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
                treat_missing_data=cloudwatch.TreatMissingData.NOT_BREACHING))
        for alarm in self.alarms:
            alarm.add_alarm_action(notify)
            alarm.add_ok_action(notify)

        dashboard = cloudwatch.Dashboard(self, "Dashboard", dashboard_name=f"taskforge-{environment.name}",
                                         default_interval=Duration.hours(6))
        dashboard.add_widgets(
            cloudwatch.GraphWidget(title="Requests by status class", width=12, left=[
                cloudwatch.MathExpression(expression=BY_STATUS_CLASS, period=PERIOD, label="")]),
            cloudwatch.GraphWidget(title="5xx and Redis failures", width=12, left=[server_errors, cache_failures]),
            cloudwatch.GraphWidget(title="p99 latency by operation (2xx, ms)", width=24, height=8,
                                   left=[latency(operation) for operation in http],
                                   left_annotations=[cloudwatch.HorizontalAnnotation(value=LATENCY_P99_MS)]),
            cloudwatch.AlarmStatusWidget(title="Alarms", width=24, alarms=self.alarms),
        )

