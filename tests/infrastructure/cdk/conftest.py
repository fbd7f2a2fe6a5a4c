"""One synthesis of the CDK app (both environments, cdk-nag included) per test module.

Synthesis takes seconds, so each module shares one through a module-scoped fixture and
reads the templates as written, instead of asking CDK to synthesize again per test.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

# jsii warns on every start that this machine's Node is past its support window.
os.environ.setdefault("JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION", "20")

from aws_cdk import App
from aws_cdk.assertions import Template

from cdk.app import build, cdk_json_context
from cdk.environments import example_context
from cdk.stack import TaskForgeStack

ENVIRONMENTS = ("staging", "production")
IMAGE_TAG = "0123456789abcdef0123456789abcdef01234567"  # what `cdk deploy -c imageTag=…` passes


@dataclass
class Synthesized:
    stacks: dict[str, TaskForgeStack]
    templates: dict[str, dict[str, Any]]
    registry_templates: dict[str, dict[str, Any]]  # each environment's registry stack
    report: dict[str, Any] | None  # cdk-nag's validation report, written only when it found something
    failure: str | None  # the error synthesis raised, if any
    acknowledgements: dict[str, dict[str, str]]  # construct path → {rule: reason}

    def template(self, environment: str) -> Template:
        return Template.from_json(self.templates[environment])

    def registry_template(self, environment: str) -> Template:
        return Template.from_json(self.registry_templates[environment])

    def resources(self, environment: str, kind: str) -> dict[str, dict[str, Any]]:
        return {key: value for key, value in self.templates[environment]["Resources"].items() if value["Type"] == kind}


def _acknowledgements(outdir: Path) -> dict[str, dict[str, str]]:
    found: dict[str, dict[str, str]] = {}
    for path in outdir.glob("*.metadata.json"):
        for construct, entries in json.loads(path.read_text()).items():
            for entry in entries:
                if entry["type"] == "aws:cdk:acknowledged-rules":
                    found.setdefault(construct, {}).update(entry["data"])
    return found


@pytest.fixture(scope="module")
def synthesized(tmp_path_factory: pytest.TempPathFactory) -> Synthesized:
    outdir = tmp_path_factory.mktemp("cdk.out")
    # The account and domain no deploy can have: the tests never reach AWS.
    context = cdk_json_context() | example_context() | {"aws:cdk:disable-stack-trace": True, "imageTag": IMAGE_TAG}
    app = App(context=context, outdir=str(outdir))
    stacks = build(app)
    failure = None
    try:
        app.synth()
    except RuntimeError as error:  # cdk-nag's findings fail synthesis; the templates are written first
        failure = str(error)
    report_path = outdir / "validation-report.json"
    return Synthesized(
        stacks=stacks,
        templates={
            name: json.loads((outdir / f"{stack.stack_name}.template.json").read_text())
            for name, stack in stacks.items()
        },
        registry_templates={
            name: json.loads((outdir / f"{stack.registry_stack.stack_name}.template.json").read_text())
            for name, stack in stacks.items()
        },
        report=json.loads(report_path.read_text()) if report_path.exists() else None,
        failure=failure,
        acknowledgements=_acknowledgements(outdir),
    )
