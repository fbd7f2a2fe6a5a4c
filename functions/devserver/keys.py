"""The local stack's token signing key and Web Push key: made once, kept in the git-ignored data folder."""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from functions.platform import vapid


def local_signing_key(data_dir: Path) -> str:
    return _kept(
        data_dir / "jwt-ed25519.pem",
        lambda: Ed25519PrivateKey.generate().private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        ),
    )


def local_vapid_key(data_dir: Path) -> str:
    """Kept like the signing key: a new one would end every browser's push subscription."""
    return _kept(data_dir / "vapid-p256.key", lambda: vapid.new_private_key().encode()).strip()


def _kept(path: Path, make: Callable[[], bytes]) -> str:
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(descriptor, "wb") as key_file:
            key_file.write(make())
    return path.read_text()
