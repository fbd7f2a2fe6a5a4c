#!/usr/bin/env python3
"""Renders the Knative manifests from functions/catalog.py.

    python knative/render.py            # writes knative/base, knative/overlays and knative/rendered
    python knative/render.py --check    # exit 1 when the committed files differ from a fresh rendering
    python knative/render.py --print production --image REPO@sha256:DIGEST | kubectl apply -f -

Account, region, domain (so hosts, CORS origin, PUBLIC_URL, mail sender), VPC and role
names come from cdk/environments.py, resolved as the CDK app resolves them (context in
cdk.json, then TASKFORGE_<ENV>_<FIELD>). The committed files are rendered with values no
deploy can have: ACCOUNT_ID in role ARNs and the image, IMAGE_TAG as its tag, and domains
under `.example`. `--print` renders what a deploy applies and stops, with one line naming
it, when a value is missing, malformed or one of those placeholders.

The base is a kustomize base: per function a ServiceAccount and a cluster-local Knative
Service (plus a PingSource or Triggers, and a PodDisruptionBudget when it never scales to
zero), the shared ConfigMap, the Istio VirtualService that routes every catalog route, the
Brokers when events exist and the migration Job. Each overlay is a kustomization
(namespace, image, one file of strategic-merge patches, and the disruption budgets of the
functions only that environment keeps running)
and knative/rendered/<environment>.yaml is what `kubectl kustomize` makes of it, built
here by applying the same patches, so no kustomize binary is needed to read, test or
apply the result. Everything is plain data and sorted: the same catalog always gives
the same bytes.
"""

from __future__ import annotations

import argparse
import copy
import hashlib
import os
import re
import sys
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import yaml

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:  # `python knative/render.py` puts knative/, not the root, on the path
    sys.path.insert(0, str(ROOT))

from cdk import environments  # noqa: E402  (needs the path above)
from functions import catalog  # noqa: E402
from functions.catalog import Function  # noqa: E402
from functions.runtime.app import LIVENESS_PATH, READINESS_PATH  # noqa: E402
from functions.runtime.routes import Route, specificity  # noqa: E402

KNATIVE = ROOT / "knative"
# The folders this script owns: every file in them is rendered, stale ones are removed.
GENERATED = ("base", "overlays", "rendered")
HEADER = "# Rendered by knative/render.py from functions/catalog.py. Do not edit: run `python knative/render.py`.\n"
# The overlays and renderings hold placeholders, not an environment's real values.
PLACEHOLDER_NOTE = (
    "# Placeholders, never deployed as they are: ACCOUNT_ID, IMAGE_TAG and the .example domains.\n"
    "# A deploy renders its own: `python knative/render.py --print ENV --image REPOSITORY@DIGEST`.\n"
)

APP = environments.APP
IMAGE = "taskforge"  # the image name in the base; each overlay's `images:` replaces it
RUN_AS_USER = 10001  # the Dockerfile's USER
CONTAINER_PORT = 8080
BASE_NAMESPACE = environments.NAMESPACE  # the namespace the base's cluster-local hostnames assume
CONFIG_MAP = "taskforge-config"
TMP = "/tmp"  # noqa: S108  (an emptyDir of the pod's own, the one writable path)
TMP_SIZE_LIMIT = "64Mi"

# Routing in the cluster: the public Istio gateway Knative installs, and its cluster-local
# gateway, which routes by Host header to cluster-local Knative Services.
INGRESS_GATEWAY = "knative-serving/knative-ingress-gateway"
LOCAL_GATEWAY = "knative-local-gateway.istio-system.svc.cluster.local"
VIRTUAL_SERVICE = "taskforge-api"
# Above the function's own deadline, so the function answers first.
GATEWAY_TIMEOUT_MARGIN_SECONDS = 5

BROKER = "taskforge"
DEAD_LETTER_BROKER = "taskforge-dead-letters"
BROKER_CLASS = "MTChannelBasedBroker"
DELIVERY: dict[str, Any] = {
    "retry": 5,
    "backoffPolicy": "exponential",
    "backoffDelay": "PT0.5S",  # 0.5 s, 1 s, 2 s, 4 s, 8 s
    "deadLetterSink": {"ref": {"apiVersion": "eventing.knative.dev/v1", "kind": "Broker", "name": DEAD_LETTER_BROKER}},
}

MIGRATION = "taskforge-migrate"
MIGRATION_COMMAND = ("python", "-m", "functions.platform.migrate")

