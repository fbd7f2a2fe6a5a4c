"""CloudWatch: a dashboard and alarms on the metrics the functions emit as EMF (namespace
TaskForge): `Latency` (ms) by operation and status_class for every API request, and
`CacheUnavailable` by operation whenever Redis fails and the API carries on without it.

The metrics reach CloudWatch through the cluster's log shipping (addons.py: Fluent Bit
sends the TaskForge EMF lines as `json/emf`).

The data stores are watched through the metrics AWS publishes itself: RDS CPU and free
storage (AWS/RDS) and Redis memory on every node (AWS/ElastiCache).

The reminder dispatcher (`dispatch-reminders`) emits `ReminderLag` (seconds, dimension
`operation=dispatch-reminders`) once per run: the age of the oldest pending reminder that
is due (0 when none is). It is the dispatcher's heartbeat: its alarm treats missing data
as breaching, since a minute-by-minute schedule that reports nothing for ten minutes is
not running (or its logs no longer reach CloudWatch). The other alarms count events
that are rare when all is well, so silence there is good news. The API emits `RateLimitFallback` (dimension
`operation=api-rate-limit`) whenever Redis is unreachable and the per-user limit is
counted in each process alone, weaker than it should be.

The scheduled functions (`dispatch-reminders`, `send-digests`, `relay-outbox`) emit
`Quarantined` (count, dimension `operation`) for each row they set aside because it could
not be processed; any one in five minutes alarms, since a quarantined row waits for an
operator (docs/operations.md, "Quarantined rows"). `record-dead-letter` emits `DeadLetters`
for each event the Brokers gave up on; any one alarms too."""

from __future__ import annotations

from collections.abc import Sequence

from aws_cdk import Duration, Fn
from aws_cdk import aws_cloudwatch as cloudwatch
from aws_cdk import aws_cloudwatch_actions as actions
from aws_cdk import aws_elasticache as elasticache
from aws_cdk import aws_iam as iam
from aws_cdk import aws_kms as kms
from aws_cdk import aws_rds as rds
from aws_cdk import aws_sns as sns
from aws_cdk import aws_sns_subscriptions as subscriptions
from constructs import Construct

from cdk.environments import Environment
from functions.catalog import Function

NAMESPACE = "TaskForge"  # functions/platform/api.py METRICS_NAMESPACE, cache.py
PERIOD = Duration.minutes(5)
PROBES = "health"
# Metrics Insights queries: one alarm over every operation, whatever the catalog adds.
SERVER_ERRORS = "SELECT COUNT(Latency) FROM SCHEMA(\"TaskForge\", operation, status_class) WHERE status_class = '5xx'"
CACHE_FAILURES = 'SELECT SUM(CacheUnavailable) FROM SCHEMA("TaskForge", operation)'
QUARANTINED = 'SELECT SUM(Quarantined) FROM SCHEMA("TaskForge", operation)'
BY_STATUS_CLASS = 'SELECT COUNT(Latency) FROM SCHEMA("TaskForge", operation, status_class) GROUP BY status_class'
SERVER_ERROR_THRESHOLD = 10  # 5xx responses in 5 minutes, all operations together
CACHE_FAILURE_THRESHOLD = 20  # Redis failures in 5 minutes (each opens a few seconds' circuit)
LATENCY_P99_MS = 1000
DISPATCHER = "dispatch-reminders"  # functions/catalog.py: runs every minute
DEAD_LETTERS = "record-dead-letter"  # functions/catalog.py: stores what the Brokers could not deliver
REMINDER_LAG_SECONDS = 300  # the oldest due reminder waited more than 5 minutes
DATABASE_CPU_PERCENT = 80
DATABASE_FREE_STORAGE_FRACTION = 0.1  # of the allocated storage (storage autoscaling starts at 10 % free)
CACHE_MEMORY_PERCENT = 80  # of maxmemory: beyond it Redis evicts keys


def reminder_lag() -> cloudwatch.Metric:
    return cloudwatch.Metric(
        namespace=NAMESPACE,
        metric_name="ReminderLag",
        statistic="Maximum",
        period=PERIOD,
        dimensions_map={"operation": DISPATCHER},
        unit=cloudwatch.Unit.SECONDS,
    )


def dead_letters() -> cloudwatch.Metric:
    return cloudwatch.Metric(
        namespace=NAMESPACE,
        metric_name="DeadLetters",
        statistic="Sum",
        period=PERIOD,
        dimensions_map={"operation": DEAD_LETTERS},
        unit=cloudwatch.Unit.COUNT,
    )


