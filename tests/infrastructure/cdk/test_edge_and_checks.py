"""CloudFront in front of the SPA and the API, the alarms on the functions' metrics, the
environments the Kubernetes side assumes, and cdk-nag: no finding left unacknowledged,
every acknowledgement with its reason."""

from __future__ import annotations

import json

import pytest
from aws_cdk.assertions import Match

from cdk.components.observability import DISPATCHER, NAMESPACE
from cdk.environments import DEFAULTS
from functions.catalog import FUNCTIONS
from tests.infrastructure.cdk.conftest import ENVIRONMENTS, IMAGE_TAG, Synthesized
from tests.infrastructure.manifests import render

CACHING_DISABLED = "4135ea2d-6df8-44a3-9df3-4b5a84be39ad"  # CloudFront's managed CachingDisabled policy
ALL_VIEWER_EXCEPT_HOST = "b689b0a8-53d0-40ab-baf2-68738e2966ac"


def _distribution(synthesized: Synthesized, environment: str) -> dict:
    (distribution,) = synthesized.resources(environment, "AWS::CloudFront::Distribution").values()
    return distribution["Properties"]["DistributionConfig"]


@pytest.mark.parametrize("environment", ENVIRONMENTS)
def test_api_requests_go_uncached_to_the_environments_api_host(synthesized: Synthesized, environment: str) -> None:
    config = _distribution(synthesized, environment)
    (api,) = [b for b in config["CacheBehaviors"] if b["PathPattern"] == "/api/*"]
    assert api["CachePolicyId"] == CACHING_DISABLED
    assert api["OriginRequestPolicyId"] == ALL_VIEWER_EXCEPT_HOST  # Host stays api.<domain>, as the gateway wants
    assert set(api["AllowedMethods"]) == {"GET", "HEAD", "OPTIONS", "PUT", "PATCH", "POST", "DELETE"}
    assert api["ViewerProtocolPolicy"] == "https-only"
    (origin,) = [o for o in config["Origins"] if o["Id"] == api["TargetOriginId"]]
    assert origin["DomainName"] == synthesized.stacks[environment].environment_settings.api_domain
    assert origin["CustomOriginConfig"]["OriginProtocolPolicy"] == "https-only"
    overlay = render.for_settings(synthesized.stacks[environment].environment_settings)
    assert origin["DomainName"] in overlay.hosts


@pytest.mark.parametrize("environment", ENVIRONMENTS)
def test_the_spa_bucket_is_private_behind_origin_access_control(synthesized: Synthesized, environment: str) -> None:
    config = _distribution(synthesized, environment)
    default_origin = next(o for o in config["Origins"] if o["Id"] == config["DefaultCacheBehavior"]["TargetOriginId"])
    assert "OriginAccessControlId" in default_origin
    assert config["DefaultCacheBehavior"]["ResponseHeadersPolicyId"]
    assert config["WebACLId"]
    assert config["ViewerCertificate"]["MinimumProtocolVersion"] == "TLSv1.2_2021"
    template = synthesized.template(environment)
    template.has_resource_properties(
        "AWS::S3::Bucket",
        {
            "PublicAccessBlockConfiguration": {
                "BlockPublicAcls": True,
                "BlockPublicPolicy": True,
                "IgnorePublicAcls": True,
                "RestrictPublicBuckets": True,
            },
            "LoggingConfiguration": Match.any_value(),
        },
    )
    template.has_resource_properties(
        "AWS::CloudFront::ResponseHeadersPolicy",
        {
            "ResponseHeadersPolicyConfig": {
                "SecurityHeadersConfig": Match.object_like(
                    {
                        "StrictTransportSecurity": Match.object_like({"AccessControlMaxAgeSec": 31536000}),
                        "ContentTypeOptions": Match.any_value(),
                        "FrameOptions": Match.object_like({"FrameOption": "DENY"}),
                    }
                )
            }
        },
    )


@pytest.mark.parametrize("environment", ENVIRONMENTS)
def test_alarms_watch_5xx_and_redis_failures_and_each_api_operations_p99(
    synthesized: Synthesized, environment: str
) -> None:
    alarms = [a["Properties"] for a in synthesized.resources(environment, "AWS::CloudWatch::Alarm").values()]
    queries = [m["Expression"] for a in alarms for m in a.get("Metrics", []) if "Expression" in m]
    assert any("COUNT(Latency)" in q and "'5xx'" in q and f'"{NAMESPACE}"' in q for q in queries)
    assert any("CacheUnavailable" in q for q in queries)
    latency = {
        tuple(sorted((d["Name"], d["Value"]) for d in a["Dimensions"]))
        for a in alarms
        if a.get("MetricName") == "Latency"
    }
    probes = {f.name for f in FUNCTIONS if f.area == "health"}
    assert probes == {"get-health", "get-ready"}
    assert latency == {(("operation", f.name), ("status_class", "2xx")) for f in FUNCTIONS if f.routes} - {
        (("operation", name), ("status_class", "2xx")) for name in probes
    }
    assert all(a["ExtendedStatistic"] == "p99" for a in alarms if a.get("MetricName") == "Latency")
    assert all(a["AlarmActions"] for a in alarms)


