"""``bench/load_evaluators.py`` as a module for the tests (bench/ is not a package)."""

from __future__ import annotations

import importlib.util
import sys

from casework.paths import REPO_DIR

SPEC = importlib.util.spec_from_file_location(
    "load_evaluators", REPO_DIR / "bench" / "load_evaluators.py"
)
assert SPEC is not None and SPEC.loader is not None
load = importlib.util.module_from_spec(SPEC)
sys.modules.setdefault("load_evaluators", load)
SPEC.loader.exec_module(load)