def cache_memory(group: elasticache.CfnReplicationGroup, nodes: int) -> cloudwatch.MathExpression:
    """The fullest node's memory: ElastiCache names a group's nodes <group id>-001, -002, …"""
    metrics = {
        f"node{index}": cloudwatch.Metric(
            namespace="AWS/ElastiCache",
            metric_name="DatabaseMemoryUsagePercentage",
            statistic="Maximum",
            period=PERIOD,
            dimensions_map={"CacheClusterId": Fn.join("-", [group.ref, f"{index:03d}"])},
        )
        for index in range(1, nodes + 1)
    }
    return cloudwatch.MathExpression(
        expression=f"MAX([{', '.join(metrics)}])",
        using_metrics=metrics,
        period=PERIOD,
        label="Redis memory used (%, fullest node)",
    )


def latency(operation: str, status_class: str = "2xx", statistic: str = "p99") -> cloudwatch.Metric:
    return cloudwatch.Metric(
        namespace=NAMESPACE,
        metric_name="Latency",
        statistic=statistic,
        period=PERIOD,
        dimensions_map={"operation": operation, "status_class": status_class},
    )


class Observability(Construct):
    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        environment: Environment,
        functions: Sequence[Function],
        database: rds.DatabaseInstance,
        cache: elasticache.CfnReplicationGroup,
    ) -> None:
        super().__init__(scope, construct_id)
        key = kms.Key(self, "AlarmsKey", enable_key_rotation=True, description="TaskForge alarm topic")
        self.topic = sns.Topic(
            self, "Alarms", display_name=f"TaskForge {environment.name} alarms", master_key=key, enforce_ssl=True
        )
        # Alarms publish to the encrypted topic as CloudWatch.
        key.grant(iam.ServicePrincipal("cloudwatch.amazonaws.com"), "kms:Decrypt", "kms:GenerateDataKey*")
        if environment.alarm_email:
            self.topic.add_subscription(subscriptions.EmailSubscription(environment.alarm_email))
        notify = actions.SnsAction(self.topic)
        # The probes (functions/health) answer the kubelet without the API wrapper and emit no
        # Latency metric: a p99 alarm on them would never see data. Kubernetes watches them.
        http = [function.name for function in functions if function.routes and function.area != PROBES]

        server_errors = cloudwatch.MathExpression(expression=SERVER_ERRORS, period=PERIOD, label="5xx responses")
        cache_failures = cloudwatch.MathExpression(expression=CACHE_FAILURES, period=PERIOD, label="Redis unavailable")
        quarantined = cloudwatch.MathExpression(expression=QUARANTINED, period=PERIOD, label="Rows quarantined")
        self.alarms = [
            server_errors.create_alarm(
                self,
                "ServerErrors",
                alarm_name=f"taskforge-{environment.name}-5xx",
                alarm_description="The API answered with 5xx more often than usual",
                threshold=SERVER_ERROR_THRESHOLD,
                evaluation_periods=1,
                comparison_operator=cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
                treat_missing_data=cloudwatch.TreatMissingData.NOT_BREACHING,
            ),
            cache_failures.create_alarm(
                self,
                "CacheUnavailable",
                alarm_name=f"taskforge-{environment.name}-cache-unavailable",
                alarm_description="Redis calls are failing: the API runs without its cache and rate limits",
                threshold=CACHE_FAILURE_THRESHOLD,
                evaluation_periods=2,
                datapoints_to_alarm=2,
                comparison_operator=cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
                treat_missing_data=cloudwatch.TreatMissingData.NOT_BREACHING,
            ),
            self._on_any(
                quarantined,
                "Quarantined",
                f"taskforge-{environment.name}-quarantined",
                "A scheduled function set a row aside that it could not process (a reminder, an outbox "
                "event, a digest): find it with `python -m functions.domain.reminders.quarantine list`, "
                "fix the cause, release it",
            ),
        ]
        if any(function.name == DEAD_LETTERS for function in functions):
            self.alarms.append(
                self._on_any(
                    dead_letters(),
                    "DeadLetters",
                    f"taskforge-{environment.name}-dead-letters",
                    "An event could not be delivered after every retry and was stored in the dead_letters table (its "
                    "attributes say which subscriber failed): fix the cause, then replay it (docs/operations.md)",
                )
            )
        if any(function.name == DISPATCHER for function in functions):
            self.alarms.append(
                reminder_lag().create_alarm(
                    self,
                    "ReminderLag",
                    alarm_name=f"taskforge-{environment.name}-reminder-lag",
                    alarm_description=f"Due reminders waited more than {REMINDER_LAG_SECONDS} s for {DISPATCHER}: "
                    "the schedule is not running, or runs cannot keep up (no data: it is not "
                    "running, or its output no longer reaches CloudWatch)",
                    threshold=REMINDER_LAG_SECONDS,
                    evaluation_periods=2,
                    datapoints_to_alarm=2,
                    comparison_operator=cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
                    treat_missing_data=cloudwatch.TreatMissingData.BREACHING,
                )
            )
        free_storage_bytes = int(environment.database_storage_gib * DATABASE_FREE_STORAGE_FRACTION * 1024**3)
        memory = cache_memory(cache, environment.cache_nodes)
        self.alarms += [
            database.metric_cpu_utilization(period=PERIOD, statistic="Average").create_alarm(
                self,
                "DatabaseCpu",
                alarm_name=f"taskforge-{environment.name}-database-cpu",
                alarm_description=f"PostgreSQL CPU above {DATABASE_CPU_PERCENT} % for 15 minutes",
                threshold=DATABASE_CPU_PERCENT,
                evaluation_periods=3,
                datapoints_to_alarm=3,
                comparison_operator=cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
                treat_missing_data=cloudwatch.TreatMissingData.BREACHING,
            ),
            database.metric_free_storage_space(period=PERIOD, statistic="Minimum").create_alarm(
                self,
                "DatabaseFreeStorage",
                alarm_name=f"taskforge-{environment.name}-database-free-storage",
                alarm_description=f"PostgreSQL has less than {DATABASE_FREE_STORAGE_FRACTION:.0%} of "
                f"{environment.database_storage_gib} GiB free",
                threshold=free_storage_bytes,
                evaluation_periods=1,
                comparison_operator=cloudwatch.ComparisonOperator.LESS_THAN_THRESHOLD,
                treat_missing_data=cloudwatch.TreatMissingData.BREACHING,
            ),
            memory.create_alarm(
                self,
                "CacheMemory",
                alarm_name=f"taskforge-{environment.name}-cache-memory",
                alarm_description=f"A Redis node uses more than {CACHE_MEMORY_PERCENT} % of its memory for "
                "15 minutes: keys are about to be evicted",
                threshold=CACHE_MEMORY_PERCENT,
                evaluation_periods=3,
                datapoints_to_alarm=3,
                comparison_operator=cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
                treat_missing_data=cloudwatch.TreatMissingData.NOT_BREACHING,
            ),
        ]
        for operation in http:
            self.alarms.append(
                latency(operation).create_alarm(
                    self,
                    f"Latency-{operation}",
                    alarm_name=f"taskforge-{environment.name}-{operation}-p99",
                    alarm_description=f"p99 latency of {operation} above {LATENCY_P99_MS} ms for 15 minutes",
                    threshold=LATENCY_P99_MS,
                    evaluation_periods=3,
                    datapoints_to_alarm=3,
                    comparison_operator=cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
                    treat_missing_data=cloudwatch.TreatMissingData.NOT_BREACHING,
                )
            )
        for alarm in self.alarms:
            alarm.add_alarm_action(notify)
            alarm.add_ok_action(notify)

        dashboard = cloudwatch.Dashboard(
            self, "Dashboard", dashboard_name=f"taskforge-{environment.name}", default_interval=Duration.hours(6)
        )
        dashboard.add_widgets(
            cloudwatch.GraphWidget(
                title="Requests by status class",
                width=12,
                left=[cloudwatch.MathExpression(expression=BY_STATUS_CLASS, period=PERIOD, label="")],
            ),
            cloudwatch.GraphWidget(
                title="5xx, Redis failures and quarantined rows",
                width=12,
                left=[server_errors, cache_failures, quarantined],
            ),
            cloudwatch.GraphWidget(
                title="p99 latency by operation (2xx, ms)",
                width=24,
                height=8,
                left=[latency(operation) for operation in http],
                left_annotations=[cloudwatch.HorizontalAnnotation(value=LATENCY_P99_MS)],
            ),
            cloudwatch.GraphWidget(
                title="PostgreSQL CPU (%)", width=8, left=[database.metric_cpu_utilization(period=PERIOD)]
            ),
            cloudwatch.GraphWidget(
                title="PostgreSQL free storage (bytes)",
                width=8,
                left=[database.metric_free_storage_space(period=PERIOD)],
            ),
            cloudwatch.GraphWidget(
                title="Redis memory (%) and reminder lag (s)", width=8, left=[memory], right=[reminder_lag()]
            ),
            cloudwatch.AlarmStatusWidget(title="Alarms", width=24, alarms=self.alarms),
        )

    def _on_any(
        self, metric: cloudwatch.Metric | cloudwatch.MathExpression, construct_id: str, name: str, description: str
    ) -> cloudwatch.Alarm:
        """An alarm on any one occurrence in a period: each is something an operator must look at,
        and silence is good."""
        return metric.create_alarm(
            self,
            construct_id,
            alarm_name=name,
            alarm_description=description,
            threshold=1,
            evaluation_periods=1,
            comparison_operator=cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
            treat_missing_data=cloudwatch.TreatMissingData.NOT_BREACHING,
        )
