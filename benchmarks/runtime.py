"""Performance targets of the function runtime (`python -m functions.runtime`), as ratios.

(a) throughput of a Powertools ALBResolver handler through the runtime
    ÷ the same handler behind a minimal hand-written WSGI shim on the runtime's own
    server (granian, through the bridge) with the same ServeOptions
    (fixtures/alb_shim.py)                                                    ≥ 0.9
(g) the same ÷ the shim on granian's own WSGI interface, one process with as many
    threads (fixtures/granian_shim.py): the limit of the handler on this machine ≥ 0.8
(s) the same ÷ the runtime on gunicorn's gthread worker, the server it had before
    (fixtures/gunicorn_runtime.py)                                            reported
(b) throughput of the runtime hosting a small Chalice app (apigw-rest)
    ÷ `chalice local` serving the same app                                    ≥ 25
(c) cold start, process spawn to the first 200 on the function's own route, of
    get-ready (with PostgreSQL) and get-health ÷ a minimal Powertools function ≤ 1.3

The machine is small (2 cores), shared and noisy, so absolute times drift from one
minute to the next. Every figure is therefore a ratio of two runs made side by side:
the runs alternate (A B, B A, ...) over several rounds, each round gives one ratio,
and the median of those ratios is reported with their spread (min-max).

    .venv/bin/python benchmarks/runtime.py [--seconds 3] [--rounds 7] [--only agsbc] [--strict]

Prints PASS or MISS per target and exits 0; with --strict a miss exits 1. A
benchmark that cannot run (a server that does not start, a failed load run) exits 1.
"""

from __future__ import annotations

import argparse
import http.client
import os
import re
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager, suppress
from dataclasses import dataclass, field
from pathlib import Path

from load import Load, LoadError

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from functions.runtime.config import RuntimeConfig  # noqa: E402
from tests.support.processes import free_port, wait_until_ready  # noqa: E402

FIXTURES = Path(__file__).resolve().parent / "fixtures"
CHALICE_APP = FIXTURES / "chalice_app"
PYTHON = sys.executable
CHALICE = str(Path(PYTHON).parent / "chalice")
ITEM_PATH = "/items/42"
ITEM_ROUTE = "GET /items/{item_id}"
ITEM_BODY = b'{"item_id":"42","name":"widget"}'
DATABASE_URL = "postgresql://postgres@127.0.0.1:5432/test"
MINIMAL_HANDLER = "powertools_app.handler"  # fixtures/powertools_app.py, imported from FIXTURES


@dataclass(frozen=True)
class Spec:
    """How to start one server: what it runs, where, with which environment."""

    name: str
    argv: list[str]  # "{port}" is replaced by the port; the runtime reads PORT instead
    cwd: Path
    env: dict[str, str] = field(default_factory=dict)
    ready_path: str = "/__runtime/ready"


def runtime(name: str, cwd: Path, **env: str) -> Spec:
    return Spec(name, [PYTHON, "-m", "functions.runtime"], cwd, env)


def shim(name: str, cwd: Path, **env: str) -> Spec:
    # No probes of its own: every path goes to the handler.
    return Spec(name, [PYTHON, str(FIXTURES / "alb_shim.py")], cwd, env, ready_path=ITEM_PATH)


def granian_shim(name: str, cwd: Path, **env: str) -> Spec:
    return Spec(name, [PYTHON, str(FIXTURES / "granian_shim.py")], cwd, env, ready_path=ITEM_PATH)


def gunicorn_runtime(name: str, cwd: Path, **env: str) -> Spec:
    return Spec(name, [PYTHON, str(FIXTURES / "gunicorn_runtime.py")], cwd, env)


def chalice_local(name: str, cwd: Path) -> Spec:
    argv = [CHALICE, "local", "--no-autoreload", "--host", "127.0.0.1", "--port", "{port}"]
    return Spec(name, argv, cwd, ready_path=ITEM_PATH)


# ---------------------------------------------------------------- processes

_running: dict[int, subprocess.Popen[bytes]] = {}


