"""The PostgreSQL run of ``make test`` covers every test that opens a store, and every test
runs in at least one of the two runs.

``make test`` runs the whole suite on SQLite, then the folders listed in the Makefile's
``STORE_TESTS`` again with ``CASEWORK_TEST_BACKEND=postgresql``. A test file outside those
folders that opened a store would silently be tested on SQLite only; this test forbids it.

To keep ``make test`` short, a few files inside ``STORE_TESTS`` run once (``ONE_RUN``: the whole
module marked ``sqlite_only``, which the SQLite run — which runs everything — still runs) and
two run a sample of their cases in the PostgreSQL run (``SAMPLED_ON_POSTGRES``); the tests below
hold the Makefile and those files to that split.
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
    "test_forkserver.py",  # names CASEWORK_DB in a kernel's environment; opens no store
)
HELPERS = ("backend.py", "cli_runs.py", "demo_store.py")  # engine, commands, shared demo
ONE_RUN = {
    "release/test_wheel.py": "builds and installs the wheel once, then runs it on SQLite and on "
    "an empty PostgreSQL database itself (its `postgres`-marked test)",
    "records/test_opinion_migration.py": "needs a store at an old revision (SQLite only)",
    "documents/test_pdf.py": "the PDF conversion does not depend on the engine",
}
"""Files inside STORE_TESTS skipped as a whole in the PostgreSQL run (``sqlite_only``)."""
SAMPLED_ON_POSTGRES = ("records/test_cross_case.py", "records/test_cross_case_reports.py")
"""Every demo case in the SQLite run; every kind, on a sample of its cases, on PostgreSQL."""


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


def module_marks(path: Path) -> str:
    """The source of a test module's ``pytestmark`` (empty when it has none)."""
    found = re.search(r"^pytestmark = .*?(?=\n\n)", path.read_text(encoding="utf-8"), re.M | re.S)
    return found.group(0) if found else ""


def test_only_the_files_listed_skip_the_postgresql_run_as_a_whole() -> None:
    covered = store_tests()
    in_postgres_run = {
        path.relative_to(TESTS).as_posix()
        for c in covered
        for path in ([c] if c.is_file() else c.rglob("test_*.py"))
    }
    skipping = {name for name in in_postgres_run if "sqlite_only(" in module_marks(TESTS / name)}

    assert skipping == set(ONE_RUN)


def test_the_wheel_runs_on_postgresql_in_the_sqlite_run() -> None:
    source = (TESTS / "release" / "test_wheel.py").read_text(encoding="utf-8")

    assert "sqlite_only(" in module_marks(TESTS / "release" / "test_wheel.py")
    assert re.search(r"@pytest\.mark\.postgres\ndef test_\w+\(\s*installed", source)
    assert "CASEWORK_TEST_PG_URL=$$url $(PYTEST_PARALLEL)" in MAKEFILE  # the SQLite run has PG


def test_the_cross_case_checks_are_complete_on_sqlite_and_sampled_on_postgresql(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    import tests.backend as backend
    from tests.records.test_cross_case import SAMPLE_ON_POSTGRES, per_kind

    monkeypatch.setattr(backend, "BACKEND", "sqlite")
    complete = per_kind()
    monkeypatch.setattr(backend, "BACKEND", "postgresql")
    monkeypatch.setattr(backend, "PG_URL", "postgresql+psycopg://nobody@localhost/none")
    sampled = per_kind()

    assert complete is None
    assert sampled == SAMPLE_ON_POSTGRES >= 1
    for name in SAMPLED_ON_POSTGRES:
        assert "per_kind()" in (TESTS / name).read_text(encoding="utf-8"), name
        assert any(c in (TESTS / name).parents for c in store_tests()), name


def test_no_test_is_left_out_of_both_runs() -> None:
    """A test marked ``postgres_only`` runs in the PostgreSQL run alone: its file must be in it."""
    covered = store_tests()
    orphans = [
        path.relative_to(TESTS).as_posix()
        for path in TESTS.rglob("test_*.py")
        if path != Path(__file__)
        and "postgres_only(" in path.read_text(encoding="utf-8")
        and not any(path == c or c in path.parents for c in covered)
    ]

    assert orphans == []
