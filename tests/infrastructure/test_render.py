"""knative/render.py: the committed manifests are a fresh rendering of the catalog, and say what it says."""

from __future__ import annotations

import shutil
from dataclasses import replace
from pathlib import Path

import pytest

from functions import catalog

from .manifests import (
    ENVIRONMENTS,
    KNATIVE,
    committed_base,
    env_of,
    knative_services,
    load_text,
    named,
    of_kind,
    pod_spec,
    render,
    synthetic_base,
    synthetic_functions,
)


def test_committed_manifests_equal_a_fresh_rendering() -> None:
    stale = render.differences(KNATIVE, render.render_files())
    assert not stale, f"run `python knative/render.py` and commit the result; stale: {stale}"


def test_rendering_is_deterministic_and_round_trips_through_yaml() -> None:
    first, second = render.render_files(), render.render_files()
    assert first == second
    for path, text in first.items():
        header = (
            render.HEADER + render.PLACEHOLDER_NOTE if path.startswith(("overlays/", "rendered/")) else render.HEADER
        )
        assert render.dump(load_text(text), header) == text, path


def _copy_generated(tmp_path: Path) -> Path:
    root = tmp_path / "knative"
    for folder in render.GENERATED:
        shutil.copytree(KNATIVE / folder, root / folder)
    return root


def test_check_fails_on_an_edited_or_stale_file_and_a_render_fixes_both(tmp_path: Path) -> None:
    # Given a committed tree with one hand edit and one file no function renders any more
    root = _copy_generated(tmp_path)
    edited = root / "base" / "functions" / "get-health.yaml"
    edited.write_text(edited.read_text() + "# edited by hand\n")
    stale = root / "base" / "functions" / "retired-function.yaml"
    stale.write_text("kind: Service\n")

    # When checked, then both are reported
    assert render.main(["--check"], root=root) == 1

    # When rendered, then the edit is undone, the stale file gone, and the check passes
    assert render.main([], root=root) == 0
    assert not stale.exists()
    assert render.main(["--check"], root=root) == 0
    assert edited.read_text() == (KNATIVE / "base" / "functions" / "get-health.yaml").read_text()


def test_check_passes_on_the_committed_tree(tmp_path: Path) -> None:
    assert render.main(["--check"], root=_copy_generated(tmp_path)) == 0


# What a deploy passes: real-looking values that are neither examples nor placeholders.
DEPLOY_ENVIRON = {"TASKFORGE_PRODUCTION_ACCOUNT": "314159265358", "TASKFORGE_PRODUCTION_DOMAIN": "tasks.acme.io"}
DEPLOY_IMAGE = "314159265358.dkr.ecr.us-east-1.amazonaws.com/taskforge@sha256:" + "ab" * 32


def test_print_gives_one_environment_with_the_deploys_values_and_image(capsys: pytest.CaptureFixture[str]) -> None:
    assert render.main(["--print", "production", "--image", DEPLOY_IMAGE], environ=DEPLOY_ENVIRON) == 0
    docs = load_text(capsys.readouterr().out)
    images = {
        container["image"]
        for doc in docs
        if doc["kind"] in ("Service", "Job")
        for container in pod_spec(doc)["containers"]
    }
    assert images == {DEPLOY_IMAGE}
    role = named(docs, "ServiceAccount", "get-health")["metadata"]["annotations"]["eks.amazonaws.com/role-arn"]
    assert role == "arn:aws:iam::314159265358:role/taskforge-production-get-health"
    config = named(docs, "ConfigMap", render.CONFIG_MAP)["data"]
    assert config["PUBLIC_URL"] == config["CORS_ALLOW_ORIGIN"] == "https://tasks.acme.io"
    assert config["MAIL_SENDER"] == "reminders@tasks.acme.io"
    (virtual_service,) = of_kind(docs, "VirtualService")
    assert virtual_service["spec"]["hosts"] == ["api.tasks.acme.io"]


