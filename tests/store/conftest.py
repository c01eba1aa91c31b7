"""Fixtures for the store tests: a fresh SQLite file store holding the 16 cities."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from casework.registry.scenario import seed_reference
from casework.store.engine import Store, open_store


@pytest.fixture(scope="session")
def seeded_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A migrated store file with the cities, made once and copied for each test."""
    path = tmp_path_factory.mktemp("template") / "casework.db"
    template = open_store(f"sqlite:///{path}")
    seed_reference(template)
    template.dispose()  # the last connection checkpoints the WAL into the file
    return path


@pytest.fixture
def db_path(tmp_path: Path) -> Path:
    return tmp_path / "casework.db"


@pytest.fixture
def db_url(db_path: Path) -> str:
    return f"sqlite:///{db_path}"


@pytest.fixture
def store(seeded_template: Path, db_path: Path, db_url: str) -> Iterator[Store]:
    """A migrated SQLite file store with the cities loaded (one audit entry)."""
    shutil.copyfile(seeded_template, db_path)
    opened = open_store(db_url)
    yield opened
    opened.dispose()