def spawn(spec: Spec, port: int, log_dir: Path) -> subprocess.Popen[bytes]:
    """Starts `spec` on `port` in a process group of its own, logging to log_dir."""
    argv = [arg.format(port=port) for arg in spec.argv]
    with open(log_dir / f"{spec.name}-{port}.log", "wb") as log:
        process = subprocess.Popen(
            argv,
            cwd=spec.cwd,
            env=environment(spec, log_dir, PORT=str(port)),
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    _running[process.pid] = process
    return process


def environment(spec: Spec, log_dir: Path, **extra: str) -> dict[str, str]:
    """Ours plus the spec's, with bytecode cached in log_dir: every subject starts from
    compiled modules after its first start, as from a built image, whatever the caller's
    PYTHONDONTWRITEBYTECODE says, and nothing is written outside the temporary folder."""
    env = {name: value for name, value in os.environ.items() if name != "PYTHONDONTWRITEBYTECODE"}
    python_path = os.pathsep.join(filter(None, [str(REPO), os.environ.get("PYTHONPATH")]))
    return {
        **env,
        "PYTHONPATH": python_path,
        "PYTHONPYCACHEPREFIX": str(log_dir / "pycache"),
        "HOST": "127.0.0.1",
        **extra,
        **spec.env,
    }


def stop(process: subprocess.Popen[bytes], timeout: float = 15.0) -> None:
    """SIGTERM to the process group, wait; SIGKILL what is left after `timeout`."""
    if process.poll() is None:
        with suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout)
        except subprocess.TimeoutExpired:
            with suppress(ProcessLookupError):
                os.killpg(process.pid, signal.SIGKILL)
            process.wait()
    with suppress(ProcessLookupError):  # a child that outlived its leader
        os.killpg(process.pid, signal.SIGKILL)
    _running.pop(process.pid, None)


def stop_all() -> None:
    for process in list(_running.values()):
        stop(process)


@contextmanager
def serving(spec: Spec, log_dir: Path) -> Iterator[str]:
    """Yields the base URL once `spec` answers 200 on its ready path; stops it after."""
    port = free_port()
    process = spawn(spec, port, log_dir)
    try:
        try:
            wait_until_ready(f"http://127.0.0.1:{port}{spec.ready_path}", process, timeout=60)
            status, body = get(port, ITEM_PATH)
            if status != 200 or body != ITEM_BODY:
                raise RuntimeError(f"GET {ITEM_PATH} answered {status} {body[:200]!r}")
        except Exception as exc:
            log = (log_dir / f"{spec.name}-{port}.log").read_text(errors="replace")[-2000:]
            raise RuntimeError(f"{spec.name} did not start: {exc}\n--- its log ---\n{log}") from exc
        yield f"http://127.0.0.1:{port}"
    finally:
        stop(process)


def get(port: int, path: str, timeout: float = 10.0) -> tuple[int, bytes]:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        connection.request("GET", path)
        response = connection.getresponse()
        return response.status, response.read()
    finally:
        connection.close()


# ---------------------------------------------------------------- figures


@dataclass
class Figure:
    """Per-round (a, b) pairs and the ratio a ÷ b, judged against a target when it has one."""

    label: str
    a_name: str
    b_name: str
    unit: str
    target: float | None = None  # None: reported only
    at_least: bool = False  # True: ratio ≥ target passes; False: ratio ≤ target passes
    pairs: list[tuple[float, float]] = field(default_factory=list)

    @property
    def ratios(self) -> list[float]:
        return [a / b for a, b in self.pairs]

    @property
    def ratio(self) -> float:
        return statistics.median(self.ratios)

    @property
    def passed(self) -> bool:
        if self.target is None:
            return True
        return self.ratio >= self.target if self.at_least else self.ratio <= self.target

    def report(self) -> str:
        a = statistics.median(a for a, _ in self.pairs)
        b = statistics.median(b for _, b in self.pairs)
        rounds = ", ".join(map(_ratio, self.ratios))
        lines = [
            self.label,
            f"    ratio  {_ratio(self.ratio)}  (spread {_ratio(min(self.ratios))}-{_ratio(max(self.ratios))} "
            f"over {len(self.pairs)} rounds: {rounds})",
            f"    {self.a_name}: {a:.4g} {self.unit}, {self.b_name}: {b:.4g} {self.unit} (medians)",
        ]
        if self.target is not None:
            sign = "≥" if self.at_least else "≤"
            lines.append(f"    target {sign} {self.target:g}: {'PASS' if self.passed else 'MISS'}")
        return "\n".join(lines)


def _ratio(value: float) -> str:
    return f"{value:.2f}" if value < 10 else f"{value:.1f}"


