"""`python -m functions.runtime`: the image's command. HANDLER selects the function."""

from __future__ import annotations

import logging
import os
import sys

from .app import RuntimeApp
from .config import ConfigError, Handler, RuntimeConfig, load_handler
from .server import PortInUse, ServeOptions, draining, serve


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
    try:
        _serve(config, handler)
    except PortInUse as exc:
        print(f"runtime: cannot listen: {exc}", file=sys.stderr)
        return 2
    return 0


def _serve(config: RuntimeConfig, handler: Handler) -> None:
    serve(
        RuntimeApp(config, handler, draining),
        ServeOptions(
            host=config.host,
            port=config.port,
            threads=config.concurrency,
            workers=config.workers,
            request_timeout=config.function_timeout,
            max_body_bytes=config.max_body_bytes,
        ),
    )


if __name__ == "__main__":
    sys.exit(main())
