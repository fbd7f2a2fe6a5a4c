"""The Secrets Manager secrets the External Secrets Operator syncs into the namespace.

Each is named as the Kubernetes Secret it becomes (knative/README.md); every
environment has its own account, so the names need no environment in them.

| `uses` | Secrets Manager secret | becomes | filled by |
| --- | --- | --- | --- |
| database | taskforge-database (the app's PostgreSQL user) | taskforge-database `url` | CDK, rotated |
| redis | taskforge-redis (the AUTH token) | taskforge-redis `url` | CDK |
| signing-key | taskforge-jwt-signing-key (`private-key`) | the same | the stack (keys.py), once |
| verify-key | taskforge-jwt-verify-key (`public-key`) | the same | the stack (keys.py), once |
| vapid-key | taskforge-vapid-key (`private-key`, Web Push) | the same | the stack (keys.py), once |

PostgreSQL's administrator keeps its own secret, taskforge-database-admin, which no
function reads. The migration Job connects with it (Kubernetes Secret
taskforge-database-admin, `url`), owns the schema and makes the app's user from
taskforge-database (`username`, `password`); the rotation functions use it too.
"""

from __future__ import annotations

import json

from aws_cdk import RemovalPolicy
from aws_cdk import aws_rds as rds
from aws_cdk import aws_secretsmanager as secretsmanager
from constructs import Construct

from cdk.components.nag import acknowledge

DATABASE = "taskforge-database"
DATABASE_ADMIN = "taskforge-database-admin"
REDIS = "taskforge-redis"
SIGNING_KEY = "taskforge-jwt-signing-key"
VERIFY_KEY = "taskforge-jwt-verify-key"
VAPID_KEY = "taskforge-vapid-key"
DATABASE_USER = "taskforge"
DATABASE_ADMIN_USER = "taskforge_admin"
DATABASE_NAME = "taskforge"


class Secrets(Construct):
    def __init__(self, scope: Construct, construct_id: str, *, production: bool) -> None:
        super().__init__(scope, construct_id)
        removal = RemovalPolicy.RETAIN if production else RemovalPolicy.DESTROY
        # `dbname` in both: the URLs the External Secrets Operator builds name the database.
        self.database_admin = rds.DatabaseSecret(
            self, "DatabaseAdmin", username=DATABASE_ADMIN_USER, secret_name=DATABASE_ADMIN, dbname=DATABASE_NAME
        )
        # `masterarn` in the secret lets the multi-user rotation act as the administrator.
        self.database = rds.DatabaseSecret(
            self,
            "Database",
            username=DATABASE_USER,
            secret_name=DATABASE,
            master_secret=self.database_admin,
            dbname=DATABASE_NAME,
        )
        # ElastiCache takes 16-128 printable characters without @, " or /; no punctuation keeps it URL-safe.
        self.redis = secretsmanager.Secret(
            self,
            "Redis",
            secret_name=REDIS,
            generate_secret_string=(
                secretsmanager.SecretStringGenerator(
                    secret_string_template=json.dumps({}),
                    generate_string_key="token",
                    exclude_punctuation=True,
                    password_length=64,
                )
            ),
        )
        # Ed25519 PEM keys: CloudFormation cannot make one, so keys.KeyPair fills them on the first deploy.
        self.signing_key = secretsmanager.Secret(
            self, "SigningKey", secret_name=SIGNING_KEY, description="PEM Ed25519 private key under `private-key`"
        )
        self.verify_key = secretsmanager.Secret(
            self, "VerifyKey", secret_name=VERIFY_KEY, description="PEM Ed25519 public key under `public-key`"
        )
        # Web Push's P-256 key (base64url raw), also filled by keys.KeyPair on the first deploy.
        self.vapid_key = secretsmanager.Secret(
            self, "VapidKey", secret_name=VAPID_KEY, description="base64url raw P-256 private key under `private-key`"
        )
        for secret in self.all:
            secret.apply_removal_policy(removal)
        acknowledge(
            self.redis,
            {
                "SMG4": "ElastiCache offers no rotation function for AUTH tokens; the token is "
                "rotated with ModifyReplicationGroup's ROTATE strategy (cdk/README.md)."
            },
        )
        for secret in (self.signing_key, self.verify_key):
            acknowledge(
                secret,
                {
                    "SMG4": "Replacing the token key pair signs every user out, so the operator does "
                    "it deliberately (docs/operations.md), not a rotation schedule."
                },
            )
        acknowledge(
            self.vapid_key,
            {
                "SMG4": "Browsers subscribed with the VAPID public key; replacing it ends every push "
                "subscription, so the operator does it deliberately (docs/operations.md)."
            },
        )

    @property
    def all(self) -> tuple[secretsmanager.ISecret, ...]:
        return (self.database_admin, self.database, self.redis, self.signing_key, self.verify_key, self.vapid_key)
