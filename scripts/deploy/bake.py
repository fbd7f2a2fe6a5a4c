#!/usr/bin/env python3
"""The canary's bake check: the API's 5xx rate over the last window, from CloudWatch.

    python scripts/deploy/bake.py --window 300 --threshold 0.01

Counts the `Latency` samples the functions emit (cdk/components/observability.py) with Metrics
Insights, the 5xx ones and all of them, over the last `--window` seconds, and exits 0 when the
rate is under `--threshold`, 1 when not. No requests at all is no evidence against the release:
it passes, and says so.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from typing import Any

SERVER_ERRORS = "SELECT COUNT(Latency) FROM SCHEMA(\"TaskForge\", operation, status_class) WHERE status_class = '5xx'"
ALL_REQUESTS = 'SELECT COUNT(Latency) FROM SCHEMA("TaskForge", operation, status_class)'


def counts(cloudwatch: Any, window_seconds: int, now: datetime) -> tuple[float, float]:
    """(5xx requests, all requests) over the window ending now."""
    response = cloudwatch.get_metric_data(
        MetricDataQueries=[
            {"Id": "errors", "Expression": SERVER_ERRORS, "Period": window_seconds},
            {"Id": "total", "Expression": ALL_REQUESTS, "Period": window_seconds},
        ],
        StartTime=now - timedelta(seconds=window_seconds),
        EndTime=now,
    )
    sums = {result["Id"]: float(sum(result.get("Values", []))) for result in response["MetricDataResults"]}
    return sums.get("errors", 0.0), sums.get("total", 0.0)


def verdict(errors: float, total: float, threshold: float) -> tuple[bool, str]:
    if total == 0:
        return True, "no requests in the bake window: no traffic to judge, passing"
    rate = errors / total
    line = f"5xx rate {rate:.2%} ({errors:.0f} of {total:.0f} requests), threshold {threshold:.2%}"
    return rate < threshold, line


def main(argv: Sequence[str] | None = None, cloudwatch: Any = None, now: datetime | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python scripts/deploy/bake.py", description=__doc__.split("\n\n")[0])
    parser.add_argument("--window", type=int, default=300, help="seconds (a multiple of 60)")
    parser.add_argument("--threshold", type=float, default=0.01, help="the highest 5xx rate that fails, 0..1")
    args = parser.parse_args(argv)
    if cloudwatch is None:
        import boto3  # only here: the tests pass a stubbed client

        cloudwatch = boto3.client("cloudwatch")
    errors, total = counts(cloudwatch, args.window, now or datetime.now(UTC))
    passed, line = verdict(errors, total, args.threshold)
    print(f"bake: {line}" if passed else f"bake: {line}: rolling back", file=sys.stdout if passed else sys.stderr)
    return 0 if passed else 1


if __name__ == "__main__":
    sys.exit(main())