def throughput(
    figure: Figure, a: Spec, b: Spec, seconds: tuple[float, float], rounds: int, load: Load, log_dir: Path
) -> Figure:
    """Both servers up at once, measured in turn: A B, B A, A B, ... (one ratio per round)."""
    with ExitStack() as stack:
        url_a = stack.enter_context(serving(a, log_dir)) + ITEM_PATH
        url_b = stack.enter_context(serving(b, log_dir)) + ITEM_PATH
        specs = {url_a: a, url_b: b}

        def rate(url: str, duration: float) -> float:
            try:
                return load.rate(url, duration)
            except LoadError as exc:  # which server, and what it logged
                port = url.split(":")[2].split("/")[0]
                log = (log_dir / f"{specs[url].name}-{port}.log").read_text(errors="replace")[-2000:]
                raise LoadError(f"{specs[url].name}: {exc}\n--- its log ---\n{log}") from exc

        for url, duration in ((url_a, seconds[0]), (url_b, seconds[1])):
            rate(url, min(1.0, duration))  # warm-up: first requests, lazy imports
        for round_ in range(rounds):
            runs = [(url_a, seconds[0]), (url_b, seconds[1])]
            if round_ % 2:
                runs.reverse()
            rates = {url: rate(url, duration) for url, duration in runs}
            figure.pairs.append((rates[url_a], rates[url_b]))
            print(
                f"  round {round_ + 1}: {figure.a_name} {rates[url_a]:.0f} req/s, "
                f"{figure.b_name} {rates[url_b]:.0f} req/s",
                flush=True,
            )
    return figure


def cold_start(spec: Spec, path: str, log_dir: Path, poll: float = 0.005, timeout: float = 60.0) -> float:
    """Seconds from process spawn to the first 200 on `path`, polled every `poll` seconds."""
    port = free_port()
    began = time.perf_counter()
    process = spawn(spec, port, log_dir)
    try:
        while time.perf_counter() - began < timeout:
            with suppress(OSError, http.client.HTTPException):
                if get(port, path, timeout=timeout)[0] == 200:
                    return time.perf_counter() - began
            if process.poll() is not None:
                raise RuntimeError(f"{spec.name} exited with {process.returncode} before {path} answered 200")
            time.sleep(poll)
        raise RuntimeError(f"{spec.name}: no 200 on {path} within {timeout}s")
    finally:
        stop(process)


def cold_starts(subjects: list[tuple[Spec, str]], rounds: int, log_dir: Path) -> dict[str, list[float]]:
    """One spawn of each subject per round, the order rotated each round; a first round is discarded."""
    times: dict[str, list[float]] = {spec.name: [] for spec, _ in subjects}
    for round_ in range(rounds + 1):
        shift = round_ % len(subjects)
        for spec, path in subjects[shift:] + subjects[:shift]:
            seconds = cold_start(spec, path, log_dir)
            if round_:  # round 0 warms the page cache and the .pyc files
                times[spec.name].append(seconds)
        if round_:
            print(
                "  round {}: {}".format(
                    round_, ", ".join(f"{name} {values[-1] * 1000:.0f} ms" for name, values in times.items())
                ),
                flush=True,
            )
    return times


# ---------------------------------------------------------------- import costs

_IMPORT_LINE = re.compile(r"import time:\s+(\d+) \|\s+(\d+) \|( *)(\S+)")