# What a catalog `uses` entry puts in the environment: (variable, Secret, key). The Secrets
# are provisioned outside these manifests (see knative/README.md); none is rendered here.
SECRET_ENV: dict[str, tuple[tuple[str, str, str], ...]] = {
    "database": (("DATABASE_URL", "taskforge-database", "url"),),
    "redis": (("REDIS_URL", "taskforge-redis", "url"),),
    "signing-key": (("JWT_PRIVATE_KEY", "taskforge-jwt-signing-key", "private-key"),),
    "verify-key": (("JWT_PUBLIC_KEY", "taskforge-jwt-verify-key", "public-key"),),
    "vapid-key": (("VAPID_PRIVATE_KEY", "taskforge-vapid-key", "private-key"),),
}
# The migration Job runs as the schema's owner and makes (or updates) the functions' own
# role with the password from the functions' secret (functions/platform/migrate.py).
MIGRATION_SECRET_ENV: tuple[tuple[str, str, str], ...] = (
    ("DATABASE_URL", "taskforge-database-admin", "url"),
    ("APP_DATABASE_USER", "taskforge-database", "username"),
    ("APP_DATABASE_PASSWORD", "taskforge-database", "password"),
)

# The ConfigMap every environment fills in; the base holds development defaults.
BASE_CONFIG: dict[str, str] = {
    "ENVIRONMENT": "development",
    "LOG_LEVEL": "INFO",
    "AWS_REGION": "us-east-1",
    "CORS_ALLOW_ORIGIN": "",
    # Where people open the app: links in e-mails, and the origin cookie endpoints accept.
    "PUBLIC_URL": "http://localhost:8000",
    # Per worker process, and a process serves one invocation at a time.
    "DATABASE_POOL_MAX": "1",  # one invocation at a time per worker process: one connection
    "REDIS_KEY_PREFIX": "tf:",
    "DELIVERY_LEDGER_TABLE": "taskforge-delivery-ledger",
    "ACTIVITY_TABLE": "taskforge-activity",
    "MAIL_SENDER": "reminders@localhost",
    # The contact push services see in our VAPID tokens (RFC 8292): mailto: or https:.
    "VAPID_SUBJECT": "mailto:reminders@localhost",
    # Whose X-Forwarded-For entries HTTP functions believe (functions/domain/auth/auth.py,
    # client_address): none in the base, each environment's proxies in its overlay.
    "TRUSTED_PROXY_NETWORKS": "",
    "TRUSTED_PROXY_HOPS": "0",
}
# The ConfigMap keys a catalog `uses` entry adds to a function's environment.
CONFIG_ENV: dict[str, tuple[str, ...]] = {
    "database": ("DATABASE_POOL_MAX",),
    "redis": ("REDIS_KEY_PREFIX",),
    "broker": ("BROKER_URL",),
    "dynamodb": ("DELIVERY_LEDGER_TABLE", "ACTIVITY_TABLE"),
    "ses": ("MAIL_SENDER", "PUBLIC_URL"),
    "vapid-key": ("VAPID_SUBJECT",),
}


# What the committed renderings put where a deploy puts its own values: markers no cluster
# could pull or assume, and no account id.
ACCOUNT_PLACEHOLDER = "ACCOUNT_ID"
IMAGE_TAG_PLACEHOLDER = "IMAGE_TAG"
# Networks every pod sees its own proxies at, besides the VPC: the loopback.
LOOPBACK_NETWORKS = ("127.0.0.0/8", "::1/128")


@dataclass(frozen=True)
class Environment:
    """One environment's settings (cdk/environments.py) and what only the manifests need."""

    settings: environments.Environment
    namespace: str = BASE_NAMESPACE
    image_tag: str = IMAGE_TAG_PLACEHOLDER
    log_level: str = "INFO"
    # The lowest min-scale any HTTP function gets here, whatever the catalog says.
    http_min_scale: int = 0
    # The proxies in front of the VPC that append an address (CloudFront, before the ALB).
    trusted_proxy_hops: int = 1

    @property
    def name(self) -> str:
        return self.settings.name

    @property
    def account_id(self) -> str:
        return self.settings.account

    @property
    def region(self) -> str:
        return self.settings.region

    @property
    def hosts(self) -> tuple[str, ...]:
        return (self.settings.api_domain,)

    @property
    def cors_allow_origin(self) -> str:
        return self.settings.public_url

    @property
    def mail_sender(self) -> str:
        return self.settings.mail_sender

    @property
    def trusted_proxy_networks(self) -> str:
        """Our own proxies: the VPC (the ALB, the Istio gateways, the activator and every pod) and the loopback."""
        return ",".join((self.settings.vpc_cidr, *LOOPBACK_NETWORKS))

    @property
    def image_repository(self) -> str:
        return f"{self.account_id}.dkr.ecr.{self.region}.amazonaws.com/{APP}"

    def role_arn(self, service_account: str) -> str:
        return f"arn:aws:iam::{self.account_id}:role/{self.settings.role_name(service_account)}"


# What differs per environment in the manifests only.
MANIFEST_SETTINGS: dict[str, dict[str, Any]] = {
    "staging": {"log_level": "DEBUG"},
    "production": {"http_min_scale": 1},
}


def for_settings(environment: environments.Environment) -> Environment:
    return Environment(environment, **MANIFEST_SETTINGS.get(environment.name, {}))


