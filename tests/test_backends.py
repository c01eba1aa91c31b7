"""The PostgreSQL run of ``make test`` covers every test that opens a store.

``make test`` runs the whole suite on SQLite, then the folders listed in the Makefile's
``STORE_TESTS`` again with ``CASEWORK_TEST_BACKEND=postgresql``. A test file outside those
folders that opened a store would silently be tested on SQLite only; this test forbids it.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from tests.backend import store_url

TESTS = Path(__file__).resolve().parent
MAKEFILE = (TESTS.parent / "Makefile").read_text(encoding="utf-8")
OPENS_A_STORE = re.compile(r"tests\.backend|open_store|\bStore\(|casework_db|CASEWORK_DB")
SQLITE_ONLY = (
    "store",  # the engine's own tests (WAL, BEGIN IMMEDIATE …), with PG twins
    "test_readme_shell.py",  # the README's shell examples, which name SQLite files, as written
)
HELPERS = ("backend.py", "cli_runs.py", "demo_store.py")  # engine, commands, shared demo


def store_tests() -> list[Path]:
    block = re.search(r"^STORE_TESTS := ((?:.*\\\n)*.*)$", MAKEFILE, re.M)
    assert block, "the Makefile defines STORE_TESTS"
    return [TESTS.parent / p for p in block.group(1).replace("\\\n", " ").split()]


def test_every_test_file_that_opens_a_store_is_in_the_postgresql_run() -> None:
    covered = store_tests()
    skipped = [TESTS / name for name in SQLITE_ONLY]
    outside = [
        path.relative_to(TESTS.parent)
        for path in TESTS.rglob("*.py")
        if path != Path(__file__)
        and path.name not in HELPERS
        and not any(path == c or c in path.parents for c in covered + skipped)
        and OPENS_A_STORE.search(path.read_text(encoding="utf-8"))
    ]

    assert all(c.exists() for c in covered), [c for c in covered if not c.exists()]
    assert outside == []


def test_a_fresh_store_lives_on_the_engine_this_run_names(tmp_path: Path) -> None:
    url = store_url(tmp_path / "casework.db")

    import os

    backend = os.environ.get("CASEWORK_TEST_BACKEND", "sqlite")
    assert url.startswith("postgresql" if backend == "postgresql" else "sqlite:///")


def test_an_unknown_backend_is_a_usage_error(monkeypatch: pytest.MonkeyPatch) -> None:
    import tests.backend as backend

    monkeypatch.setattr(backend, "BACKEND", "oracle")

    with pytest.raises(pytest.UsageError, match="sqlite or postgresql"):
        backend.on_postgres()
