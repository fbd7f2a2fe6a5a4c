"""PostgreSQL 16 on RDS: private, encrypted, backed up, its passwords rotated.

The administrator's secret is rotated alone; the app's user (taskforge-database, what
every function reads) with the alternating-users strategy, so a rotation never breaks
the connections of pods still holding the previous password. The administrator owns the
schema and runs the migrations; the migration Job creates the app's user, with row
privileges only (functions/platform/migrate.py: ensure_application_role).
"""

from __future__ import annotations

from aws_cdk import Duration, RemovalPolicy
from aws_cdk import aws_ec2 as ec2
from aws_cdk import aws_kms as kms
from aws_cdk import aws_logs as logs
from aws_cdk import aws_rds as rds
from aws_cdk import aws_secretsmanager as secretsmanager
from constructs import Construct

from cdk.components.nag import acknowledge
from cdk.components.secrets import DATABASE_NAME, Secrets
from cdk.environments import Environment

ROTATION_DAYS = 30
# Not PostgreSQL's 5432: scanners and scripted attacks probe the default first. The security
# group, the secrets (`port`) and the URL the External Secrets Operator builds all follow
# the instance's port, so this is the one place to change it.
PORT = 5433
LOG_EXPORTS = ("postgresql", "upgrade")


class Database(Construct):
    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        environment: Environment,
        vpc: ec2.IVpc,
        subnets: ec2.SubnetSelection,
        rotation_subnets: ec2.SubnetSelection,
        secrets: Secrets,
    ) -> None:
        super().__init__(scope, construct_id)
        engine = rds.DatabaseInstanceEngine.postgres(version=rds.PostgresEngineVersion.VER_16_9)
        self.key = kms.Key(
            self,
            "Key",
            enable_key_rotation=True,
            description="TaskForge PostgreSQL storage",
            removal_policy=RemovalPolicy.RETAIN,
        )
        parameters = rds.ParameterGroup(
            self,
            "Parameters",
            engine=engine,
            parameters={
                "rds.force_ssl": "1",
                "log_min_duration_statement": "1000",  # log statements slower than a second
            },
        )
        identifier = f"taskforge-{environment.name}"
        # Created here rather than by RDS, so their retention needs no custom resource.
        log_groups = [
            logs.LogGroup(
                self,
                f"{kind.capitalize()}Logs",
                log_group_name=f"/aws/rds/instance/{identifier}/{kind}",
                retention=logs.RetentionDays.ONE_MONTH,
                removal_policy=RemovalPolicy.DESTROY,
            )
            for kind in LOG_EXPORTS
        ]
        self.instance = rds.DatabaseInstance(
            self,
            "Instance",
            instance_identifier=identifier,
            engine=engine,
            port=PORT,
            instance_type=ec2.InstanceType(environment.database_instance_type),
            vpc=vpc,
            vpc_subnets=subnets,
            credentials=rds.Credentials.from_secret(secrets.database_admin),
            database_name=DATABASE_NAME,
            parameter_group=parameters,
            allocated_storage=environment.database_storage_gib,
            max_allocated_storage=environment.database_storage_gib * 4,
            storage_type=rds.StorageType.GP3,
            storage_encrypted=True,
            storage_encryption_key=self.key,
            multi_az=environment.database_multi_az,
            backup_retention=Duration.days(environment.backup_retention_days),
            preferred_backup_window="03:00-04:00",
            preferred_maintenance_window="sun:04:30-sun:05:30",
            copy_tags_to_snapshot=True,
            delete_automated_backups=False,
            deletion_protection=environment.production,
            removal_policy=RemovalPolicy.SNAPSHOT,
            iam_authentication=True,
            cloudwatch_logs_exports=list(LOG_EXPORTS),
            auto_minor_version_upgrade=True,
            publicly_accessible=False,
        )
        self.instance.node.add_dependency(*log_groups)
        self.secret: secretsmanager.ISecret = secrets.database.attach(self.instance)
        # The migration Job's: the owner of the schema. The instance attached it (host, port).
        self.admin_secret: secretsmanager.ISecret = self.instance.secret or secrets.database_admin
        every = Duration.days(ROTATION_DAYS)
        self.instance.add_rotation_single_user(automatically_after=every, vpc_subnets=rotation_subnets)
        # Not at once: the first rotation clones the app's user, which the migration Job of the
        # first deploy creates. The clone is a member of that user and inherits its privileges.
        self.instance.add_rotation_multi_user(
            "AppUserRotation",
            secret=self.secret,
            automatically_after=every,
            vpc_subnets=rotation_subnets,
            rotate_immediately_on_update=False,
        )
        if not environment.production:
            acknowledge(
                self.instance,
                {
                    "RDS3": "Staging runs one instance to halve its cost; production is Multi-AZ.",
                    "RDS10": "Staging can be torn down and rebuilt; production has deletion protection.",
                },
            )

    def allow_from(self, peer: ec2.IConnectable) -> None:
        # The instance's default port is PORT: the rule and the port clients connect to cannot drift apart.
        self.instance.connections.allow_default_port_from(peer, "TaskForge functions and the migration Job")
