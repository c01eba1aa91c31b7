"""The release is the product: the wheel, built from the sdist, installed in a fresh virtual
environment outside the checkout, runs casework from another working directory (issue #18).

Built once per run (``uv build``: sdist, then the wheel from the sdist, so both are complete),
installed with its runtime dependencies only (``casework[postgres]``: no pytest, no hypothesis)
from uv's cache, then: ``casework init``, ``casework demo``, a rubric load, a letter, a headless
app page, an archived report and ``casework archive verify`` on SQLite; then ``casework init`` on
an empty PostgreSQL database (the migrations shipped in the wheel, through the ``postgres``
extra's driver), the demo, a letter, a report and the archive on it. Nothing may come from the
checkout: the working directory is elsewhere, ``PYTHONPATH`` is cleared and the test checks where
casework was imported from.

Both engines are covered here, from one build, so the module runs once: in the SQLite run of
``make test`` (which names a PostgreSQL server in ``CASEWORK_TEST_PG_URL``), not again in the
PostgreSQL run (``tests/test_backends.py`` checks this split).
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from casework.demo.build import MIN_INSTITUTIONS
from tests.backend import PG_URL, sqlite_only

pytestmark = [
    pytest.mark.slow,
    sqlite_only("the wheel is built once and run on both engines by this module itself"),
]

REPO = Path(__file__).resolve().parents[2]
PAGE = """
import json, sys
import nbformat
from nbclient import NotebookClient
from casework.paths import notebooks_dir

nb = nbformat.read(notebooks_dir() / f"{sys.argv[1]}.ipynb", as_version=4)
NotebookClient(nb, kernel_name="python3", timeout=240).execute()
outputs = [o for c in nb.cells if c.cell_type == "code" for o in c.outputs]
WIDGET = "application/vnd.jupyter.widget-view+json"
print(json.dumps({
    "pages": str(notebooks_dir()),
    "errors": [o.get("evalue") for o in outputs if o.output_type == "error"],
    "widgets": sum(WIDGET in o.get("data", {}) for o in outputs),
}))
"""
RUBRIC = """
import casework
from casework.domain import rubrics
from casework.paths import shipped_schemas
r = rubrics.load("renewal")
print(casework.__file__, shipped_schemas(), r.id, len(r.items), sep="\\n")
"""
FIRST_FILING = """
from sqlalchemy import select
from casework.store.engine import open_store
from casework.store.tables import filings
store = open_store()
with store.read() as conn:
    print(conn.execute(select(filings.c.code).where(filings.c.application_id.is_not(None))
                       .order_by(filings.c.id).limit(1)).scalar())
"""
"""The public number (institution code) of the demo's first selected filing (--case)."""


def uv() -> list[str]:
    found = shutil.which("uv", path=str(Path(sys.executable).parent)) or shutil.which("uv")
    if found is None:
        pytest.skip("uv is not installed (make setup installs it into .venv)")
    return [found]


@dataclass
class Installed:
    """A fresh virtual environment with the wheel installed, and a folder to run it in."""

    venv: Path
    wheel: Path
    work: Path

    def run(self, *args: str, db: str, check: bool = True) -> subprocess.CompletedProcess[str]:
        env = {k: v for k, v in os.environ.items() if not k.startswith(("CASEWORK_", "PYTHON"))}
        env.update(CASEWORK_DB=db, CASEWORK_USER="province", XDG_DATA_HOME=str(self.work))
        env["PATH"] = f"{self.venv / 'bin'}{os.pathsep}{env.get('PATH', '')}"
        done = subprocess.run(
            list(args), cwd=self.work, env=env, capture_output=True, text=True, timeout=900
        )
        if check:
            assert done.returncode == 0, f"{args}\n{done.stdout}\n{done.stderr}"
        return done


@pytest.fixture(scope="module")
def installed(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Installed]:
    root = tmp_path_factory.mktemp("release")
    assert REPO not in root.parents, "the environment must live outside the checkout"
    dist = root / "dist"
    subprocess.run([*uv(), "build", "-q", "-o", str(dist), str(REPO)], check=True, timeout=600)
    wheel = next(dist.glob("casework-*.whl"))
    venv = root / "venv"
    subprocess.run([*uv(), "venv", "-q", "--python", sys.executable, str(venv)], check=True)
    target = f"{wheel}[postgres]"
    install = [*uv(), "pip", "install", "-q", "--python", str(venv / "bin" / "python"), target]
    if subprocess.run([*install, "--offline"], capture_output=True).returncode != 0:
        subprocess.run(install, check=True, timeout=900)  # not all in the cache: ask the index
    work = root / "elsewhere"
    (work / "var").mkdir(parents=True)
    yield Installed(venv, wheel, work)


