"""The one settings object, validated once at start-up and passed down as an argument.

Handlers build it at import time with `Settings.from_env()`; nothing below a
handler reads the environment.
"""

from __future__ import annotations

import ipaddress
import os
from collections.abc import Mapping

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator


class Settings(BaseModel):
    model_config = ConfigDict(frozen=True, extra="ignore")

    environment: str = Field(default="local", pattern=r"^[a-z][a-z0-9-]{0,31}$")
    database_url: str | None = None
    database_connect_timeout_seconds: float = Field(default=3.0, gt=0, le=60)
    database_pool_max: int = Field(default=8, ge=1, le=100)
    # Applied to every session: no request can hold a connection for long.
    database_statement_timeout_ms: int = Field(default=5000, ge=100, le=600_000)
    redis_url: str | None = None
    # Every Redis call gives up after this long: the API must keep working without Redis.
    redis_timeout_seconds: float = Field(default=0.25, gt=0, le=5)
    # Namespaces every key, so environments (or test runs) can share one Redis.
    redis_key_prefix: str = Field(default="tf:", max_length=64)
    cache_ttl_seconds: int = Field(default=300, ge=1, le=86_400)

    # Tokens: only the functions that issue them get the private key.
    jwt_private_key: str | None = None
    jwt_public_key: str | None = None
    jwt_issuer: str = "taskforge"
    jwt_audience: str = "taskforge-api"
    access_token_ttl_seconds: int = Field(default=900, ge=30, le=900)
    refresh_token_ttl_seconds: int = Field(default=14 * 86_400, ge=300, le=90 * 86_400)
    # Off only for plain-HTTP local development; browsers drop Secure cookies on http://.
    cookie_secure: bool = True

    cors_allow_origin: str | None = None
    # Where people open the app: links in e-mails (verification, invitations) point here.
    public_url: str = Field(default="http://localhost:8000", pattern=r"^https?://[^/?#\s]+$")
    api_rate_limit_per_minute: int = Field(default=600, ge=1)
    login_max_failures: int = Field(default=10, ge=1)
    login_failure_window_seconds: int = Field(default=900, ge=1)
    # Who may speak for the client in X-Forwarded-For (see auth.client_address): the networks
    # our own proxies live in (a comma-separated list of CIDRs; in the cluster the VPC and the
    # loopback), and how many proxies in front of those networks append an address (CloudFront
    # in front of the ALB: 1). Neither locally: the gateway appends the peer's address itself.
    trusted_proxy_networks: tuple[str, ...] = ()
    trusted_proxy_hops: int = Field(default=0, ge=0, le=5)
    # Lets webhooks go to http:// and to private, loopback and link-local addresses:
    # for local development only, never where the network holds anything to protect.
    webhook_allow_private_networks: bool = False

    # AWS: DynamoDB for the delivery ledger and the activity feed, SES for e-mail. An
    # endpoint URL points them at a local stand-in (the local stack's moto server).
    aws_region: str = "us-east-1"
    aws_endpoint_url: str | None = None
    delivery_ledger_table: str = "taskforge-delivery-ledger"
    activity_table: str = "taskforge-activity"
    activity_retention_days: int = Field(default=90, ge=1, le=3650)
    mail_sender: str = "TaskForge <reminders@taskforge.dev>"
    # Reminders: how late a reminder may still go out, and how many are claimed at once.
    reminder_missed_horizon_seconds: int = Field(default=6 * 3600, ge=60)
    reminder_batch_size: int = Field(default=50, ge=1, le=1000)
    reminder_max_attempts: int = Field(default=5, ge=1, le=50)
    # Web Push (RFC 8292 VAPID): the P-256 key that signs every push message, as PEM or as the
    # base64url raw 32-byte private number; the public key (the browsers' applicationServerKey)
    # follows from it. The subject is the contact push services may write to about our traffic.
    vapid_private_key: str | None = None
    vapid_public_key: str | None = Field(default=None, description="derived from vapid_private_key")
    vapid_subject: str = Field(default="mailto:reminders@taskforge.dev", pattern=r"^(mailto:\S+@\S+|https://\S+)$")
    # Where the outbox relay publishes CloudEvents (the Knative Broker's ingress).
    broker_url: str | None = None
    # Sent with every published event (X-TaskForge-Broker-Token) where the receiving broker
    # checks it: the local stack's stand-in, which shares a port with the public gateway.
    broker_token: str | None = None

    @field_validator(
        "database_url",
        "redis_url",
        "jwt_private_key",
        "jwt_public_key",
        "cors_allow_origin",
        "aws_endpoint_url",
        "broker_url",
        "broker_token",
        "vapid_private_key",
    )
    @classmethod
    def _blank_is_unset(cls, value: str | None) -> str | None:
        return value or None

    @field_validator("trusted_proxy_networks", mode="before")
    @classmethod
    def _networks(cls, value: object) -> object:
        if isinstance(value, str):
            value = [part.strip() for part in value.split(",") if part.strip()]
        if isinstance(value, list | tuple):
            # strict=False: 10.40.0.1/16 means its network; a bad entry stops the start-up.
            return tuple(str(ipaddress.ip_network(str(part), strict=False)) for part in value)
        return value

    @model_validator(mode="after")
    def _public_key_from_private(self) -> Settings:
        if self.jwt_private_key and not self.jwt_public_key:
            from cryptography.hazmat.primitives import serialization

            private = serialization.load_pem_private_key(self.jwt_private_key.encode(), password=None)
            public = private.public_key().public_bytes(
                serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
            )
            object.__setattr__(self, "jwt_public_key", public.decode())
        return self

    @model_validator(mode="after")
    def _vapid_public_key(self) -> Settings:
        # Always derived: a public key given apart from its private key could disagree with it.
        public = None
        if self.vapid_private_key:
            from functions.platform.vapid import application_server_key, load_private_key

            try:
                public = application_server_key(load_private_key(self.vapid_private_key))
            except ValueError as exc:
                raise ValueError(f"VAPID_PRIVATE_KEY: {exc}") from None
        object.__setattr__(self, "vapid_public_key", public)
        return self

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> Settings:
        env = os.environ if env is None else env
        fields = {name: env[name.upper()] for name in cls.model_fields if name.upper() in env}
        return cls.model_validate(fields)
