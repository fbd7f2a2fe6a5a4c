"""The container image, run as the cluster runs it: read-only root filesystem with a tmpfs
on /tmp, the image's non-root USER, every capability dropped, no privilege escalation.

    scripts/image.sh
    TASKFORGE_IMAGE=localhost/taskforge:dev .venv/bin/python -m pytest tests/image

Skipped unless TASKFORGE_IMAGE names an image that the engine has (CONTAINER_ENGINE, else
podman when installed, else docker). The containers share the host's network, so they
reach the PostgreSQL the other tests use (TEST_POSTGRES_ADMIN_URL) and serve on a free
port of the host's loopback.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import time
import uuid
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from urllib.parse import urlsplit

import psycopg
import pytest
import requests
from psycopg import sql

from tests.conftest import ADMIN_URL
from tests.support.keys import ed25519_pem
from tests.support.processes import READINESS_PATH, free_port

IMAGE = os.environ.get("TASKFORGE_IMAGE", "")
ENGINE = shutil.which(os.environ.get("CONTAINER_ENGINE", "")) or shutil.which("podman") or shutil.which("docker") or ""

READY_HANDLER = "functions.health.get_ready.handler"
REGISTER_HANDLER = "functions.auth.post_register.handler"
MIGRATE_COMMAND = ("python", "-m", "functions.platform.migrate")
START_TIMEOUT = 60.0
STOP_GRACE_SECONDS = 30  # Kubernetes' default terminationGracePeriodSeconds
PROMPT_STOP_SECONDS = 10.0


def _skip_reason() -> str | None:
    if not IMAGE:
        return "TASKFORGE_IMAGE is not set (scripts/image.sh builds localhost/taskforge:dev)"
    if not ENGINE:
        return "neither podman nor docker is installed"
    found = subprocess.run([ENGINE, "image", "inspect", IMAGE], capture_output=True, check=False)
    if found.returncode != 0:
        return f"{ENGINE} has no image {IMAGE} (build it with scripts/image.sh)"
    return None


SKIP_REASON = _skip_reason()
pytestmark = [pytest.mark.image, pytest.mark.skipif(SKIP_REASON is not None, reason=SKIP_REASON or "")]


def _hardening() -> list[str]:
    """The pod's securityContext, as `run` flags: only /tmp is writable."""
    flags = [
        "--read-only",
        "--tmpfs",
        "/tmp",
        "--cap-drop",
        "ALL",
        "--security-opt",
        "no-new-privileges",
        "--network",
        "host",
    ]
    if os.path.basename(ENGINE) == "podman":
        flags.append("--read-only-tmpfs=false")  # podman would also make /run and /var/tmp writable
    return flags


def _engine(
    *args: str, env: Mapping[str, str] | None = None, timeout: float = 60.0
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [ENGINE, *args],
        capture_output=True,
        text=True,
        check=False,
        timeout=timeout,
        env=None if env is None else {**os.environ, **env},
    )


def _run_args(name: str, env: Mapping[str, str]) -> list[str]:
    """`run` arguments for the hardened container; values go through the environment, not argv."""
    args = ["run", "--name", name, *_hardening()]
    for key in env:
        args += ["--env", key]
    return args


def _container_name() -> str:
    return f"taskforge-image-test-{uuid.uuid4().hex[:12]}"


@dataclass
class Container:
    name: str
    base_url: str

    def logs(self) -> str:
        result = _engine("logs", self.name)
        return result.stdout + result.stderr

    def inspect(self, template: str) -> str:
        return _engine("inspect", "--format", template, self.name).stdout.strip()

    def exec(self, *command: str) -> subprocess.CompletedProcess[str]:
        return _engine("exec", self.name, *command)

    def wait_ready(self, timeout: float = START_TIMEOUT) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                if requests.get(self.base_url + READINESS_PATH, timeout=1).status_code == 200:
                    return
            except requests.ConnectionError:
                pass
            # Each round trip to the engine is the polling interval.
            if self.inspect("{{.State.Running}}") != "true":
                pytest.fail(
                    f"{self.name} exited with {self.inspect('{{.State.ExitCode}}')} before it was ready:\n{self.logs()}"
                )
        pytest.fail(f"{self.name} not ready within {timeout}s:\n{self.logs()}")


@contextmanager
def running(handler: str, env: Mapping[str, str]) -> Iterator[Container]:
    """The image serving `handler` on a free port of the host's loopback; removed afterwards."""
    port = free_port()
    # HOST keeps the function off the machine's other interfaces (the container shares them).
    environment = {"HANDLER": handler, "PORT": str(port), "HOST": "127.0.0.1", **env}
    container = Container(_container_name(), f"http://127.0.0.1:{port}")
    try:
        started = _engine(*_run_args(container.name, environment), "--detach", IMAGE, env=environment)
        assert started.returncode == 0, started.stderr
        container.wait_ready()
        yield container
    finally:
        _engine("rm", "--force", container.name)


def run_to_completion(
    command: Sequence[str], env: Mapping[str, str], timeout: float = 120.0
) -> subprocess.CompletedProcess[str]:
    """The image running `command` once, as a Job would; removed afterwards."""
    name = _container_name()
    try:
        return _engine(*_run_args(name, env), IMAGE, *command, env=env, timeout=timeout)
    finally:
        _engine("rm", "--force", name)


