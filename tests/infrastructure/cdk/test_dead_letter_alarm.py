"""Events the Brokers gave up on are stored by record-dead-letter; any one alarms."""

from __future__ import annotations

import pytest

from cdk.components.observability import DEAD_LETTERS, NAMESPACE
from functions.catalog import FUNCTIONS
from functions.domain.activity import dead_letters
from tests.infrastructure.cdk.conftest import ENVIRONMENTS, Synthesized


@pytest.mark.parametrize("environment", ENVIRONMENTS)
def test_any_stored_dead_letter_alarms_within_five_minutes(synthesized: Synthesized, environment: str) -> None:
    alarms = [a["Properties"] for a in synthesized.resources(environment, "AWS::CloudWatch::Alarm").values()]
    [alarm] = [a for a in alarms if a.get("MetricName") == "DeadLetters"]
    assert alarm["Namespace"] == NAMESPACE
    assert alarm["Dimensions"] == [{"Name": "operation", "Value": DEAD_LETTERS}]
    assert (alarm["Statistic"], alarm["Period"]) == ("Sum", 300)
    assert (alarm["Threshold"], alarm["EvaluationPeriods"]) == (1, 1)
    assert alarm["ComparisonOperator"] == "GreaterThanOrEqualToThreshold"
    assert alarm["TreatMissingData"] == "notBreaching"
    assert alarm["AlarmActions"]


def test_the_alarm_watches_what_the_function_emits() -> None:
    assert DEAD_LETTERS in {function.name for function in FUNCTIONS}
    assert dead_letters.METRIC == "DeadLetters"