def import_costs(spec: Spec, modules: list[str], log_dir: Path) -> list[tuple[str, int, int, str]]:
    """`python -X importtime` of `modules` as `spec` imports them: (name, self µs, depth, parent)."""
    result = subprocess.run(
        [PYTHON, "-X", "importtime", "-c", f"import {', '.join(modules)}"],
        cwd=spec.cwd,
        env=environment(spec, log_dir),
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    lines = [
        (m.group(4), int(m.group(1)), len(m.group(3))) for m in map(_IMPORT_LINE.match, result.stderr.splitlines()) if m
    ]
    costs = []
    for index, (name, self_us, depth) in enumerate(lines):
        # importtime prints a module after what it imported, indented less: the next shallower line.
        parent = next((n for n, _, d in lines[index + 1 :] if d < depth), "")
        costs.append((name, self_us, depth, parent))
    return costs


def extra_imports(subject: Spec, handler: str, baseline: Spec, log_dir: Path) -> str:
    """Which packages `subject` imports that the minimal function does not, by summed self time."""
    runtime_modules = ["functions.runtime.__main__", "functions.runtime.server"]

    def modules(handler_path: str) -> list[str]:
        extra = ["functions.catalog"] if handler_path.startswith("functions.") else []
        return [*runtime_modules, *extra, handler_path.rpartition(".")[0]]

    base = {name for name, *_ in import_costs(baseline, modules(MINIMAL_HANDLER), log_dir)}
    packages: dict[str, list[int]] = {}
    importer: dict[str, str] = {}
    for name, self_us, _, parent in import_costs(subject, modules(handler), log_dir):
        if name in base:
            continue
        parts = name.split(".")
        package = ".".join(parts[:3]) if parts[0] == "functions" else parts[0]
        packages.setdefault(package, []).append(self_us)
        if package not in importer and not parent.startswith(package):
            importer[package] = parent
    ranked = sorted(packages.items(), key=lambda item: -sum(item[1]))
    total = sum(sum(values) for values in packages.values())
    rows = [
        f"    {sum(v) / 1000:6.1f} ms  {p} ({len(v)} modules, imported by {importer.get(p) or 'the runtime'})"
        for p, v in ranked
        if sum(v) >= 1000
    ]
    return (
        f"  imports of {handler} beyond the minimal function: {total / 1000:.0f} ms "
        "(python -X importtime, self time summed per package; importtime inflates it):\n" + "\n".join(rows)
    )


# ---------------------------------------------------------------- main


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--seconds", type=float, default=3.0, help="length of one load run, whole seconds with wrk (default 3)"
    )
    parser.add_argument(
        "--chalice-seconds",
        type=float,
        default=2.0,
        help="length of one load run on chalice local, which is slow (default 2)",
    )
    parser.add_argument("--rounds", type=int, default=7, help="rounds of each throughput pair (default 7)")
    parser.add_argument("--cold-rounds", type=int, default=10, help="rounds of cold starts (default 10)")
    parser.add_argument("--connections", type=int, default=16, help="client connections (default 16)")
    parser.add_argument("--no-wrk", action="store_true", help="use the Python load generator even if wrk exists")
    parser.add_argument("--only", default="agsbc", help="which figures to measure, e.g. 'ac' (default agsbc)")
    parser.add_argument(
        "--importtime",
        action="store_true",
        help="list the extra imports of the cold-start subjects even when (c) passes",
    )
    parser.add_argument("--strict", action="store_true", help="exit 1 when a target is missed")
    args = parser.parse_args(argv)

    load = Load(connections=args.connections, use_wrk=not args.no_wrk)
    defaults = RuntimeConfig(handler_path="-")
    print(
        f"load generator: {load.describe()}; {args.seconds:g} s per run "
        f"({args.chalice_seconds:g} s on chalice local), {args.rounds} rounds; "
        f"cold starts: {args.cold_rounds} rounds\n"
        f"servers: runtime defaults CONCURRENCY={defaults.concurrency} WORKERS={defaults.workers} "
        f"FUNCTION_TIMEOUT={defaults.function_timeout:g} (granian through the bridge, {defaults.concurrency} "
        f"threads in {defaults.workers} worker); the shim gets the same ServeOptions, the granian shim as many "
        "threads on granian's WSGI interface, gunicorn gthread as many; chalice local is one threaded process; "
        "bytecode cached in a temporary PYTHONPYCACHEPREFIX\n",
        flush=True,
    )

    figures: list[Figure] = []
    failures: list[str] = []
    steps: dict[str, Callable[[Path], list[Figure]]] = {
        "a": lambda logs: [powertools_figures(args, load, logs, "a")],
        "g": lambda logs: [powertools_figures(args, load, logs, "g")],
        "s": lambda logs: [powertools_figures(args, load, logs, "s")],
        "b": lambda logs: [chalice_vs_local(args, load, logs)],
        "c": lambda logs: cold_start_figures(args, logs),
    }
    with tempfile.TemporaryDirectory(prefix="bench-runtime-") as log_dir:
        for key in args.only:
            try:
                figures += steps[key](Path(log_dir))
            except Exception as exc:
                failures.append(f"({key}) could not be measured: {exc}")
                print(f"ERROR {failures[-1]}", flush=True)
            finally:
                stop_all()

    print("\n==== summary ====")
    for figure in figures:
        print(figure.report())
    for failure in failures:
        print(f"ERROR {failure}")
    missed = [figure.label for figure in figures if not figure.passed]
    print(f"\n{len(figures) - len(missed)} of {len(figures)} targets met; load generator: {load.tool}")
    if failures:
        return 1
    return 1 if missed and args.strict else 0


