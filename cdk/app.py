#!/usr/bin/env python3
"""The CDK app: one stack per environment, checked by cdk-nag's AWS Solutions pack.

    cdk synth                                   # both stacks, offline
    cdk deploy -c env=staging -c imageTag=<commit SHA>   # the one stack of that environment
    python cdk/app.py                           # synthesizes into cdk.out without the CDK CLI
"""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
# `python cdk/app.py` puts cdk/ first on the path, where its modules would shadow packages.
if sys.path and Path(sys.path[0]).resolve() == ROOT / "cdk":
    sys.path[0] = str(ROOT)
elif str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from aws_cdk import App, Validations  # noqa: E402
from cdk_nag import AwsSolutionsChecks  # noqa: E402

from cdk.environments import resolve, selected  # noqa: E402
from cdk.stack import TaskForgeStack  # noqa: E402


def cdk_json_context() -> dict[str, object]:
    """The feature flags and defaults in cdk.json, which only the CDK CLI reads by itself."""
    context: dict[str, object] = json.loads((ROOT / "cdk.json").read_text())["context"]
    return context


def build(app: App) -> dict[str, TaskForgeStack]:
    context = app.node.try_get_context
    stacks = {name: TaskForgeStack(app, resolve(name, context)) for name in selected(context)}
    Validations.of(app).add_plugins(AwsSolutionsChecks(app, verbose=True))
    return stacks


def new_app() -> App:
    if "CDK_OUTDIR" in os.environ:  # run by the CDK CLI, which passes cdk.json and -c values itself
        return App()
    # Run directly: the same flags, written where the CLI would write.
    return App(context=cdk_json_context(), outdir=str(ROOT / "cdk.out"))


def main() -> None:
    app = new_app()
    build(app)
    app.synth()


if __name__ == "__main__":
    main()