def _alarms(synthesized: Synthesized, environment: str) -> dict[str, dict]:
    return {
        a["Properties"]["AlarmName"]["Fn::Join"][1][-1]
        if isinstance(a["Properties"]["AlarmName"], dict)
        else a["Properties"]["AlarmName"]: a["Properties"]
        for a in synthesized.resources(environment, "AWS::CloudWatch::Alarm").values()
    }


def _metrics(alarm: dict) -> list[dict]:
    """The plain metrics an alarm reads, whether directly or inside a math expression."""
    if "MetricName" in alarm:
        return [
            {
                "Namespace": alarm["Namespace"],
                "MetricName": alarm["MetricName"],
                "Dimensions": alarm.get("Dimensions", []),
            }
        ]
    return [query["MetricStat"]["Metric"] for query in alarm.get("Metrics", []) if "MetricStat" in query]


@pytest.mark.parametrize("environment", ENVIRONMENTS)
def test_alarms_watch_the_data_stores_and_the_reminder_dispatcher(synthesized: Synthesized, environment: str) -> None:
    alarms = _alarms(synthesized, environment)
    watched = {(m["Namespace"], m["MetricName"]): name for name, alarm in alarms.items() for m in _metrics(alarm)}
    assert ("AWS/RDS", "CPUUtilization") in watched
    assert ("AWS/RDS", "FreeStorageSpace") in watched
    assert ("AWS/ElastiCache", "DatabaseMemoryUsagePercentage") in watched
    assert (NAMESPACE, "ReminderLag") in watched
    lag = alarms[watched[(NAMESPACE, "ReminderLag")]]
    assert lag["Dimensions"] == [{"Name": "operation", "Value": DISPATCHER}]
    assert any(f.name == DISPATCHER and f.schedule for f in FUNCTIONS)
    # Redis memory is read on every node of the group, so a failover cannot hide a full one.
    memory = alarms[watched[("AWS/ElastiCache", "DatabaseMemoryUsagePercentage")]]
    nodes = [m for m in _metrics(memory) if m["MetricName"] == "DatabaseMemoryUsagePercentage"]
    assert len(nodes) == DEFAULTS[environment].cache_nodes
    free = alarms[watched[("AWS/RDS", "FreeStorageSpace")]]
    assert free["ComparisonOperator"] == "LessThanThreshold"
    assert 0 < free["Threshold"] < DEFAULTS[environment].database_storage_gib * 1024**3


@pytest.mark.parametrize("environment", ENVIRONMENTS)
def test_every_alarm_notifies_the_alarm_topic(synthesized: Synthesized, environment: str) -> None:
    (topic,) = synthesized.resources(environment, "AWS::SNS::Topic")
    alarms = synthesized.resources(environment, "AWS::CloudWatch::Alarm").values()
    assert len(alarms) >= 6
    for alarm in alarms:
        assert alarm["Properties"]["AlarmActions"] == [{"Ref": topic}]
        assert alarm["Properties"]["OKActions"] == [{"Ref": topic}]


@pytest.mark.parametrize("environment", ENVIRONMENTS)
def test_the_deployed_image_tag_is_reported(synthesized: Synthesized, environment: str) -> None:
    outputs = synthesized.templates[environment]["Outputs"]
    assert IMAGE_TAG in json.dumps(outputs["Image"]["Value"])
    assert "DatabasePort" in outputs


@pytest.mark.parametrize("environment", ENVIRONMENTS)
def test_each_stack_is_in_the_account_and_region_its_manifests_name(synthesized: Synthesized, environment: str) -> None:
    stack = synthesized.stacks[environment]
    overlay = render.for_settings(synthesized.stacks[environment].environment_settings)
    assert (stack.account, stack.region) == (overlay.account_id, overlay.region)
    assert stack.environment_settings.mail_sender == overlay.mail_sender
    synthesized.template(environment).has_resource_properties(
        "AWS::SES::EmailIdentity", {"EmailIdentity": overlay.mail_sender.partition("@")[2]}
    )


def test_cdk_nag_finds_nothing_unacknowledged(synthesized: Synthesized) -> None:
    findings = [
        f"{violation['ruleName']} at {construct['constructPath']}"
        for plugin in (synthesized.report or {}).get("pluginReports", [])
        for violation in plugin["violations"]
        for construct in violation["violatingConstructs"]
    ]
    assert findings == []
    assert synthesized.failure is None


def test_every_acknowledgement_carries_its_reason(synthesized: Synthesized) -> None:
    nag = {
        path: rules
        for path, rules in synthesized.acknowledgements.items()
        if any(rule.startswith("AwsSolutions::") for rule in rules)
    }
    assert nag, "the stacks acknowledge some cdk-nag findings; none were read"
    # aws-cdk-lib acknowledges a CloudFormation check of its own (W3010) in the same way, with a reason too.
    for path, rules in synthesized.acknowledgements.items():
        for rule, reason in rules.items():
            assert len(reason.split()) >= 5, f"{path}: {rule} has no real reason: {reason!r}"


def test_the_alarms_read_the_namespace_the_functions_write() -> None:
    from functions.platform import api

    assert api.METRICS_NAMESPACE == NAMESPACE
