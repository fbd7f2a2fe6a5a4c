"""Serves a WSGI application with granian: threads or processes, graceful SIGTERM.

granian gives us the parts a container needs and we would otherwise hand-write: a
hardened HTTP/1.1 parser (hyper's), keep-alive, worker supervision, and a SIGTERM that
lets in-flight requests finish. It runs the application through `Bridge` (bridge.py),
which keeps the request as written and answers the runtime's probes on the event loop.
We add the drain: on SIGTERM readiness turns false and new connections are refused at
once, while open connections are still answered until the last in-flight request is
done; only then does granian close them and the process exit 0.

A request the parser refuses never reaches the application: granian answers it itself
with an empty 400 (a malformed request line or header, a bad Content-Length or chunk, a
Transfer-Encoding other than chunked), 414 (a request target too long) or 431 (header
fields over 400 kB), and closes the connection. A client that half-closes its side
before the answer gets none: hyper takes it for a client gone (no front door does that:
an ALB, Envoy and the kubelet's probes wait for the answer). A fragment in a request
target (`/items/1#x`, which no client sends) is dropped: the event says `/items/1`.
Forwarded headers (X-Forwarded-*, Forwarded, SCRIPT_NAME) are plain headers to it: it
trusts no peer to set the path, the scheme or the client's address.
"""

from __future__ import annotations

import ctypes
import os
import signal
import socket
import stat
import threading
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import granian._signals
from granian._granian import WorkerSignal
from granian.constants import HTTPModes, Interfaces, Loops, TaskImpl
from granian.http import HTTP1Settings
from granian.log import LogLevels
from granian.server import Server

from .bridge import Bridge
from .config import LAMBDA_MAX_BODY

WSGIApp = Callable[..., Any]

# Set in the worker process when it receives SIGTERM; readiness reads it.
draining = threading.Event()

# Longer than the idle timeout of an ALB (60 s) or Envoy in front, so the proxy, never
# the runtime, closes an idle connection and no request races a close. hyper closes a
# connection that sends no complete header for this long, idle keep-alive included.
KEEP_ALIVE_SECONDS = 75

_PR_SET_PDEATHSIG = 1  # linux/prctl.h


@dataclass
class ServeOptions:
    host: str
    port: int
    threads: int = 8
    workers: int = 1
    # The longest a request may run: the SIGTERM grace period is derived from it, so a
    # slow request is never cut short by a restart.
    request_timeout: float = 30.0
    # What the application accepts; the server never buffers more than one byte past it.
    max_body_bytes: int = LAMBDA_MAX_BODY


class PortInUse(OSError):
    """Another process listens on the address: refuse to share it."""


def serve(app: WSGIApp, options: ServeOptions) -> None:
    """Blocks until SIGTERM or SIGINT has drained the server; PortInUse when the port is taken."""
    _check_port_is_free(options.host, options.port)
    # One-at-a-time functions still get spare threads: the application's lock serialises
    # invocations while the others wait their turn.
    bridge = Bridge(app, threads=max(options.threads, 4), max_body_bytes=options.max_body_bytes)
    server = Server(
        "functions.runtime",
        address=options.host,
        port=options.port,
        interface=Interfaces.ASGINL,
        workers=options.workers,
        http=HTTPModes.http1,
        websockets=False,
        http1_settings=HTTP1Settings(header_read_timeout=KEEP_ALIVE_SECONDS * 1000, keep_alive=True),
        # asyncio's loop and tasks: uvloop measured no faster under the runtime, and granian's
        # Rust tasks are experimental and for Python 3.11 only.
        loop=Loops.asyncio,
        task_impl=TaskImpl.asyncio,
        log_level=LogLevels.warning,
        log_access=False,
        workers_kill_timeout=int(options.request_timeout) + 5,
    )
    server_pid = os.getpid()

    def in_each_worker(loop: Any) -> WorkerSignal:
        stop, drain = _drain_then_stop(loop, bridge, options.port)
        # A SIGTERM that came between the fork and the handlers above went to the handler the
        # worker inherited from granian's main process, which only set this flag on the worker's
        # copy of the server: the worker would have served on until killed.
        if server.interrupt_signal:
            loop.call_soon(drain)
        _stop_with_the_server(server_pid)  # after the handlers: the signal it may send is ours
        return stop

    # granian installs each worker's SIGTERM handler with this function; ours drains first.
    granian._signals.set_loop_signals = in_each_worker
    server.serve(target_loader=lambda target: bridge)


def _check_port_is_free(host: str, port: int) -> None:
    # granian's workers listen with SO_REUSEPORT, so a second server on a taken port would
    # not fail: the kernel would quietly share the connections between the two.
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    with socket.socket(family, socket.SOCK_STREAM) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # connections in TIME_WAIT are no owner
        try:
            probe.bind((host, port))
        except OSError as exc:
            raise PortInUse(f"{host}:{port} is not free: {exc.strerror}") from None


def _stop_with_the_server(server_pid: int) -> None:
    """In a worker: SIGTERM (so the drain) when the server process that forked it dies, even
    killed outright. granian's workers do not watch their parent, and one left behind would
    hold the port and whatever the process shares with it (a pipe, a database)."""
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(_PR_SET_PDEATHSIG, signal.SIGTERM)
    except (OSError, AttributeError):
        return  # not Linux: a worker may outlive a server killed outright
    if os.getppid() != server_pid:  # it died before the request above was made
        os.kill(os.getpid(), signal.SIGTERM)


def _drain_then_stop(loop: Any, bridge: Bridge, port: int) -> tuple[WorkerSignal, Callable[[], None]]:
    """In a worker: SIGTERM sets `draining`, refuses new connections and stops the server
    once the requests in flight are done. The signal granian waits on, and the drain."""
    stop = WorkerSignal()

    def on_signal() -> None:
        if draining.is_set():
            return
        draining.set()
        _refuse_new_connections(port)
        bridge.when_idle(stop.set)

    for signum in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(signum, on_signal)
    return stop, on_signal


def _refuse_new_connections(port: int) -> None:
    """Stops this process's listening sockets on `port` from accepting: a load balancer
    trying a new connection is refused at once rather than left in the backlog."""
    try:
        descriptors = os.listdir("/proc/self/fd")
    except OSError:
        return  # not Linux: the listener stays open until the worker exits
    for name in descriptors:
        try:
            if not stat.S_ISSOCK(os.fstat(int(name)).st_mode):
                continue
            listener = socket.socket(fileno=os.dup(int(name)))
        except (OSError, ValueError):
            continue
        with listener:
            try:
                if (
                    not listener.getsockopt(socket.SOL_SOCKET, socket.SO_ACCEPTCONN)
                    or listener.getsockname()[1] != port
                ):
                    continue
                # Put another listener in its place: the last descriptor of ours closes and the
                # kernel refuses what comes next on the port. The stand-in listens (on a port of
                # its own, non-blocking) so that granian's accept loop, should it wake, finds
                # nothing to take and waits: on a socket that does not listen, accept fails at
                # once, and the loop retried it for ever without seeing the signal to stop.
                with _stand_in_listener(listener.family) as placeholder:
                    os.dup2(placeholder.fileno(), int(name))
            except OSError:
                continue


def _stand_in_listener(family: int) -> socket.socket:
    stand_in = socket.socket(family, socket.SOCK_STREAM)
    stand_in.bind(("::1" if family == socket.AF_INET6 else "127.0.0.1", 0))
    stand_in.listen(1)
    stand_in.setblocking(False)
    return stand_in
