"""A CloudFormation custom resource: the token key pair and the Web Push key, made once, never replaced.

On Create and Update it reads the signing-key secret. If that holds a valid Ed25519
private key, it is kept, and the verify-key secret is only corrected when it does not
hold the matching public key. Otherwise (a new stack: Secrets Manager's random string)
it makes a new pair and writes both. Delete does nothing: the secrets outlive the
resource, and replacing the pair would sign every user out. The Web Push key
(`VapidSecret`) is handled alike: a random P-256 private number, kept while the secret
holds a valid one (replacing it would end every browser's push subscription).

The Lambda runtime has no `cryptography`, and bundling it needs Docker at synthesis, so
the key is made here: RFC 8032 key generation is SHA-512 and one scalar multiplication
on edwards25519. The seed comes from `secrets.token_bytes`; the tests check the result
against `cryptography` and PyJWT.
"""

from __future__ import annotations

import base64
import hashlib
import json
import secrets
import urllib.request
from typing import Any

# edwards25519 (RFC 8032, section 5.1).
P = 2**255 - 19
D = (-121665 * pow(121666, P - 2, P)) % P
BASE_Y = (4 * pow(5, P - 2, P)) % P
SQRT_M1 = pow(2, (P - 1) // 4, P)

# DER prefixes of PKCS#8 (private) and SubjectPublicKeyInfo (public) for OID 1.3.101.112.
PKCS8_PREFIX = bytes.fromhex("302e020100300506032b657004220420")
SPKI_PREFIX = bytes.fromhex("302a300506032b6570032100")
PRIVATE_FIELD = "private-key"
PUBLIC_FIELD = "public-key"

Point = tuple[int, int, int, int]  # extended coordinates (X, Y, Z, T), x = X/Z, y = Y/Z, xy = T/Z


def _recover_x(y: int) -> int:
    xx = (y * y - 1) * pow(D * y * y + 1, P - 2, P)
    x = pow(xx, (P + 3) // 8, P)
    if (x * x - xx) % P:
        x = x * SQRT_M1 % P
    return P - x if x & 1 else x  # the base point's x is even


BASE: Point = (_recover_x(BASE_Y), BASE_Y, 1, _recover_x(BASE_Y) * BASE_Y % P)


def _add(a: Point, b: Point) -> Point:
    x1, y1, z1, t1 = a
    x2, y2, z2, t2 = b
    e1 = (y1 - x1) * (y2 - x2) % P
    e2 = (y1 + x1) * (y2 + x2) % P
    c = 2 * t1 * t2 * D % P
    dd = 2 * z1 * z2 % P
    e, f, g, h = e2 - e1, dd - c, dd + c, e2 + e1
    return e * f % P, g * h % P, f * g % P, e * h % P


def _multiply(scalar: int, point: Point) -> Point:
    result: Point = (0, 1, 1, 0)
    while scalar:
        if scalar & 1:
            result = _add(result, point)
        point = _add(point, point)
        scalar >>= 1
    return result


def public_key(seed: bytes) -> bytes:
    """The 32-byte public key of a 32-byte private seed (RFC 8032, 5.1.5)."""
    digest = bytearray(hashlib.sha512(seed).digest()[:32])
    digest[0] &= 248
    digest[31] &= 127
    digest[31] |= 64
    x, y, z, _ = _multiply(int.from_bytes(digest, "little"), BASE)
    inverse = pow(z, P - 2, P)
    x, y = x * inverse % P, y * inverse % P
    return (y | (x & 1) << 255).to_bytes(32, "little")


def _pem(label: str, der: bytes) -> str:
    body = base64.b64encode(der).decode()
    lines = [body[i : i + 64] for i in range(0, len(body), 64)]
    return "\n".join([f"-----BEGIN {label}-----", *lines, f"-----END {label}-----", ""])


def private_pem(seed: bytes) -> str:
    return _pem("PRIVATE KEY", PKCS8_PREFIX + seed)


def public_pem(seed: bytes) -> str:
    return _pem("PUBLIC KEY", SPKI_PREFIX + public_key(seed))


def seed_of(pem: str) -> bytes | None:
    """The seed of a PKCS#8 Ed25519 PEM, or None for anything else."""
    lines = pem.strip().splitlines()
    if len(lines) < 3 or lines[0] != "-----BEGIN PRIVATE KEY-----" or lines[-1] != "-----END PRIVATE KEY-----":
        return None
    try:
        der = base64.b64decode("".join(lines[1:-1]), validate=True)
    except ValueError:
        return None
    if len(der) != len(PKCS8_PREFIX) + 32 or not der.startswith(PKCS8_PREFIX):
        return None
    return der[len(PKCS8_PREFIX) :]


def _field(client: Any, secret_id: str, field: str) -> str | None:
    try:
        value = client.get_secret_value(SecretId=secret_id).get("SecretString", "")
    except client.exceptions.ResourceNotFoundException:
        return None  # a secret with no value yet
    try:
        document = json.loads(value)
    except ValueError:
        return None
    found = document.get(field) if isinstance(document, dict) else None
    return found if isinstance(found, str) else None


def ensure_key_pair(client: Any, signing_secret: str, verify_secret: str) -> str:
    """Makes the pair when the signing secret holds no valid key; says what it did."""
    seed = seed_of(_field(client, signing_secret, PRIVATE_FIELD) or "")
    outcome = "kept"
    if seed is None:
        seed = secrets.token_bytes(32)
        client.put_secret_value(SecretId=signing_secret, SecretString=json.dumps({PRIVATE_FIELD: private_pem(seed)}))
        outcome = "generated"
    expected = public_pem(seed)
    if _field(client, verify_secret, PUBLIC_FIELD) != expected:
        client.put_secret_value(SecretId=verify_secret, SecretString=json.dumps({PUBLIC_FIELD: expected}))
        if outcome == "kept":
            outcome = "kept, public key corrected"
    return outcome


# Web Push's VAPID key: a P-256 private number from 1 to N - 1, stored as 32 base64url bytes
# (functions/platform/vapid.py reads it; the runtime derives the public key from it).
P256_ORDER = 0xFFFFFFFF00000000FFFFFFFFFFFFFFFFBCE6FAADA7179E84F3B9CAC2FC632551


def vapid_number(text: str) -> int | None:
    """The private number of a base64url raw P-256 key, or None for anything else."""
    try:
        raw = base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
    except ValueError:
        return None
    number = int.from_bytes(raw, "big")
    return number if len(raw) == 32 and 0 < number < P256_ORDER else None


def ensure_vapid_key(client: Any, vapid_secret: str) -> str:
    """Makes the Web Push key when the secret holds no valid one; says what it did."""
    if vapid_number(_field(client, vapid_secret, PRIVATE_FIELD) or "") is not None:
        return "kept"
    number = secrets.randbelow(P256_ORDER - 1) + 1
    raw = base64.urlsafe_b64encode(number.to_bytes(32, "big")).rstrip(b"=").decode()
    client.put_secret_value(SecretId=vapid_secret, SecretString=json.dumps({PRIVATE_FIELD: raw}))
    return "generated"


def _respond(event: dict[str, Any], status: str, reason: str) -> None:
    body = json.dumps(
        {
            "Status": status,
            "Reason": reason[:1000],
            "PhysicalResourceId": event.get("PhysicalResourceId") or event["LogicalResourceId"],
            "StackId": event["StackId"],
            "RequestId": event["RequestId"],
            "LogicalResourceId": event["LogicalResourceId"],
            "Data": {},
        }
    ).encode()
    request = urllib.request.Request(  # noqa: S310 - CloudFormation's https URL
        event["ResponseURL"],
        data=body,
        method="PUT",
        headers={"Content-Type": "", "Content-Length": str(len(body))},
    )
    with urllib.request.urlopen(request, timeout=30):  # noqa: S310 - CloudFormation's https URL
        pass


def handler(event: dict[str, Any], _context: object) -> None:
    import boto3  # in the Lambda runtime; imported here so the tests need no AWS at import

    try:
        if event["RequestType"] == "Delete":
            reason = "the key pair is kept"
        else:
            properties = event["ResourceProperties"]
            client = boto3.client("secretsmanager")
            reason = ensure_key_pair(client, properties["SigningSecret"], properties["VerifySecret"])
            if "VapidSecret" in properties:
                reason += "; Web Push key " + ensure_vapid_key(client, properties["VapidSecret"])
        _respond(event, "SUCCESS", reason)
    except Exception as error:  # CloudFormation waits an hour for an answer that never comes otherwise
        print(f"key pair: {type(error).__name__}: {error}")
        _respond(event, "FAILED", f"{type(error).__name__}: {error}")
