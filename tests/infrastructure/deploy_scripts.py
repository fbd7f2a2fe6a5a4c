"""scripts/deploy/<name>.py as modules: the scripts live outside any package, on purpose."""

from __future__ import annotations

import functools
import importlib.util
import sys
from types import ModuleType

from .manifests import ROOT

DEPLOY_SCRIPTS = ROOT / "scripts" / "deploy"


@functools.cache
def deploy_script(name: str) -> ModuleType:
    spec = importlib.util.spec_from_file_location(f"deploy_{name}", DEPLOY_SCRIPTS / f"{name}.py")
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module
