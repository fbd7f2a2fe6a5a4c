"""scripts/deploy/bake.py: the canary is promoted only when the 5xx rate of the bake window, read
from CloudWatch Metrics Insights, is under the threshold; no traffic at all passes, saying so."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import boto3
import pytest
from botocore.stub import Stubber

from .deploy_scripts import deploy_script

bake = deploy_script("bake")
NOW = datetime(2026, 5, 1, 12, 0, tzinfo=UTC)


def stubbed(errors: list[float], total: list[float], window: int = 300) -> tuple[Any, Stubber]:
    client = boto3.client("cloudwatch", region_name="us-east-1", aws_access_key_id="x", aws_secret_access_key="x")
    stubber = Stubber(client)
    stubber.add_response(
        "get_metric_data",
        {
            "MetricDataResults": [
                {"Id": "errors", "Values": errors, "Timestamps": [NOW] * len(errors), "StatusCode": "Complete"},
                {"Id": "total", "Values": total, "Timestamps": [NOW] * len(total), "StatusCode": "Complete"},
            ]
        },
        {
            "MetricDataQueries": [
                {"Id": "errors", "Expression": bake.SERVER_ERRORS, "Period": window},
                {"Id": "total", "Expression": bake.ALL_REQUESTS, "Period": window},
            ],
            "StartTime": NOW - timedelta(seconds=window),
            "EndTime": NOW,
        },
    )
    stubber.activate()
    return client, stubber


def test_a_rate_below_the_threshold_promotes(capsys: pytest.CaptureFixture[str]) -> None:
    client, stubber = stubbed(errors=[2.0], total=[1000.0])
    assert bake.main(["--threshold", "0.01"], cloudwatch=client, now=NOW) == 0
    stubber.assert_no_pending_responses()
    assert "5xx rate 0.20% (2 of 1000 requests)" in capsys.readouterr().out


def test_a_rate_at_or_above_the_threshold_rolls_back(capsys: pytest.CaptureFixture[str]) -> None:
    client, _ = stubbed(errors=[10.0, 5.0], total=[600.0, 400.0], window=600)
    assert bake.main(["--window", "600", "--threshold", "0.01"], cloudwatch=client, now=NOW) == 1
    assert "5xx rate 1.50% (15 of 1000 requests), threshold 1.00%: rolling back" in capsys.readouterr().err


def test_no_data_is_no_traffic_and_passes_saying_so(capsys: pytest.CaptureFixture[str]) -> None:
    client, _ = stubbed(errors=[], total=[])
    assert bake.main([], cloudwatch=client, now=NOW) == 0
    assert "no traffic to judge" in capsys.readouterr().out