@pytest.mark.parametrize(
    ("changes", "image", "named_in_error"),
    [
        ({"TASKFORGE_PRODUCTION_ACCOUNT": None}, DEPLOY_IMAGE, "production.account: missing"),
        ({"TASKFORGE_PRODUCTION_DOMAIN": None}, DEPLOY_IMAGE, "production.domain: missing"),
        ({"TASKFORGE_PRODUCTION_ACCOUNT": "3141592653"}, DEPLOY_IMAGE, "production.account: '3141592653' is not"),
        ({"TASKFORGE_PRODUCTION_ACCOUNT": "123456789012"}, DEPLOY_IMAGE, "production.account: '123456789012' is an"),
        ({"TASKFORGE_PRODUCTION_DOMAIN": "taskforge.example"}, DEPLOY_IMAGE, "production.domain: 'taskforge.example'"),
        (
            {"TASKFORGE_PRODUCTION_DOMAIN": "https://tasks.acme.io"},
            DEPLOY_IMAGE,
            "production.domain: 'https://tasks.acme.io'",
        ),
        ({"TASKFORGE_PRODUCTION_VPC_CIDR": "10.40.0.0/33"}, DEPLOY_IMAGE, "production.vpc_cidr: '10.40.0.0/33'"),
        ({}, None, "--image: missing"),
        ({}, "314159265358.dkr.ecr.us-east-1.amazonaws.com/taskforge", "--image: '314159265358.dkr"),
        ({}, "ACCOUNT_ID.dkr.ecr.us-east-1.amazonaws.com/taskforge:IMAGE_TAG", "is a placeholder"),
    ],
)
def test_print_stops_with_one_line_naming_a_missing_malformed_or_placeholder_value(
    capsys: pytest.CaptureFixture[str], changes: dict[str, str | None], image: str | None, named_in_error: str
) -> None:
    environ = {key: value for key, value in (DEPLOY_ENVIRON | changes).items() if value is not None}
    argv = ["--print", "production", *(["--image", image] if image else [])]

    assert render.main(argv, environ=environ) == 2

    out, err = capsys.readouterr()
    assert out == ""  # nothing half-rendered to apply
    assert err.count("\n") == 1
    assert err.startswith("render: ")
    assert named_in_error in err


@pytest.mark.parametrize(
    ("reference", "expected"),
    [
        ("repo.example/taskforge:1.2.3", {"newName": "repo.example/taskforge", "newTag": "1.2.3"}),
        ("repo.example:5000/taskforge", {"newName": "repo.example:5000/taskforge"}),
        ("repo.example/taskforge@sha256:abc", {"newName": "repo.example/taskforge", "digest": "sha256:abc"}),
    ],
)
def test_image_references_become_kustomize_image_entries(reference: str, expected: dict[str, str]) -> None:
    assert render.image_entry(reference) == {"name": render.IMAGE, **expected}


def test_every_function_gets_a_service_account_and_a_cluster_local_knative_service() -> None:
    docs = committed_base()
    services = {doc["metadata"]["name"]: doc for doc in knative_services(docs)}
    assert set(services) == {function.name for function in catalog.FUNCTIONS}
    for function in catalog.FUNCTIONS:
        service = services[function.name]
        assert service["metadata"]["labels"]["networking.knative.dev/visibility"] == "cluster-local"
        assert pod_spec(service)["serviceAccountName"] == function.name
        named(docs, "ServiceAccount", function.name)


def test_each_service_carries_its_catalog_entry() -> None:
    services = {doc["metadata"]["name"]: doc for doc in knative_services(committed_base())}
    for function in catalog.FUNCTIONS:
        service = services[function.name]
        spec = pod_spec(service)
        (container,) = spec["containers"]
        env = {name: entry.get("value") for name, entry in env_of(container).items()}
        assert env["HANDLER"] == function.handler
        assert env["FUNCTION_NAME"] == function.name
        assert env["ROUTES"] == ", ".join(function.routes)
        assert env["EVENT_FORMAT"] == function.event_format
        assert env["FUNCTION_TIMEOUT"] == str(function.timeout_seconds)
        assert env["CONCURRENCY"] == "1"
        assert env["WORKERS"] == str(function.scaling.workers)
        assert "PORT" not in env  # Knative sets it; a Service that sets it is rejected
        assert spec["containerConcurrency"] == function.scaling.workers
        assert spec["timeoutSeconds"] == function.timeout_seconds
        annotations = service["spec"]["template"]["metadata"]["annotations"]
        assert annotations == {
            "autoscaling.knative.dev/min-scale": str(function.scaling.min_scale),
            "autoscaling.knative.dev/max-scale": str(function.scaling.max_scale),
            "autoscaling.knative.dev/target-utilization-percentage": str(function.scaling.target_utilization_percent),
        }
        assert container["resources"] == {
            "requests": {"cpu": function.resources.cpu_request, "memory": function.resources.memory_request},
            "limits": {"cpu": function.resources.cpu_limit, "memory": function.resources.memory_limit},
        }


