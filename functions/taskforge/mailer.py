"""E-mail through Amazon SES (boto3), one client per process."""

from __future__ import annotations

from functools import cache
from typing import Any

from .settings import Settings


@cache
def _client(region: str, endpoint: str | None) -> Any:
    import boto3  # only the functions that send mail pay for it

    return boto3.client("ses", region_name=region, endpoint_url=endpoint)


def send(settings: Settings, to: str, subject: str, text: str) -> str:
    """Sends a plain-text message; returns SES's message id. Raises botocore errors."""
    response = _client(settings.aws_region, settings.aws_endpoint_url).send_email(
        Source=settings.mail_sender,
        Destination={"ToAddresses": [to]},
        Message={"Subject": {"Data": subject, "Charset": "UTF-8"},
                 "Body": {"Text": {"Data": text, "Charset": "UTF-8"}}},
    )
    return str(response["MessageId"])