@pytest.fixture
def empty_postgres() -> Iterator[Callable[[str], str]]:
    """Makes new, empty PostgreSQL databases (no template: the wheel must migrate them)."""
    if not PG_URL.startswith("postgresql"):
        pytest.skip("no PostgreSQL server: set CASEWORK_TEST_PG_URL (make test does)")
    admin = create_engine(PG_URL, isolation_level="AUTOCOMMIT", pool_size=1)
    made: list[str] = []

    def drop(name: str) -> None:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))

    def make(label: str) -> str:
        name = f"cw_wheel_{label}_{os.getpid()}"
        drop(name)
        with admin.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{name}"'))
        made.append(name)
        return make_url(PG_URL).set(database=name).render_as_string(hide_password=False)

    yield make
    for name in made:
        drop(name)
    admin.dispose()


def test_the_sdist_and_the_wheel_carry_the_policy_files_and_the_pages(
    installed: Installed,
) -> None:
    import zipfile

    names = set(zipfile.ZipFile(installed.wheel).namelist())

    shipped = {p.relative_to(REPO).as_posix() for p in (REPO / "schemas").rglob("*.yaml")}
    assert {f"casework/{name}" for name in shipped} <= names
    pages = {f"casework/notebooks/{p.name}" for p in (REPO / "notebooks").glob("*.ipynb")}
    assert pages and pages <= names
    assert "casework/reports/static/html-manager-embed.js" in names


def test_the_served_environment_has_no_test_tools(installed: Installed) -> None:
    bin_dir = installed.venv / "bin"

    assert not (bin_dir / "pytest").exists()
    assert not (bin_dir / "hypothesis").exists()
    assert (bin_dir / "casework").exists()


def test_the_installed_release_runs_from_another_directory(installed: Installed) -> None:
    """init, demo, rubric, letter, page, report, archive verify — all from the wheel."""
    py = str(installed.venv / "bin" / "python")
    demo = f"sqlite:///{installed.work / 'var' / 'casework.db'}"
    fresh = f"sqlite:///{installed.work / 'fresh.db'}"

    version = installed.run("casework", "--version", db=demo).stdout
    installed.run("casework", "init", db=fresh)
    installed.run("casework", "demo", "--institutions", str(MIN_INSTITUTIONS), db=demo)
    installed.run("casework", "init", db=demo)  # an up-to-date database: nothing to do
    rubric = installed.run(py, "-c", RUBRIC, db=demo).stdout.splitlines()
    code = installed.run(py, "-c", FIRST_FILING, db=demo).stdout.strip()
    letter = installed.run(
        "casework", "letter", "receipt", "--case", code, "--format", "docx", "-o", "out", db=demo
    ).stdout
    page = json.loads(installed.run(py, "-c", PAGE, "dashboard_province", db=demo).stdout)
    installed.run("casework", "report", "filing", "--case", code, db=demo)
    verified = installed.run("casework", "archive", "verify", db=demo).stdout

    site = installed.venv.resolve()
    assert version.startswith("casework ") and "（随包发布）" in version
    assert Path(rubric[0]).resolve().is_relative_to(site)
    assert Path(rubric[1]).resolve().is_relative_to(site)
    assert rubric[2:] == ["renewal-2025.1", "43"]
    assert list((installed.work / "out").glob("*.docx")), letter
    assert Path(page["pages"]).resolve().is_relative_to(site)
    assert page["errors"] == [] and page["widgets"] >= 1
    assert "共 1 条归档记录" in verified
    assert list((installed.work / "var" / "archive" / "objects").rglob("*"))
    assert not (REPO / "casework" / "schemas").exists()  # the build leaves the checkout alone


@pytest.mark.postgres
def test_the_installed_release_migrates_and_reads_an_empty_postgresql_database(
    installed: Installed, empty_postgres: Callable[[str], str]
) -> None:
    """The served deployment's engine from the wheel: the ``postgres`` extra's driver and the
    migrations shipped as package data bring an empty server database to the newest revision,
    and the installed commands read it. (Filling and reading a PostgreSQL store — demo, letters,
    reports — is the checkout's PostgreSQL run; the wheel's own files are checked above.)"""
    py = str(installed.venv / "bin" / "python")
    db = empty_postgres("fresh")

    migrated = installed.run("casework", "init", db=db).stdout
    again = installed.run("casework", "init", db=db).stdout  # up to date: nothing to do
    driver = installed.run(py, "-c", "import psycopg, casework; print(casework.__file__)", db=db)
    verified = installed.run("casework", "archive", "verify", db=db)

    assert "数据库已就绪" in migrated and "postgresql" in migrated
    assert again == migrated
    assert Path(driver.stdout.strip()).resolve().is_relative_to(installed.venv.resolve())
    assert verified.returncode == 0 and verified.stdout
