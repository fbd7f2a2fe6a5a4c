#!/usr/bin/env python3
"""The CDK app: per environment, its registry stack and its main stack, checked by cdk-nag's
AWS Solutions pack.

    cdk deploy TaskForge-staging -c env=staging -c imageTag=<commit SHA>   # its registry stack first
    python cdk/app.py --example                 # every stack, offline, with values no deploy can have
    python cdk/app.py                           # the same with the values set (see cdk/environments.py)

The account and domain come from -c staging.account=… -c staging.domain=… or TASKFORGE_STAGING_*.
A missing or malformed environment value stops synthesis with one line on stderr naming it.
"""

from __future__ import annotations

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

from cdk.environments import ConfigurationError, example_context, file_context, resolve, selected  # noqa: E402
from cdk.registry_stack import RegistryStack  # noqa: E402
from cdk.stack import TaskForgeStack  # noqa: E402


def cdk_json_context() -> dict[str, object]:
    """The feature flags and defaults in cdk.json, which only the CDK CLI reads by itself."""
    return file_context(ROOT)


def build(app: App) -> dict[str, TaskForgeStack]:
    """The main stack of each selected environment, by name; each holds its registry stack."""
    context = app.node.try_get_context
    # Every environment resolved before any construct exists: a bad value builds nothing.
    environments = [resolve(name, context) for name in selected(context)]
    stacks = {
        environment.name: TaskForgeStack(app, environment, registry=RegistryStack(app, environment))
        for environment in environments
    }
    Validations.of(app).add_plugins(AwsSolutionsChecks(app, verbose=True))
    return stacks


def new_app(example: bool = False) -> App:
    if "CDK_OUTDIR" in os.environ:  # run by the CDK CLI, which passes cdk.json and -c values itself
        return App()
    # Run directly: the same flags, written where the CLI would write.
    context = cdk_json_context() | (example_context() if example else {})
    return App(context=context, outdir=str(ROOT / "cdk.out"))


def main(argv: list[str] | None = None) -> int:
    arguments = sys.argv[1:] if argv is None else argv
    if arguments not in ([], ["--example"]):
        print(f"usage: python cdk/app.py [--example]; not {' '.join(arguments)!r}", file=sys.stderr)
        return 2
    app = new_app(example=arguments == ["--example"])
    try:
        build(app)
    except ConfigurationError as error:  # one line naming the value, not a traceback
        print(f"cdk: {error}", file=sys.stderr)
        return 2
    app.synth()
    return 0


if __name__ == "__main__":
    sys.exit(main())