def powertools_figures(args: argparse.Namespace, load: Load, log_dir: Path, key: str) -> Figure:
    """(a), (g) or (s): the runtime hosting the ALBResolver handler against a baseline serving it."""
    env = {"HANDLER": MINIMAL_HANDLER, "EVENT_FORMAT": "alb", "ROUTES": ITEM_ROUTE}
    baselines = {
        "a": ("the minimal WSGI shim on the runtime's own server", shim("shim-alb", FIXTURES, **env), "shim", 0.9),
        "g": (
            "the shim on granian's WSGI interface",
            granian_shim("granian-shim-alb", FIXTURES, **env),
            "granian shim",
            0.8,
        ),
        "s": (
            "the runtime on gunicorn gthread, its former server",
            gunicorn_runtime("gunicorn-alb", FIXTURES, **env),
            "gunicorn",
            None,
        ),
    }
    description, baseline, baseline_name, target = baselines[key]
    print(f"({key}) Powertools ALBResolver: runtime vs {description}", flush=True)
    figure = Figure(
        f"({key}) throughput, runtime ÷ {description} (ALBResolver, GET {ITEM_PATH})",
        "runtime",
        baseline_name,
        "req/s",
        target=target,
        at_least=True,
    )
    subject = runtime("runtime-alb", FIXTURES, **env)
    return throughput(figure, subject, baseline, (args.seconds, args.seconds), args.rounds, load, log_dir)


def chalice_vs_local(args: argparse.Namespace, load: Load, log_dir: Path) -> Figure:
    print("(b) Chalice app: runtime (apigw-rest) vs chalice local", flush=True)
    figure = Figure(
        f"(b) throughput, runtime ÷ chalice local (Chalice app, GET {ITEM_PATH})",
        "runtime",
        "chalice local",
        "req/s",
        target=25,
        at_least=True,
    )
    # As the README says to host a Chalice app: one invocation at a time per process
    # (Chalice keeps the current request on the app), one process per core.
    subject = runtime(
        "runtime-chalice",
        CHALICE_APP,
        HANDLER="app.app",
        EVENT_FORMAT="apigw-rest",
        ROUTES=ITEM_ROUTE,
        CONCURRENCY="1",
        WORKERS="2",
    )
    return throughput(
        figure,
        subject,
        chalice_local("chalice-local", CHALICE_APP),
        (args.seconds, args.chalice_seconds),
        args.rounds,
        load,
        log_dir,
    )


def cold_start_figures(args: argparse.Namespace, log_dir: Path) -> list[Figure]:
    print("(c) cold start to the first 200 on the function's route, through the runtime", flush=True)
    common = {"DATABASE_URL": DATABASE_URL, "REDIS_URL": ""}
    minimal = runtime("minimal", FIXTURES, HANDLER=MINIMAL_HANDLER, ROUTES=ITEM_ROUTE, **common)
    ours = {
        "get-ready": ("functions.health.get_ready.handler", "/ready"),
        "get-health": ("functions.health.get_health.handler", "/health"),
    }
    specs = {name: runtime(name, REPO, HANDLER=handler, **common) for name, (handler, _) in ours.items()}
    subjects = [(minimal, ITEM_PATH), *((specs[name], path) for name, (_, path) in ours.items())]
    times = cold_starts(subjects, args.cold_rounds, log_dir)
    figures = []
    for name, (handler, path) in ours.items():
        figure = Figure(
            f"(c) cold start, {name} (GET {path}) ÷ minimal Powertools function",
            name,
            "minimal",
            "ms",
            target=1.3,
            at_least=False,
            pairs=[(t * 1000, m * 1000) for t, m in zip(times[name], times["minimal"], strict=True)],
        )
        figures.append(figure)
        if args.importtime or not figure.passed:
            print(extra_imports(specs[name], handler, minimal, log_dir), flush=True)
    return figures


if __name__ == "__main__":
    signal.signal(signal.SIGTERM, lambda signum, frame: sys.exit(128 + signum))  # run the finally blocks
    try:
        sys.exit(main())
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        sys.exit(130)
    finally:
        stop_all()