def _secret_names(container: dict) -> set[str]:
    return {name for name, entry in env_of(container).items() if "secretKeyRef" in entry.get("valueFrom", {})}


def test_secrets_reach_exactly_the_functions_whose_uses_name_them() -> None:
    services = {doc["metadata"]["name"]: doc for doc in knative_services(committed_base())}
    for function in catalog.FUNCTIONS:
        (container,) = pod_spec(services[function.name])["containers"]
        expected = (
            ({"DATABASE_URL"} if "database" in function.uses else set())
            | ({"REDIS_URL"} if "redis" in function.uses else set())
            | ({"JWT_PRIVATE_KEY"} if "signing-key" in function.uses else set())
            | ({"JWT_PUBLIC_KEY"} if "verify-key" in function.uses else set())
            | ({"VAPID_PRIVATE_KEY"} if "vapid-key" in function.uses else set())
        )
        assert _secret_names(container) == expected, function.name


def test_only_the_token_issuers_hold_the_private_key() -> None:
    holders = {
        doc["metadata"]["name"]
        for doc in knative_services(committed_base())
        if "JWT_PRIVATE_KEY" in env_of(pod_spec(doc)["containers"][0])
    }
    assert holders == {function.name for function in catalog.FUNCTIONS if "signing-key" in function.uses}
    assert holders  # the login and refresh functions


def test_only_the_dispatcher_and_the_public_key_function_hold_the_vapid_key() -> None:
    holders = {
        doc["metadata"]["name"]
        for doc in knative_services(committed_base())
        if "VAPID_PRIVATE_KEY" in env_of(pod_spec(doc)["containers"][0])
    }
    assert holders == {"dispatch-reminders", "get-vapid-public-key"}


def test_configuration_comes_by_reference_and_every_reference_resolves() -> None:
    docs = committed_base()
    config = named(docs, "ConfigMap", render.CONFIG_MAP)["data"]
    for doc in [*knative_services(docs), *of_kind(docs, "Job")]:
        for container in pod_spec(doc)["containers"]:
            for name, entry in env_of(container).items():
                source = entry.get("valueFrom", {})
                if "configMapKeyRef" in source:
                    assert source["configMapKeyRef"] == {"name": render.CONFIG_MAP, "key": name}
                    assert name in config, f"{name} is not in {render.CONFIG_MAP}"
                elif "secretKeyRef" in source:
                    assert source["secretKeyRef"]["name"].startswith("taskforge-")
                else:
                    assert "value" in entry
                    assert not any(word in name for word in ("URL", "KEY", "SECRET", "PASSWORD", "TOKEN")), (
                        f"{doc['metadata']['name']}: {name} is a literal"
                    )


def test_the_migration_job_runs_the_migrations_with_the_same_image_and_guard_rails() -> None:
    docs = committed_base()
    job = named(docs, "Job", render.MIGRATION)
    (container,) = pod_spec(job)["containers"]
    service = knative_services(docs)[0]
    assert container["command"] == ["python", "-m", "functions.platform.migrate"]
    assert container["image"] == pod_spec(service)["containers"][0]["image"] == render.IMAGE
    assert container["securityContext"] == pod_spec(service)["containers"][0]["securityContext"]
    # As the schema's owner, with the functions' credentials to make their role from.
    assert _secret_names(container) == {"DATABASE_URL", "APP_DATABASE_USER", "APP_DATABASE_PASSWORD"}
    secrets = {
        item["name"]: item["valueFrom"]["secretKeyRef"]["name"]
        for item in container["env"]
        if "valueFrom" in item and "secretKeyRef" in item["valueFrom"]
    }
    assert secrets["DATABASE_URL"] == "taskforge-database-admin"
    assert secrets["APP_DATABASE_USER"] == secrets["APP_DATABASE_PASSWORD"] == "taskforge-database"
    spec = job["spec"]
    assert spec["backoffLimit"] >= 1
    assert spec["activeDeadlineSeconds"] > 0
    assert spec["ttlSecondsAfterFinished"] > 0
    assert pod_spec(job)["restartPolicy"] == "Never"
    assert job["spec"]["template"]["metadata"]["annotations"]["sidecar.istio.io/inject"] == "false"


