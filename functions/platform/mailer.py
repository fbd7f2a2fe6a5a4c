"""E-mail through Amazon SES (boto3), one client per process.

On the local stack SES is a moto server that keeps what it is given to itself, so the
stack can ask for a copy of every message as a file (`keep_copies_in`): that is how a
developer (at /__dev/mail, functions/devserver/mail.py), or a browser test, reads a link.
"""

from __future__ import annotations

import logging
import os
import re
import time
import uuid
from email.message import EmailMessage
from email.utils import formatdate
from functools import cache
from pathlib import Path
from typing import Any
from urllib.parse import quote

from functions.platform.settings import Settings

logger = logging.getLogger(__name__)

_LINK = re.compile(r"https?://\S+")
_copies: Path | None = None


@cache
def _client(region: str, endpoint: str | None) -> Any:
    import boto3  # only the functions that send mail pay for it

    return boto3.client("ses", region_name=region, endpoint_url=endpoint)


def app_link(settings: Settings, *segments: str) -> str:
    """A link into the app for a message to carry: `settings.public_url`, where people open the
    app, then each segment quoted as one path segment (a token can never add a path or a query)."""
    return settings.public_url + "".join("/" + quote(segment, safe="") for segment in segments)


def keep_copies_in(directory: Path | None) -> None:
    """Local development only: also write every message sent to `directory`, one .eml file
    each (None stops it). The local stack calls it at start; nothing in the cloud does."""
    global _copies
    if directory is not None:
        directory.mkdir(parents=True, exist_ok=True)
    _copies = directory


def send(settings: Settings, to: str, subject: str, text: str) -> str:
    """Sends a plain-text message; returns SES's message id. Raises botocore errors."""
    response = _client(settings.aws_region, settings.aws_endpoint_url).send_email(
        Source=settings.mail_sender,
        Destination={"ToAddresses": [to]},
        Message={
            "Subject": {"Data": subject, "Charset": "UTF-8"},
            "Body": {"Text": {"Data": text, "Charset": "UTF-8"}},
        },
    )
    message_id = str(response["MessageId"])
    if _copies is not None:
        try:
            _write_copy(_copies, settings.mail_sender, to, subject, text, message_id)
        except (OSError, ValueError):  # the message went out; only the local copy is missing
            logger.exception("mail to %s: could not write the local copy", to)
    return message_id


def _write_copy(directory: Path, sender: str, to: str, subject: str, text: str, message_id: str) -> None:
    message = EmailMessage()
    message["From"] = sender
    message["To"] = to
    message["Subject"] = subject
    message["X-SES-Message-Id"] = message_id
    message["Date"] = formatdate(usegmt=True)
    message.set_content(text, cte="8bit")  # links stay whole and greppable
    # Named to sort in the order sent; written aside and renamed, so no reader sees half of one.
    name = f"{time.time_ns()}-{uuid.uuid4().hex[:8]}.eml"
    partial = directory / f".{name}.partial"
    partial.write_bytes(bytes(message))
    os.replace(partial, directory / name)
    logger.info("mail to %s: %s %s", to, subject, " ".join(_LINK.findall(text)))