@pytest.fixture(scope="module")
def database_url() -> Iterator[str]:
    """A fresh database on the test PostgreSQL, dropped afterwards."""
    name = f"tf_image_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(ADMIN_URL, autocommit=True) as conn:
        conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    try:
        yield urlsplit(ADMIN_URL)._replace(path=f"/{name}").geturl()
    finally:
        with psycopg.connect(ADMIN_URL, autocommit=True) as conn:
            conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))


@pytest.fixture(scope="module")
def ready_function(database_url: str) -> Iterator[Container]:
    with running(READY_HANDLER, {"DATABASE_URL": database_url}) as container:
        yield container


@pytest.fixture(scope="module")
def migration(database_url: str) -> subprocess.CompletedProcess[str]:
    return run_to_completion(MIGRATE_COMMAND, {"DATABASE_URL": database_url})


def test_the_ready_function_answers_with_the_database_ok(ready_function: Container) -> None:
    assert requests.get(ready_function.base_url + READINESS_PATH, timeout=5).status_code == 200
    response = requests.get(ready_function.base_url + "/ready", timeout=10)
    assert response.status_code == 200, f"{response.text}\n{ready_function.logs()}"
    assert response.json()["status"] == "ready"
    assert response.json()["checks"]["database"] == "ok"


def test_the_migration_command_creates_the_schema_once(
    migration: subprocess.CompletedProcess[str], database_url: str
) -> None:
    assert migration.returncode == 0, migration.stdout + migration.stderr
    counted = re.search(r"applied (\d+) migration", migration.stdout)
    assert counted, migration.stdout
    with psycopg.connect(database_url) as conn:
        tables = {row[0] for row in conn.execute("SELECT tablename FROM pg_tables WHERE schemaname = 'public'")}
        recorded = conn.execute("SELECT count(*) FROM schema_migrations").fetchone()
    assert {"schema_migrations", "users", "refresh_tokens", "tasks", "workspaces", "memberships"} <= tables
    assert recorded is not None
    assert recorded[0] == int(counted.group(1)) > 0

    again = run_to_completion(MIGRATE_COMMAND, {"DATABASE_URL": database_url})
    assert again.returncode == 0, again.stdout + again.stderr
    assert "none pending" in again.stdout


def test_the_register_function_creates_an_account(
    migration: subprocess.CompletedProcess[str], database_url: str
) -> None:
    assert migration.returncode == 0, migration.stdout + migration.stderr
    private_pem, public_pem = ed25519_pem()
    env = {"DATABASE_URL": database_url, "JWT_PRIVATE_KEY": private_pem, "JWT_PUBLIC_KEY": public_pem}
    email = f"image-{uuid.uuid4().hex[:10]}@example.com"
    body = {"email": email, "password": "correct horse battery staple", "display_name": "Image"}
    with running(REGISTER_HANDLER, env) as container:
        created = requests.post(container.base_url + "/api/auth/register", json=body, timeout=30)
        assert created.status_code == 201, f"{created.text}\n{container.logs()}"
        assert created.json()["email"] == email
        assert "password" not in created.text
        taken = requests.post(container.base_url + "/api/auth/register", json=body, timeout=30)
        assert taken.status_code == 409, taken.text


def test_the_function_runs_as_the_images_non_root_user(ready_function: Container) -> None:
    image_user = _engine("image", "inspect", "--format", "{{.Config.User}}", IMAGE).stdout.strip()
    uid = image_user.partition(":")[0]
    assert uid.isdigit()
    assert int(uid) != 0
    result = ready_function.exec("id", "-u")
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == uid


def test_the_root_filesystem_is_read_only_and_only_tmp_is_writable(ready_function: Container) -> None:
    for path in ("/x", "/app/x", "/opt/venv/x"):
        denied = ready_function.exec("touch", path)
        assert denied.returncode != 0, f"{path} is writable"
        assert "Read-only file system" in denied.stderr, denied.stderr
    allowed = ready_function.exec("touch", "/tmp/x")
    assert allowed.returncode == 0, allowed.stderr


def test_the_image_holds_nothing_to_install_or_build_with(ready_function: Container) -> None:
    found = ready_function.exec("sh", "-c", "command -v pip pip3 gcc cc c++ make")
    assert found.stdout.strip() == "", found.stdout
    assert ready_function.exec("python", "-m", "pip", "--version").returncode != 0


def test_sigterm_stops_the_function_promptly_with_exit_code_0(database_url: str) -> None:
    with running(READY_HANDLER, {"DATABASE_URL": database_url}) as container:
        started = time.monotonic()
        stopped = _engine("stop", "-t", str(STOP_GRACE_SECONDS), container.name, timeout=STOP_GRACE_SECONDS + 30)
        elapsed = time.monotonic() - started
        assert stopped.returncode == 0, stopped.stderr
        exit_code = container.inspect("{{.State.ExitCode}}")
        logs = container.logs()
    assert exit_code == "0", logs
    assert elapsed < PROMPT_STOP_SECONDS, f"stopping took {elapsed:.1f}s\n{logs}"