def test_a_scheduled_function_gets_a_ping_source_aimed_at_its_service() -> None:
    docs = synthetic_base()
    scheduled = [function for function in synthetic_functions() if function.schedule]
    assert {ping["metadata"]["name"] for ping in of_kind(docs, "PingSource")} == {f.name for f in scheduled}
    for function in scheduled:
        ping = named(docs, "PingSource", function.name)
        assert ping["spec"]["schedule"] == function.schedule
        assert ping["spec"]["timezone"] == "UTC"
        assert ping["spec"]["sink"] == {
            "ref": {"apiVersion": "serving.knative.dev/v1", "kind": "Service", "name": function.name}
        }
        named(docs, "Service", function.name)


def test_event_functions_get_exact_type_triggers_with_retries_and_a_dead_letter_sink() -> None:
    docs = synthetic_base()
    triggers = [trigger for trigger in of_kind(docs, "Trigger") if trigger["spec"]["broker"] == render.BROKER]
    by_type = {trigger["spec"]["filter"]["attributes"]["type"]: trigger for trigger in triggers}
    assert set(by_type) == {event for function in synthetic_functions() for event in function.events}
    brokers = {broker["metadata"]["name"]: broker for broker in of_kind(docs, "Broker")}
    for event_type, trigger in by_type.items():
        function = next(f for f in synthetic_functions() if event_type in f.events)
        assert trigger["spec"]["filter"] == {"attributes": {"type": event_type}}  # nothing but an exact type
        assert trigger["spec"]["broker"] in brokers
        assert trigger["spec"]["subscriber"]["ref"]["name"] == function.name
        delivery = trigger["spec"]["delivery"]
        assert delivery["retry"] >= 1
        assert delivery["backoffPolicy"] == "exponential"
        assert delivery["backoffDelay"].startswith("PT")
        sink = delivery["deadLetterSink"]["ref"]
        assert sink["kind"] == "Broker"
        assert sink["name"] in brokers
        assert sink["name"] != trigger["spec"]["broker"]
        assert len(trigger["metadata"]["name"]) <= 63
    assert len({trigger["metadata"]["name"] for trigger in triggers}) == len(triggers)
    assert brokers[render.BROKER]["spec"]["delivery"]["backoffPolicy"] == "exponential"


def test_the_committed_base_has_the_catalogs_schedules_and_triggers() -> None:
    docs = committed_base()
    assert {ping["metadata"]["name"] for ping in of_kind(docs, "PingSource")} == {
        function.name for function in catalog.FUNCTIONS if function.schedule
    }
    assert {
        (trigger["spec"]["subscriber"]["ref"]["name"], trigger["spec"]["filter"]["attributes"]["type"])
        for trigger in of_kind(docs, "Trigger")
        if trigger["spec"]["broker"] == render.BROKER
    } == {(function.name, event) for function in catalog.FUNCTIONS for event in function.events}


