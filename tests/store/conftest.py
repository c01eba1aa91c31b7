"""Fixtures for the store tests: a fresh SQLite file store holding the 16 cities."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from casework.registry.actors import CITY_OFFICER
from casework.registry.scenario import seed_reference
from casework.store.engine import Store, open_store


def register_officers(store: Store) -> None:
    """A city officer ``officer<city>`` for every city, as in ``scenario.city_officer``."""
    from sqlalchemy import insert, select

    from casework.store.tables import cities, users

    with store.write() as conn:
        codes = list(conn.execute(select(cities.c.city_code)).scalars())
        conn.execute(
            insert(users),
            [
                {
                    "username": f"officer{code}",
                    "display_name": f"{code}经办人",
                    "role": CITY_OFFICER,
                    "city_code": code,
                    "institution_id": None,
                    "unit": "",
                    "active": True,
                }
                for code in codes
            ],
        )


@pytest.fixture(scope="session")
def seeded_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A migrated store file with the cities, made once and copied for each test."""
    path = tmp_path_factory.mktemp("template") / "casework.db"
    template = open_store(f"sqlite:///{path}")
    seed_reference(template)
    # every command re-reads its actor from the store (SUP-01): the tests' officers are users,
    # stored directly so that the audit chain holds only what each test does
    register_officers(template)
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
