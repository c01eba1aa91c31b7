"""The demo province at its smallest size (two institutions per city, every state the apps and
dashboards know), built once per test run and shared by every xdist worker and every module
that needs it; each module works on a copy of its own."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import pytest

from casework.demo import build_demo
from casework.demo.build import MIN_INSTITUTIONS
from casework.store.engine import open_store
from tests.backend import built_once, copy_store, store_url

TODAY = date(2026, 10, 15)
SEED = 2025
INSTITUTIONS = MIN_INSTITUTIONS


@dataclass(frozen=True)
class SharedDemo:
    url: str
    counts: dict[str, int]

    def copy(self, folder: Path) -> str:
        """A copy of the demo store in ``folder`` (its URL)."""
        return copy_store(self.url, folder)


def shared_demo(tmp_path_factory: pytest.TempPathFactory) -> SharedDemo:
    """The run's demo store and what :func:`build_demo` reported building."""

    def build(folder: Path) -> str:
        store = open_store(store_url(folder / "casework.db"))
        counts = build_demo(store, seed=SEED, institutions=INSTITUTIONS, today=TODAY)
        store.dispose()
        return json.dumps({"url": store.url, "counts": counts})

    made = json.loads(built_once(tmp_path_factory, "demo", build))
    return SharedDemo(made["url"], made["counts"])
