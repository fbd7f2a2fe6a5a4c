"""AWS for the local stack: DynamoDB and SES answered by a moto server in this process.

Reminder deliveries and the activity feed work as in the cloud, kept in memory until
the stack stops. Sent e-mail can be read at <endpoint>/moto-api/ (moto's own API), and
more easily in the copies the stack writes to .devdata/mail (MAIL_DIRECTORY; see
functions/platform/mailer.py), whose links (verification, invitations) the log repeats.
"""

from __future__ import annotations

import logging

from functions.platform.settings import Settings

logger = logging.getLogger("functions.devserver")


def start_local_aws() -> dict[str, str]:
    """Starts the server; the environment that points boto3 and PynamoDB at it."""
    from moto.server import ThreadedMotoServer

    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    endpoint = f"http://{host}:{port}"
    logger.info("local AWS (DynamoDB, SES) at %s", endpoint)
    return {
        "AWS_ENDPOINT_URL": endpoint,
        "AWS_ACCESS_KEY_ID": "local",
        "AWS_SECRET_ACCESS_KEY": "local",
        "AWS_DEFAULT_REGION": "us-east-1",
        "AWS_REGION": "us-east-1",
    }


def prepare(settings: Settings) -> None:
    """The tables and the verified sender the functions expect."""
    import boto3

    from functions.platform.dynamo import ensure_tables

    ensure_tables(settings)
    sender = settings.mail_sender.rsplit("<", 1)[-1].rstrip(">")
    boto3.client("ses", region_name=settings.aws_region, endpoint_url=settings.aws_endpoint_url).verify_email_identity(
        EmailAddress=sender
    )
