"""A copy of the shared small city history (tests/documents/world.py) per test module."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.documents.world import World, copy_of_world


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> Iterator[World]:
    w = copy_of_world(tmp_path_factory.mktemp("world"))
    yield w
    w.store.dispose()
