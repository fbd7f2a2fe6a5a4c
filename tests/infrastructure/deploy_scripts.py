"""scripts/deploy/<name>.py as modules."""

from __future__ import annotations

import functools
from types import ModuleType

from .manifests import ROOT, load_module

DEPLOY_SCRIPTS = ROOT / "scripts" / "deploy"


@functools.cache
def deploy_script(name: str) -> ModuleType:
    return load_module(DEPLOY_SCRIPTS / f"{name}.py", f"deploy_{name}")
