"""What the infrastructure tests share: the renderer, the committed manifests, a synthetic catalog."""

from __future__ import annotations

import functools
import importlib.util
import sys
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType
from typing import Any

import yaml

from functions import catalog
from functions.catalog import Function

ROOT = Path(__file__).resolve().parents[2]
KNATIVE = ROOT / "knative"
# The Knative CRDs the manifests are validated against, vendored (schemas/knative/README.md).
SCHEMAS = Path(__file__).resolve().parent / "schemas" / "knative"

Doc = dict[str, Any]
Loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # libyaml when there: the renderings are large


def load_module(path: Path, module_name: str) -> ModuleType:
    """A script as a module: the scripts live outside any package, on purpose."""
    spec = importlib.util.spec_from_file_location(module_name, path)
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up while being defined
    spec.loader.exec_module(module)
    return module


@functools.cache
def script(name: str) -> ModuleType:
    """knative/<name>.py as a module."""
    return load_module(KNATIVE / f"{name}.py", f"knative_{name}")


render = script("render")
ENVIRONMENTS = {environment.name: environment for environment in render.ENVIRONMENTS}


def load_text(text: str) -> list[Doc]:
    return [doc for doc in yaml.load_all(text, Loader=Loader) if doc is not None]  # a safe loader


def load(path: Path) -> list[Doc]:
    return load_text(path.read_text())


@functools.cache
def committed_base() -> list[Doc]:
    """Shared between tests: do not modify."""
    kustomization = load(KNATIVE / "base" / "kustomization.yaml")[0]
    return [doc for path in kustomization["resources"] for doc in load(KNATIVE / "base" / path)]


def committed_environment(name: str) -> list[Doc]:
    return load(KNATIVE / "rendered" / f"{name}.yaml")


@functools.cache
def all_committed() -> dict[str, list[Doc]]:
    """Every committed set of manifests, by name: the base and each environment. Shared: do not modify."""
    return {"base": committed_base()} | {name: committed_environment(name) for name in ENVIRONMENTS}


def of_kind(docs: list[Doc], kind: str, api_group: str | None = None) -> list[Doc]:
    return [
        doc
        for doc in docs
        if doc["kind"] == kind and (api_group is None or doc["apiVersion"].rpartition("/")[0] == api_group)
    ]


def knative_services(docs: list[Doc]) -> list[Doc]:
    return of_kind(docs, "Service", "serving.knative.dev")


def named(docs: list[Doc], kind: str, name: str) -> Doc:
    found = [doc for doc in docs if doc["kind"] == kind and doc["metadata"]["name"] == name]
    assert len(found) == 1, f"{len(found)} {kind} named {name!r}"
    return found[0]


def pod_spec(doc: Doc) -> Doc:
    return doc["spec"]["template"]["spec"]


def containers(docs: list[Doc]) -> Iterator[tuple[Doc, Doc]]:
    """(resource, container) for every container of every workload."""
    for doc in docs:
        if doc["kind"] in ("Service", "Job") and "template" in doc.get("spec", {}):
            for container in pod_spec(doc)["containers"]:
                yield doc, container


def env_of(container: Doc) -> dict[str, Doc]:
    return {entry["name"]: entry for entry in container.get("env", [])}


def synthetic_functions() -> tuple[Function, ...]:
    """The real catalog plus one function of each trigger, one with a name long enough to
    shorten its Trigger's: the code paths whatever the catalog holds today."""
    return (
        *catalog.FUNCTIONS,
        Function(
            name="synthetic-tick",
            handler="functions.synthetic.handle_tick.handler",
            schedule="*/5 * * * *",
            timeout_seconds=120,
            uses=frozenset({"database", "ses"}),
        ),
        Function(
            name="synthetic-events",
            handler="functions.synthetic.handle_event.handler",
            events=("dev.taskforge.synthetic.created", "dev.taskforge.synthetic.completed"),
            uses=frozenset({"dynamodb"}),
        ),
        Function(
            name="synthetic-with-a-rather-long-name-for-it",
            handler="functions.synthetic.handle.handler",
            events=("dev.taskforge.synthetic.membership.invitation.accepted.by.member",),
            uses=frozenset({"ses", "broker"}),
        ),
    )


def synthetic_base() -> list[Doc]:
    return [doc for docs in render.render_base(synthetic_functions()).values() for doc in docs]