def committed(name: str) -> Environment:
    """The environment the committed files are rendered for: placeholders where a deploy's values go."""
    example = environments.resolve(name, environments.example_context().get, env={})
    return for_settings(replace(example, account=ACCOUNT_PLACEHOLDER))


def deployed(
    name: str, environ: Mapping[str, str] | None = None, context: Mapping[str, Any] | None = None
) -> Environment:
    """The environment a deploy renders: its real values, resolved as the CDK app resolves them."""
    found = environments.resolve(
        name,
        (environments.file_context() if context is None else context).get,
        os.environ if environ is None else environ,
    )
    for item in environments.example_values(found):
        raise RenderError(
            f"{name}.{item}: {getattr(found, item)!r} is an example value; {environments.where(name, item)}"
        )
    return for_settings(found)


ENVIRONMENTS: tuple[Environment, ...] = tuple(committed(name) for name in environments.DEFAULTS)

Doc = dict[str, Any]


class RenderError(ValueError):
    pass


# --- the base -------------------------------------------------------------------------------


def labels(name: str, component: str) -> dict[str, str]:
    return {"app.kubernetes.io/name": name, "app.kubernetes.io/part-of": APP, "app.kubernetes.io/component": component}


def cluster_local_host(name: str, namespace: str) -> str:
    return f"{name}.{namespace}.svc.cluster.local"


