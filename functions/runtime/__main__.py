"""`python -m functions.runtime`: the image's command. HANDLER selects the function."""

from __future__ import annotations

import logging
import os
import sys

from .app import RuntimeApp
from .config import ConfigError, RuntimeConfig, load_handler
from .server import ServeOptions, draining, serve


def main() -> int:
    logging.basicConfig(
        level=os.environ.get("LOG_LEVEL", "INFO").upper(),
        stream=sys.stderr,
        format="%(asctime)s %(levelname)s %(name)s %(message)s",
    )
    sys.path.insert(0, os.getcwd())  # as Lambda's task root: handlers import from here
    try:
        config = RuntimeConfig.from_env()
        handler = load_handler(config.handler_path)
    except ConfigError as exc:
        print(f"runtime: configuration error: {exc}", file=sys.stderr)
        return 2
    serve(
        RuntimeApp(config, handler, draining),
        ServeOptions(
            host=config.host,
            port=config.port,
            threads=config.concurrency,
            workers=config.workers,
            request_timeout=config.function_timeout,
        ),
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
