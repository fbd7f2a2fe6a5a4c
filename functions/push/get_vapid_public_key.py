"""GET /api/push/vapid-public-key: the key a browser subscribes with (applicationServerKey).

A public key, so no bearer token: the SPA may fetch it before anyone logs in.
"""

from functions.domain.push.models import VapidPublicKey
from functions.platform.errors import ServiceUnavailable
from functions.platform.function import api

app, settings, handler = api(__name__)


@app.get("/api/push/vapid-public-key", tags=["push"], summary="The server's Web Push (VAPID) public key")
def get_vapid_public_key() -> VapidPublicKey:
    if not settings.vapid_public_key:
        raise ServiceUnavailable("Web Push is not set up on this server (no VAPID key)")
    return VapidPublicKey(key=settings.vapid_public_key)
