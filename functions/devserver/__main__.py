"""`python -m functions.devserver` (`make dev`): the whole product on http://localhost:8000.

Without DATABASE_URL it starts an embedded PostgreSQL; either way it applies the
migrations, mounts every catalog function behind one gateway, fires scheduled
functions on their schedules and serves web/dist. Ctrl-C stops all of it.
"""

from __future__ import annotations

import logging
import os
import sys
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[2]


def main() -> int:
    logging.basicConfig(level=logging.INFO, stream=sys.stderr,
                        format="%(asctime)s %(levelname)s %(name)s %(message)s")
    logger = logging.getLogger("functions.devserver")
    port = int(os.environ.get("PORT", "8000"))
    host = os.environ.get("HOST", "127.0.0.1")
    data_dir = Path(os.environ.get("DEVDATA_DIR") or REPO_ROOT / ".devdata")
    if not os.environ.get("DATABASE_URL"):
        from .embedded_db import start_embedded_postgres

        os.environ["DATABASE_URL"] = start_embedded_postgres(data_dir / "postgres")
    if not os.environ.get("JWT_PRIVATE_KEY"):
        from .keys import local_signing_key

        os.environ["JWT_PRIVATE_KEY"] = local_signing_key(data_dir)

    from functions.catalog import FUNCTIONS
    from functions.runtime.config import ConfigError
    from functions.runtime.server import ServeOptions, draining, serve
    from functions.taskforge.migrate import apply_migrations

    from .gateway import Gateway, mount
    from .scheduler import Scheduler

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
    gateway = Gateway(mounted, static_dir if static_dir.is_dir() else None)
    scheduler = Scheduler(mounted)
    logger.info("TaskForge on http://%s:%d/ (%d functions)", host, port, len(mounted))
    serve(gateway, ServeOptions(
        host=host,
        port=port,
        threads=16,
        workers=1,
        request_timeout=max(function.timeout_seconds for function in FUNCTIONS),
        on_worker_start=[scheduler.start],
        on_drain=[scheduler.stop],
    ))
    return 0


if __name__ == "__main__":
    sys.exit(main())
