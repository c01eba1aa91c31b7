"""Shared test set-up: hypothesis profiles (a small one for CI, a larger one for developers)."""

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import HealthCheck, settings

settings.register_profile(
    "ci", max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow]
)
settings.register_profile("dev", max_examples=300, deadline=None)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))
# Kernels the tests start themselves (nbclient executing the apps and reports) are forked from
# the pre-loaded parent, as the served pages' are (casework.forkserver): the same code path, and
# each starts in tens of milliseconds instead of two seconds.
os.environ.setdefault("JUPYTER_DEFAULT_PROVISIONER_NAME", "casework-fork")


@pytest.fixture(scope="session")
def browser() -> Iterator[object]:
    """One headless Debian Chromium per test process, shared by every browser test.

    Playwright's sync API runs one event loop per thread, so there must be exactly one
    ``sync_playwright`` per process — hence one session fixture for the whole suite.
    """
    from tests.e2e.conftest import CHROMIUM, CHROMIUM_ARGS

    playwright_api = pytest.importorskip("playwright.sync_api")
    if not Path(CHROMIUM).exists():
        pytest.skip("Debian chromium is not installed (make system-deps)")
    with playwright_api.sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        yield b
        b.close()
