"""Request and response bodies of the Web Push endpoints."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from pydantic import AfterValidator, Field, StringConstraints

from functions.platform.models import Body, Row, encodable
from functions.platform.webhooks import MAX_URL_LENGTH

Base64Url = Annotated[str, StringConstraints(min_length=1, max_length=200), AfterValidator(encodable)]


class PushKeys(Body):
    p256dh: Base64Url = Field(description="the browser's P-256 public key, base64url (65 bytes uncompressed)")
    auth: Base64Url = Field(description="the browser's authentication secret, base64url (16 bytes)")


class PushSubscriptionCreate(Body):
    """What the browser's `PushSubscription.toJSON()` gives."""

    endpoint: Annotated[str, StringConstraints(min_length=1, max_length=MAX_URL_LENGTH), AfterValidator(encodable)] = (
        Field(description="the push service's https address for this browser")
    )
    keys: PushKeys
    expirationTime: int | None = Field(default=None, description="ignored; browsers send it")


class PushSubscription(Row):
    id: str
    endpoint: str
    created_at: datetime


class PushSubscriptionList(Body):
    items: list[PushSubscription]


class VapidPublicKey(Body):
    key: str = Field(description="the server's VAPID public key: pass it as applicationServerKey to subscribe")
