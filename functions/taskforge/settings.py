"""The one settings object, validated once at start-up and passed down as an argument.

Handlers build it at import time with `Settings.from_env()`; nothing below a
handler reads the environment.
"""

from __future__ import annotations

import os
from collections.abc import Mapping

from pydantic import BaseModel, ConfigDict, Field, field_validator


class Settings(BaseModel):
    model_config = ConfigDict(frozen=True, extra="ignore")

    environment: str = Field(default="local", pattern=r"^[a-z][a-z0-9-]{0,31}$")
    database_url: str | None = None
    redis_url: str | None = None
    # Every Redis call gives up after this long: the API must keep working without Redis.
    redis_timeout_seconds: float = Field(default=0.25, gt=0, le=5)
    database_connect_timeout_seconds: float = Field(default=3.0, gt=0, le=60)
    database_pool_max: int = Field(default=8, ge=1, le=100)

    @field_validator("database_url", "redis_url")
    @classmethod
    def _blank_is_unset(cls, value: str | None) -> str | None:
        return value or None

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> Settings:
        env = os.environ if env is None else env
        fields = {name: env[name.upper()] for name in cls.model_fields if name.upper() in env}
        return cls.model_validate(fields)
