"""The alarm on rows the scheduled functions quarantine: any one in five minutes."""

from __future__ import annotations

import pytest

from cdk.components.observability import NAMESPACE
from functions.activity.relay_outbox import OPERATION as RELAY
from functions.catalog import FUNCTIONS
from functions.domain.reminders.digests import OPERATION as DIGESTS
from functions.domain.reminders.dispatch import OPERATION as DISPATCHER
from tests.infrastructure.cdk.conftest import ENVIRONMENTS, Synthesized


@pytest.mark.parametrize("environment", ENVIRONMENTS)
def test_any_quarantined_row_alarms_within_five_minutes(synthesized: Synthesized, environment: str) -> None:
    alarms = [a["Properties"] for a in synthesized.resources(environment, "AWS::CloudWatch::Alarm").values()]
    [alarm] = [a for a in alarms for m in a.get("Metrics", []) if "Quarantined" in m.get("Expression", "")]
    [query] = [m for m in alarm["Metrics"] if "Expression" in m]
    assert query["Expression"] == f'SELECT SUM(Quarantined) FROM SCHEMA("{NAMESPACE}", operation)'
    assert query["Period"] == 300
    assert (alarm["Threshold"], alarm["EvaluationPeriods"]) == (1, 1)
    assert alarm["ComparisonOperator"] == "GreaterThanOrEqualToThreshold"
    assert alarm["TreatMissingData"] == "notBreaching"
    assert alarm["AlarmActions"]


def test_the_operations_that_emit_it_are_the_catalogs_scheduled_functions() -> None:
    scheduled = {function.name for function in FUNCTIONS if function.schedule}
    assert {DISPATCHER, DIGESTS, RELAY} == scheduled
