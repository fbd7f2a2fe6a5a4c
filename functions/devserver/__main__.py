"""`python -m functions.devserver` (`make dev`): the whole product on http://localhost:8000.

Without DATABASE_URL it starts an embedded PostgreSQL; either way it applies the
migrations, mounts every catalog function behind one gateway, delivers events through a
stand-in broker of its own (broker.py), fires scheduled functions on their schedules and
serves web/dist. Ctrl-C stops all of it.
"""

from __future__ import annotations

import logging
import os
import secrets
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[2]


def main() -> int:
    logging.basicConfig(level=logging.INFO, stream=sys.stderr, format="%(asctime)s %(levelname)s %(name)s %(message)s")
    logger = logging.getLogger("functions.devserver")
    port = int(os.environ.get("PORT", "8000"))
    host = os.environ.get("HOST", "127.0.0.1")
    # Plain http on localhost: a Secure cookie would not survive a reload in every browser.
    os.environ.setdefault("COOKIE_SECURE", "false")
    data_dir = Path(os.environ.get("DEVDATA_DIR") or REPO_ROOT / ".devdata")
    if not os.environ.get("DATABASE_URL"):
        from .embedded_db import start_embedded_postgres

        os.environ["DATABASE_URL"] = start_embedded_postgres(data_dir / "postgres")
    if not os.environ.get("JWT_PRIVATE_KEY"):
        from .keys import local_signing_key

        os.environ["JWT_PRIVATE_KEY"] = local_signing_key(data_dir)
    if not os.environ.get("VAPID_PRIVATE_KEY"):
        from .keys import local_vapid_key

        os.environ["VAPID_PRIVATE_KEY"] = local_vapid_key(data_dir)

    # DynamoDB and SES: a moto server here, unless an endpoint (or LOCAL_AWS=false) says otherwise.
    local_aws = os.environ.get("LOCAL_AWS", "true").lower() != "false"
    if local_aws and not os.environ.get("AWS_ENDPOINT_URL"):
        from .local_aws import start_local_aws

        os.environ.update(start_local_aws())
    # The stand-in broker runs apart from the API's server, as the Broker does in the cluster,
    # so a publish is taken whatever the API is doing; unless BROKER_URL names another.
    broker_port = None if os.environ.get("BROKER_URL") else _free_loopback_port()
    if broker_port is not None:
        os.environ["BROKER_URL"] = f"http://127.0.0.1:{broker_port}/__broker"
    # Anyone on this machine can reach the broker's port: it takes only events that carry
    # this token, which the publishers (settings.broker_token) send with each one.
    os.environ["BROKER_TOKEN"] = os.environ.get("BROKER_TOKEN") or secrets.token_urlsafe(32)
    # moto's SES keeps what it is sent: a copy of every message lands here, and its subject
    # and links in the log, so verification and invitation links can be followed locally.
    os.environ["MAIL_DIRECTORY"] = os.environ.get("MAIL_DIRECTORY") or str(data_dir / "mail")

    from functions.catalog import FUNCTIONS
    from functions.platform import mailer
    from functions.platform.migrate import apply_migrations
    from functions.platform.settings import Settings
    from functions.runtime.app import READINESS_PATH
    from functions.runtime.config import ConfigError
    from functions.runtime.server import ServeOptions, draining, serve

    from .gateway import Gateway, mount
    from .local_aws import prepare

    if local_aws:
        prepare(Settings.from_env())
    mailer.keep_copies_in(Path(os.environ["MAIL_DIRECTORY"]))
    logger.info(
        "mail sent by the stack is also written to %s and shown at http://%s:%d/__dev/mail",
        os.environ["MAIL_DIRECTORY"],
        host,
        port,
    )
    applied = apply_migrations(os.environ["DATABASE_URL"])
    logger.info("migrations applied: %s", ", ".join(applied) or "none pending")
    try:
        mounted = [mount(function) for function in FUNCTIONS]
    except ConfigError as exc:
        print(f"devserver: {exc}", file=sys.stderr)
        return 2
    for item in mounted:
        item.app.draining = draining
    static_dir = Path(os.environ.get("WEB_DIST_DIR", REPO_ROOT / "web" / "dist"))
    mail_directory = Path(os.environ["MAIL_DIRECTORY"])
    gateway = Gateway(
        mounted,
        static_dir if static_dir.is_dir() else None,
        mail_directory=mail_directory,
    )
    helpers: list[subprocess.Popen[bytes]] = []
    try:
        if broker_port is not None:
            # Its stdin is ours to hold: should this process die without stopping it, the broker sees
            # the end and stops (lifeline.py).
            broker = subprocess.Popen(
                [sys.executable, "-m", "functions.devserver.broker", str(broker_port)],
                cwd=REPO_ROOT,
                stdin=subprocess.PIPE,
            )
            helpers.append(broker)
            _wait_until_ready(broker, f"http://127.0.0.1:{broker_port}{READINESS_PATH}")
            logger.info("the stand-in broker takes events at %s", os.environ["BROKER_URL"])
        if any(function.schedule for function in FUNCTIONS):
            # Its stdin too: the scheduler stops with the stack (lifeline.py).
            scheduler = [sys.executable, "-m", "functions.devserver.scheduler"]
            helpers.append(subprocess.Popen(scheduler, cwd=REPO_ROOT, stdin=subprocess.PIPE))
        logger.info("TaskForge on http://%s:%d/ (%d functions)", host, port, len(mounted))
        serve(
            gateway,
            ServeOptions(
                host=host,
                port=port,
                # Worker processes serve requests side by side; in each, functions run one
                # invocation at a time and the spare threads answer probes and static files.
                workers=int(os.environ.get("WORKERS", "3")),
                threads=4,
                request_timeout=max(function.timeout_seconds for function in FUNCTIONS),
            ),
        )
    finally:
        for helper in helpers:
            helper.terminate()
        for helper in helpers:
            helper.wait(timeout=30)
    return 0


def _free_loopback_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _wait_until_ready(process: subprocess.Popen[bytes], url: str, timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"the stand-in broker exited with {process.returncode} before it was ready")
        try:
            with urllib.request.urlopen(url, timeout=1):  # noqa: S310 - our own loopback URL
                return
        except OSError:
            time.sleep(0.05)  # polling interval: it is still starting
    raise TimeoutError(f"the stand-in broker was not ready at {url} within {timeout:.0f}s")


if __name__ == "__main__":
    sys.exit(main())