def test_every_dead_letter_reaches_the_function_that_stores_it() -> None:
    docs = committed_base()
    on_dead_letters = [
        trigger for trigger in of_kind(docs, "Trigger") if trigger["spec"]["broker"] == render.DEAD_LETTER_BROKER
    ]
    (trigger,) = on_dead_letters
    assert "filter" not in trigger["spec"]  # every type: whatever failed
    assert trigger["spec"]["subscriber"] == {
        "ref": {"apiVersion": "serving.knative.dev/v1", "kind": "Service", "name": "record-dead-letter"}
    }
    assert "deadLetterSink" not in trigger["spec"]["delivery"]  # nowhere further: no loop
    assert trigger["spec"]["delivery"]["retry"] >= 1
    assert catalog.by_name("record-dead-letter").dead_letters
    named(docs, "Service", "record-dead-letter")
    assert {broker["metadata"]["name"] for broker in of_kind(docs, "Broker")} == {
        render.BROKER,
        render.DEAD_LETTER_BROKER,
    }


def test_a_catalog_entry_takes_dead_letters_or_its_own_trigger_not_both() -> None:
    both = replace(catalog.by_name("record-dead-letter"), events=("dev.taskforge.task.created",))
    with pytest.raises(catalog.CatalogError, match="exactly one of routes, schedule, events, dead_letters"):
        catalog.validate((both,))


def test_a_service_that_never_scales_to_zero_gets_a_budget_that_never_blocks_a_drain() -> None:
    docs = committed_base()
    budgets = {budget["metadata"]["name"]: budget for budget in of_kind(docs, "PodDisruptionBudget")}
    assert set(budgets) == {function.name for function in catalog.FUNCTIONS if function.scaling.min_scale >= 1}
    assert budgets  # the health functions
    for name, budget in budgets.items():
        named(docs, "Service", name)
        # At min-scale 1, minAvailable 1 would refuse every eviction: one pod may always go.
        assert budget["spec"] == {
            "maxUnavailable": 1,
            "selector": {"matchLabels": {"serving.knative.dev/service": name}},
        }


def test_publishers_get_the_brokers_address_and_aws_users_their_resources() -> None:
    docs = committed_base()
    config = named(docs, "ConfigMap", render.CONFIG_MAP)["data"]
    assert config["BROKER_URL"] == "http://broker-ingress.knative-eventing.svc.cluster.local/taskforge/taskforge"
    for service in knative_services(docs):
        function = catalog.by_name(service["metadata"]["name"])
        env = env_of(pod_spec(service)["containers"][0])
        assert ("BROKER_URL" in env) == ("broker" in function.uses)
        assert ("ACTIVITY_TABLE" in env) == ("dynamodb" in function.uses)
        assert ("MAIL_SENDER" in env) == ("ses" in function.uses)


def test_functions_without_routes_stay_out_of_the_virtual_service() -> None:
    (virtual_service,) = of_kind(synthetic_base(), "VirtualService")
    authorities = {entry["rewrite"]["authority"].split(".")[0] for entry in virtual_service["spec"]["http"]}
    assert authorities == {function.name for function in catalog.FUNCTIONS if function.routes}


def test_an_environment_in_another_namespace_gets_hostnames_in_that_namespace() -> None:
    settings = replace(
        render.ENVIRONMENTS[0].settings, name="preview", account="314159265358", domain="preview.acme.io"
    )
    preview = render.Environment(settings, namespace="taskforge-preview", image_tag="0.2.0")
    docs = render.render_environment(preview, catalog.FUNCTIONS)
    assert {doc["metadata"]["namespace"] for doc in docs} == {"taskforge-preview"}
    (virtual_service,) = of_kind(docs, "VirtualService")
    assert virtual_service["spec"]["hosts"] == ["api.preview.acme.io"]
    for entry in virtual_service["spec"]["http"]:
        assert entry["rewrite"]["authority"].endswith(".taskforge-preview.svc.cluster.local")
    config = named(docs, "ConfigMap", render.CONFIG_MAP)["data"]
    assert config["BROKER_URL"].endswith("/taskforge-preview/taskforge")


def test_memory_quantities_become_megabytes() -> None:
    assert render.memory_mb("384Mi") == 384
    assert render.memory_mb("1Gi") == 1024
    with pytest.raises(render.RenderError):
        render.memory_mb("lots")


def test_every_environment_is_rendered() -> None:
    assert {path.stem for path in (KNATIVE / "rendered").glob("*.yaml")} == set(ENVIRONMENTS)
    assert {path.name for path in (KNATIVE / "overlays").iterdir()} == set(ENVIRONMENTS)