def memory_mb(quantity: str) -> int:
    """`384Mi` → 384: the memory limit as Lambda reports its configured memory."""
    units = {"Ki": 1024, "Mi": 1024**2, "Gi": 1024**3, "K": 1000, "M": 1000**2, "G": 1000**3}
    found = re.fullmatch(r"(\d+)(Ki|Mi|Gi|K|M|G)?", quantity)
    if not found:
        raise RenderError(f"memory quantity {quantity!r} is not understood (use Mi or Gi)")
    return max(1, int(found.group(1)) * units.get(found.group(2) or "", 1) // 1024**2)


def security_context() -> dict[str, Any]:
    return {
        "allowPrivilegeEscalation": False,
        "capabilities": {"drop": ["ALL"]},
        "readOnlyRootFilesystem": True,
        "runAsGroup": RUN_AS_USER,
        "runAsNonRoot": True,
        "runAsUser": RUN_AS_USER,
        "seccompProfile": {"type": "RuntimeDefault"},
    }


def tmp_volume() -> tuple[dict[str, Any], dict[str, Any]]:
    """The only writable path: the root filesystem is read-only."""
    return {"name": "tmp", "emptyDir": {"sizeLimit": TMP_SIZE_LIMIT}}, {"name": "tmp", "mountPath": TMP}


def config_env(name: str) -> dict[str, Any]:
    return {"name": name, "valueFrom": {"configMapKeyRef": {"name": CONFIG_MAP, "key": name}}}


def secret_env(name: str, secret: str, key: str) -> dict[str, Any]:
    return {"name": name, "valueFrom": {"secretKeyRef": {"name": secret, "key": key}}}


def function_env(function: Function) -> list[dict[str, Any]]:
    env: list[dict[str, Any]] = [
        {"name": "HANDLER", "value": function.handler},
        {"name": "FUNCTION_NAME", "value": function.name},
        {"name": "ROUTES", "value": ", ".join(function.routes)},
        {"name": "EVENT_FORMAT", "value": function.event_format},
        {"name": "FUNCTION_TIMEOUT", "value": str(function.timeout_seconds)},
        {"name": "FUNCTION_MEMORY_MB", "value": str(memory_mb(function.resources.memory_limit))},
        # One invocation at a time per process, as on Lambda; `workers` processes per container.
        {"name": "CONCURRENCY", "value": "1"},
        {"name": "WORKERS", "value": str(function.scaling.workers)},
    ]
    keys = ["ENVIRONMENT", "LOG_LEVEL", "AWS_REGION"]
    if function.trigger == "http":
        keys += ["CORS_ALLOW_ORIGIN", "PUBLIC_URL", "TRUSTED_PROXY_NETWORKS", "TRUSTED_PROXY_HOPS"]
    for use in sorted(function.uses):
        keys += [key for key in CONFIG_ENV.get(use, ()) if key not in keys]
    env += [config_env(key) for key in keys]
    for use in sorted(function.uses):
        env += [secret_env(*entry) for entry in SECRET_ENV.get(use, ())]
    return env


def probe(path: str, **timing: int) -> dict[str, Any]:
    return {"httpGet": {"path": path, "port": CONTAINER_PORT}, **timing}


def service_account(name: str, component: str) -> Doc:
    # The IAM role annotation (eks.amazonaws.com/role-arn) comes from each overlay.
    return {"apiVersion": "v1", "kind": "ServiceAccount", "metadata": {"name": name, "labels": labels(name, component)}}


def knative_service(function: Function) -> Doc:
    scaling, resources = function.scaling, function.resources
    volume, mount = tmp_volume()
    container = {
        "name": "function",
        "image": IMAGE,
        "ports": [{"name": "http1", "containerPort": CONTAINER_PORT}],
        "env": function_env(function),
        "resources": {
            "requests": {"cpu": resources.cpu_request, "memory": resources.memory_request},
            "limits": {"cpu": resources.cpu_limit, "memory": resources.memory_limit},
        },
        # Up to a minute to import the handler; then the kubelet restarts a wedged process.
        "startupProbe": probe(LIVENESS_PATH, periodSeconds=1, timeoutSeconds=1, failureThreshold=60),
        "livenessProbe": probe(LIVENESS_PATH, periodSeconds=10, timeoutSeconds=2, failureThreshold=3),
        # No periodSeconds: Knative's queue-proxy then probes aggressively until ready (fast cold
        # starts) and the runtime's readiness turns false as soon as SIGTERM starts the drain.
        "readinessProbe": probe(READINESS_PATH, successThreshold=1),
        "securityContext": security_context(),
        "volumeMounts": [mount],
    }
    return {
        "apiVersion": "serving.knative.dev/v1",
        "kind": "Service",
        "metadata": {
            "name": function.name,
            "labels": labels(function.name, "function") | {"networking.knative.dev/visibility": "cluster-local"},
        },
        "spec": {
            "template": {
                "metadata": {
                    "labels": labels(function.name, "function"),
                    "annotations": {
                        "autoscaling.knative.dev/min-scale": str(scaling.min_scale),
                        "autoscaling.knative.dev/max-scale": str(scaling.max_scale),
                        "autoscaling.knative.dev/target-utilization-percentage": str(
                            scaling.target_utilization_percent
                        ),
                    },
                },
                "spec": {
                    "serviceAccountName": function.name,
                    "containerConcurrency": scaling.workers,
                    "timeoutSeconds": function.timeout_seconds,
                    "enableServiceLinks": False,
                    "containers": [container],
                    "volumes": [volume],
                },
            }
        },
    }


def disruption_budget(function: Function) -> Doc:
    """At most one of the Service's pods evicted at a time (a node drain, an upgrade).

    maxUnavailable, not minAvailable: at min-scale 1, `minAvailable: 1` would allow no
    eviction at all and block every node drain for good, while `maxUnavailable: 1` lets the
    one pod go (the activator holds requests while its replacement starts) and, once the
    autoscaler has added pods, keeps all but one of them serving. The selector takes every
    revision's pods, so a rollout in progress is covered too.
    """
    return {
        "apiVersion": "policy/v1",
        "kind": "PodDisruptionBudget",
        "metadata": {"name": function.name, "labels": labels(function.name, "function")},
        "spec": {"maxUnavailable": 1, "selector": {"matchLabels": {"serving.knative.dev/service": function.name}}},
    }


def service_ref(name: str) -> dict[str, str]:
    return {"apiVersion": "serving.knative.dev/v1", "kind": "Service", "name": name}


def ping_source(function: Function) -> Doc:
    return {
        "apiVersion": "sources.knative.dev/v1",
        "kind": "PingSource",
        "metadata": {"name": function.name, "labels": labels(function.name, "schedule")},
        "spec": {
            "schedule": function.schedule,
            "timezone": "UTC",
            "contentType": "application/json",
            "data": "{}",
            "sink": {"ref": service_ref(function.name)},
        },
    }


def trigger_name(function: str, event_type: str) -> str:
    slug = re.sub(r"[^a-z0-9]+", "-", event_type.lower()).strip("-")
    name = f"{function}-{slug}"
    if len(name) > 63:
        digest = hashlib.sha256(event_type.encode()).hexdigest()[:8]
        name = f"{name[:54].rstrip('-')}-{digest}"
    return name


def triggers(function: Function) -> list[Doc]:
    if function.dead_letters:
        return [dead_letter_trigger(function)]
    return [
        {
            "apiVersion": "eventing.knative.dev/v1",
            "kind": "Trigger",
            "metadata": {"name": trigger_name(function.name, event_type), "labels": labels(function.name, "events")},
            "spec": {
                "broker": BROKER,
                "filter": {"attributes": {"type": event_type}},  # attribute filters match exactly
                "subscriber": {"ref": service_ref(function.name)},
                "delivery": copy.deepcopy(DELIVERY),
            },
        }
        for event_type in sorted(function.events)
    ]


def dead_letter_trigger(function: Function) -> Doc:
    """Every event on the dead-letter broker, whatever its type: no filter. Retried as the
    others are, with no sink after it: there is nowhere further to send a dead letter."""
    delivery = {key: value for key, value in DELIVERY.items() if key != "deadLetterSink"}
    return {
        "apiVersion": "eventing.knative.dev/v1",
        "kind": "Trigger",
        "metadata": {"name": function.name, "labels": labels(function.name, "events")},
        "spec": {"broker": DEAD_LETTER_BROKER, "subscriber": {"ref": service_ref(function.name)}, "delivery": delivery},
    }


def brokers() -> list[Doc]:
    def broker(name: str, delivery: dict[str, Any] | None) -> Doc:
        doc: Doc = {
            "apiVersion": "eventing.knative.dev/v1",
            "kind": "Broker",
            "metadata": {
                "name": name,
                "labels": labels(name, "events"),
                "annotations": {"eventing.knative.dev/broker.class": BROKER_CLASS},
            },
            "spec": {},
        }
        if delivery:
            doc["spec"]["delivery"] = delivery
        return doc

    # Events that exhaust their retries land on a broker of their own, whose Trigger hands
    # them to the function that stores them (catalog `dead_letters`).
    return [broker(BROKER, copy.deepcopy(DELIVERY)), broker(DEAD_LETTER_BROKER, None)]


def broker_url(namespace: str) -> str:
    """Where a function publishes events: the (multi-tenant) Broker's ingress."""
    return f"http://broker-ingress.knative-eventing.svc.cluster.local/{namespace}/{BROKER}"


def config_map() -> Doc:
    return {
        "apiVersion": "v1",
        "kind": "ConfigMap",
        "metadata": {"name": CONFIG_MAP, "labels": labels(CONFIG_MAP, "config")},
        "data": BASE_CONFIG | {"BROKER_URL": broker_url(BASE_NAMESPACE)},
    }  # each overlay: its namespace


def route_sort_key(route: Route) -> tuple[Any, ...]:
    # As the runtime and API Gateway choose: literal segments beat parameters, parameters
    # beat greedy ones, an explicit method beats ANY; then a literal earlier in the path
    # wins, and a longer path comes before its prefixes.
    kinds = tuple(2 if segment.endswith("+}") else 1 if segment.startswith("{") else 0 for segment in route.segments)
    return (*specificity(route), kinds, -len(route.segments), route.template, route.method)


def regex_for(route: Route) -> str:
    parts = []
    for segment in route.segments:
        if segment.startswith("{") and segment.endswith("+}"):
            parts.append(".+")
        elif segment.startswith("{"):
            parts.append("[^/]+")
        else:
            parts.append(re.sub(r"([.^$*+?()\[\]{}|\\])", r"\\\1", segment))
    return "^/" + "/".join(parts) + "$"


def http_match(route: Route) -> dict[str, Any]:
    has_parameters = any(segment.startswith("{") for segment in route.segments)
    match: dict[str, Any] = {"uri": {"regex": regex_for(route)} if has_parameters else {"exact": route.template}}
    if route.method != "ANY":
        match["method"] = {"exact": route.method}
    return match


def http_routes(functions: Sequence[Function], namespace: str) -> list[dict[str, Any]]:
    routed = sorted(
        ((route, function) for function in functions for route in function.parsed_routes()),
        key=lambda pair: route_sort_key(pair[0]),
    )
    names: dict[str, int] = {}
    result = []
    for route, function in routed:
        names[function.name] = names.get(function.name, 0) + 1
        suffix = "" if names[function.name] == 1 else f"-{names[function.name]}"
        result.append(
            {
                "name": f"{function.name}{suffix}",
                "match": [http_match(route)],
                "rewrite": {"authority": cluster_local_host(function.name, namespace)},
                "route": [{"destination": {"host": LOCAL_GATEWAY, "port": {"number": 80}}}],
                "timeout": f"{function.timeout_seconds + GATEWAY_TIMEOUT_MARGIN_SECONDS}s",
                # Only failures where the function never saw the request: safe for a POST too.
                "retries": {"attempts": 2, "retryOn": "connect-failure,refused-stream"},
            }
        )
    return result


def virtual_service(functions: Sequence[Function]) -> Doc:
    return {
        "apiVersion": "networking.istio.io/v1",
        "kind": "VirtualService",
        "metadata": {"name": VIRTUAL_SERVICE, "labels": labels(VIRTUAL_SERVICE, "routing")},
        "spec": {
            "gateways": [INGRESS_GATEWAY],
            "hosts": ["*"],  # each overlay names its domain
            "http": http_routes(functions, BASE_NAMESPACE),
        },
    }


def migration_job() -> Doc:
    volume, mount = tmp_volume()
    resources = catalog.Resources()
    pod_security = {
        key: value
        for key, value in security_context().items()
        if key in ("runAsGroup", "runAsNonRoot", "runAsUser", "seccompProfile")
    }
    return {
        "apiVersion": "batch/v1",
        "kind": "Job",
        "metadata": {"name": MIGRATION, "labels": labels(MIGRATION, "migration")},
        "spec": {
            "backoffLimit": 2,
            "activeDeadlineSeconds": 600,
            "ttlSecondsAfterFinished": 86400,
            "template": {
                "metadata": {
                    "labels": labels(MIGRATION, "migration"),
                    # A mesh sidecar would keep the pod running after the migration exits.
                    "annotations": {"sidecar.istio.io/inject": "false"},
                },
                "spec": {
                    "restartPolicy": "Never",
                    "serviceAccountName": MIGRATION,
                    "automountServiceAccountToken": False,
                    "enableServiceLinks": False,
                    "securityContext": pod_security,
                    "containers": [
                        {
                            "name": "migrate",
                            "image": IMAGE,
                            "command": list(MIGRATION_COMMAND),
                            "env": [
                                config_env("ENVIRONMENT"),
                                config_env("LOG_LEVEL"),
                                *(secret_env(*entry) for entry in MIGRATION_SECRET_ENV),
                            ],
                            "resources": {
                                "requests": {"cpu": resources.cpu_request, "memory": resources.memory_request},
                                "limits": {"cpu": resources.cpu_limit, "memory": resources.memory_limit},
                            },
                            "securityContext": security_context(),
                            "volumeMounts": [mount],
                        }
                    ],
                    "volumes": [volume],
                },
            },
        },
    }


def render_base(functions: Sequence[Function]) -> dict[str, list[Doc]]:
    """Relative path under knative/base → the documents of that file."""
    catalog.validate(tuple(functions))
    files: dict[str, list[Doc]] = {"config.yaml": [config_map()]}
    for function in sorted(functions, key=lambda f: f.name):
        docs = [service_account(function.name, "function"), knative_service(function)]
        if function.scaling.min_scale >= 1:  # always running: evictions must not take it all down
            docs.append(disruption_budget(function))
        if function.trigger == "schedule":
            docs.append(ping_source(function))
        elif function.trigger == "event":
            docs += triggers(function)
        files[f"functions/{function.name}.yaml"] = docs
    if any(function.trigger == "event" or "broker" in function.uses for function in functions):
        files["events.yaml"] = brokers()
    if any(function.routes for function in functions):
        files["routing.yaml"] = [virtual_service(functions)]
    files["migrate.yaml"] = [service_account(MIGRATION, "migration"), migration_job()]
    _check_unique(doc for docs in files.values() for doc in docs)
    return files


def _check_unique(docs: Iterable[Doc]) -> None:
    seen: set[tuple[str, str]] = set()
    for doc in docs:
        key = (doc["kind"], doc["metadata"]["name"])
        if key in seen:
            raise RenderError(f"two {key[0]} resources are named {key[1]!r}")
        seen.add(key)


def base_kustomization(files: Mapping[str, list[Doc]]) -> Doc:
    return {
        "apiVersion": "kustomize.config.k8s.io/v1beta1",
        "kind": "Kustomization",
        "resources": sorted(files, key=_resource_order),
    }


def _resource_order(path: str) -> tuple[int, str]:
    order = ["config.yaml", "functions/", "events.yaml", "routing.yaml", "migrate.yaml"]
    return next(i for i, prefix in enumerate(order) if path.startswith(prefix)), path


# --- the overlays ---------------------------------------------------------------------------


def min_scale(environment: Environment, function: Function) -> int:
    """The function's min-scale in the environment: the catalog's, raised for HTTP functions."""
    if function.trigger == "http":
        return max(function.scaling.min_scale, environment.http_min_scale)
    return function.scaling.min_scale


def overlay_resources(environment: Environment, functions: Sequence[Function]) -> list[Doc]:
    """What an overlay adds to the base: the disruption budgets of the functions that only
    this environment keeps running (the base has those of the catalog's)."""
    return [
        disruption_budget(function)
        for function in sorted(functions, key=lambda f: f.name)
        if function.scaling.min_scale < 1 <= min_scale(environment, function)
    ]


def overlay_patches(environment: Environment, functions: Sequence[Function]) -> list[Doc]:
    """Strategic-merge patches, one document per resource they change."""
    patches: list[Doc] = [
        {
            "apiVersion": "v1",
            "kind": "ConfigMap",
            "metadata": {"name": CONFIG_MAP},
            "data": {
                "ENVIRONMENT": environment.name,
                "LOG_LEVEL": environment.log_level,
                "AWS_REGION": environment.region,
                "CORS_ALLOW_ORIGIN": environment.cors_allow_origin,
                "PUBLIC_URL": environment.settings.public_url,
                "MAIL_SENDER": environment.mail_sender,
                # Push services may write to this address about our traffic (RFC 8292).
                "VAPID_SUBJECT": f"mailto:{environment.mail_sender}",
                "BROKER_URL": broker_url(environment.namespace),
                "TRUSTED_PROXY_NETWORKS": environment.trusted_proxy_networks,
                "TRUSTED_PROXY_HOPS": str(environment.trusted_proxy_hops),
            },
        }
    ]
    for name in sorted([function.name for function in functions]):
        role = environment.role_arn(name)
        if len(role.rpartition("/")[2]) > 64:
            raise RenderError(f"IAM role name for {name!r} in {environment.name} is longer than 64 characters")
        patches.append(
            {
                "apiVersion": "v1",
                "kind": "ServiceAccount",
                "metadata": {"name": name, "annotations": {"eks.amazonaws.com/role-arn": role}},
            }
        )
    for function in sorted(functions, key=lambda f: f.name):
        if min_scale(environment, function) != function.scaling.min_scale:
            patches.append(
                {
                    "apiVersion": "serving.knative.dev/v1",
                    "kind": "Service",
                    "metadata": {"name": function.name},
                    "spec": {
                        "template": {
                            "metadata": {
                                "annotations": {
                                    "autoscaling.knative.dev/min-scale": str(min_scale(environment, function))
                                }
                            }
                        }
                    },
                }
            )
    if any(function.routes for function in functions):
        spec: dict[str, Any] = {"hosts": list(environment.hosts)}
        if environment.namespace != BASE_NAMESPACE:  # the cluster-local hostnames name the namespace
            spec["http"] = http_routes(functions, environment.namespace)
        patches.append(
            {
                "apiVersion": "networking.istio.io/v1",
                "kind": "VirtualService",
                "metadata": {"name": VIRTUAL_SERVICE},
                "spec": spec,
            }
        )
    return patches


OVERLAY_RESOURCES = "disruption-budgets.yaml"


def overlay_kustomization(environment: Environment, functions: Sequence[Function]) -> Doc:
    return {
        "apiVersion": "kustomize.config.k8s.io/v1beta1",
        "kind": "Kustomization",
        "namespace": environment.namespace,
        "resources": ["../../base", *([OVERLAY_RESOURCES] if overlay_resources(environment, functions) else [])],
        "images": [image_entry(f"{environment.image_repository}:{environment.image_tag}")],
        "patches": [{"path": "patches.yaml"}],
    }


def image_entry(reference: str) -> dict[str, str]:
    """`repo:tag` or `repo@sha256:…` → a kustomize `images:` entry for the base's image."""
    name, suffix = split_image(reference)
    entry = {"name": IMAGE, "newName": name}
    if suffix.startswith("@"):
        entry["digest"] = suffix[1:]
    elif suffix:
        entry["newTag"] = suffix[1:]
    return entry


# --- what kustomize makes of an overlay (the subset the overlays use) -----------------------


def strategic_merge(target: Any, patch: Any) -> Any:
    """Maps merge key by key (null deletes); anything else, lists included, is replaced.

    For the maps these patches touch, and for custom resources, whose lists kustomize
    replaces whole, this is what kustomize's strategic merge does.
    """
    if not isinstance(target, dict) or not isinstance(patch, dict):
        return copy.deepcopy(patch)
    merged = dict(target)
    for key, value in patch.items():
        if value is None:
            merged.pop(key, None)
        elif key in merged:
            merged[key] = strategic_merge(merged[key], value)
        else:
            merged[key] = copy.deepcopy(value)
    return merged


def _group(api_version: str) -> str:
    return api_version.rpartition("/")[0]


def split_image(reference: str) -> tuple[str, str]:
    """`repo:tag` → (`repo`, `:tag`); `repo@sha256:…` → (`repo`, `@sha256:…`); `repo` → (`repo`, ``)."""
    name, at, digest = reference.partition("@")
    if ":" in name.rsplit("/", 1)[-1]:
        name, _, tag = name.rpartition(":")
        return name, f"@{digest}" if at else f":{tag}"
    return name, f"@{digest}" if at else ""


def _set_image(container: dict[str, Any], image: Mapping[str, str]) -> None:
    name, suffix = split_image(container.get("image", ""))
    if name != image["name"]:
        return
    if "digest" in image:
        suffix = f"@{image['digest']}"
    elif "newTag" in image:
        suffix = f":{image['newTag']}"
    container["image"] = image.get("newName", name) + suffix


def kustomize_build(
    base: Sequence[Doc], kustomization: Mapping[str, Any], patches: Sequence[Doc], resources: Sequence[Doc] = ()
) -> list[Doc]:
    docs = [copy.deepcopy(doc) for doc in [*base, *resources]]
    for patch in patches:
        matches = [
            i
            for i, doc in enumerate(docs)
            if (_group(doc["apiVersion"]), doc["kind"], doc["metadata"]["name"])
            == (_group(patch["apiVersion"]), patch["kind"], patch["metadata"]["name"])
        ]
        if len(matches) != 1:
            name = patch["metadata"]["name"]
            raise RenderError(f"the patch for {patch['kind']} {name!r} matches {len(matches)} resources")
        docs[matches[0]] = strategic_merge(docs[matches[0]], patch)
    for doc in docs:
        if "namespace" in kustomization:
            doc["metadata"]["namespace"] = kustomization["namespace"]
        pod = doc.get("spec", {}).get("template", {}).get("spec", {})
        for container in pod.get("containers", []) + pod.get("initContainers", []):
            for image in kustomization.get("images", []):
                _set_image(container, image)
    return docs


# --- files ----------------------------------------------------------------------------------


def dump(docs: Sequence[Doc], header: str = HEADER) -> str:
    return header + "---\n".join(
        yaml.safe_dump(doc, sort_keys=True, default_flow_style=False, allow_unicode=True, width=1000) for doc in docs
    )


def render_environment(environment: Environment, functions: Sequence[Function], image: str | None = None) -> list[Doc]:
    base = [doc for docs in render_base(functions).values() for doc in docs]
    kustomization = overlay_kustomization(environment, functions)
    if image:
        kustomization["images"] = [image_entry(image)]
    return kustomize_build(
        base, kustomization, overlay_patches(environment, functions), overlay_resources(environment, functions)
    )


def render_files(
    functions: Sequence[Function] = catalog.FUNCTIONS, environments: Sequence[Environment] = ENVIRONMENTS
) -> dict[str, str]:
    """Path relative to knative/ → file content, for everything this script owns."""
    base = render_base(functions)
    files = {f"base/{path}": dump(docs) for path, docs in base.items()}
    files["base/kustomization.yaml"] = dump([base_kustomization(base)])
    base_docs = [doc for docs in base.values() for doc in docs]
    for environment in environments:
        kustomization = overlay_kustomization(environment, functions)
        patches, resources = overlay_patches(environment, functions), overlay_resources(environment, functions)
        header = HEADER + PLACEHOLDER_NOTE
        files[f"overlays/{environment.name}/kustomization.yaml"] = dump([kustomization], header)
        files[f"overlays/{environment.name}/patches.yaml"] = dump(patches, header)
        if resources:
            files[f"overlays/{environment.name}/{OVERLAY_RESOURCES}"] = dump(resources, header)
        files[f"rendered/{environment.name}.yaml"] = dump(
            kustomize_build(base_docs, kustomization, patches, resources), header
        )
    return dict(sorted(files.items()))


def existing_files(root: Path) -> dict[str, str]:
    return {
        path.relative_to(root).as_posix(): path.read_text()
        for folder in GENERATED
        if (root / folder).is_dir()
        for path in sorted((root / folder).rglob("*"))
        if path.is_file()
    }


def differences(root: Path, files: Mapping[str, str]) -> list[str]:
    current = existing_files(root)
    return sorted(path for path in set(current) | set(files) if current.get(path) != files.get(path))


def write(root: Path, files: Mapping[str, str]) -> list[str]:
    changed = differences(root, files)
    for path in changed:
        target = root / path
        if path in files:
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(files[path])
        else:
            target.unlink()
    for folder in GENERATED:  # drop folders emptied by a removed function or environment
        for directory in sorted((root / folder).rglob("*"), reverse=True):
            if directory.is_dir() and not any(directory.iterdir()):
                directory.rmdir()
    return changed


def deploy_image(reference: str | None) -> str:
    """The image a deploy names: a repository with a digest or a tag, and no placeholder."""
    if not reference:
        raise RenderError("--image: missing; pass the image to deploy, REPOSITORY@sha256:DIGEST")
    name, suffix = split_image(reference)
    if not name or not suffix:
        raise RenderError(f"--image: {reference!r} names no digest or tag; pass REPOSITORY@sha256:DIGEST")
    if (
        ACCOUNT_PLACEHOLDER in reference
        or IMAGE_TAG_PLACEHOLDER in reference
        or name.split(".", 1)[0] == environments.EXAMPLE_ACCOUNT
    ):
        raise RenderError(f"--image: {reference!r} is a placeholder; pass the image CI pushed")
    return reference


def main(argv: Sequence[str] | None = None, root: Path = KNATIVE, environ: Mapping[str, str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python knative/render.py", description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--check",
        action="store_true",
        help="change nothing; exit 1 when the committed files differ from a fresh rendering",
    )
    parser.add_argument(
        "--print",
        dest="environment",
        choices=list(environments.DEFAULTS),
        help="print one environment's manifests, as deployed, to standard output instead "
        "(account and domain from cdk.json context or TASKFORGE_<ENV>_<FIELD>)",
    )
    parser.add_argument("--image", help="with --print: the image to deploy (repository@sha256:… or repository:tag)")
    args = parser.parse_args(argv)
    if args.image and not args.environment:
        parser.error("--image goes with --print")
    try:
        if args.environment:
            environment = deployed(args.environment, environ)
            image = deploy_image(args.image)
            sys.stdout.write(dump(render_environment(environment, catalog.FUNCTIONS, image)))
            return 0
        files = render_files()
    except (RenderError, environments.ConfigurationError, catalog.CatalogError) as exc:
        print(f"render: {exc}", file=sys.stderr)
        return 2
    if args.check:
        stale = differences(root, files)
        for path in stale:
            print(f"render: knative/{path} differs from a fresh rendering", file=sys.stderr)
        if stale:
            print("render: run `python knative/render.py` and commit the result", file=sys.stderr)
        return 1 if stale else 0
    changed = write(root, files)
    print(f"render: {len(files)} files, {len(changed)} changed" + "".join(f"\n  knative/{p}" for p in changed))
    return 0


if __name__ == "__main__":
    sys.exit(main())
