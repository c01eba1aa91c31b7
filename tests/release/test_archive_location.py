"""One archive location, whatever the working directory (issue #13).

Voilà runs the apps' kernels in ``notebooks/``; a report they archived used to land in
``notebooks/var/archive``, and ``casework archive verify`` run from the repository reported
every file missing. Here a process whose working directory is a ``notebooks/`` folder archives a
report, and ``casework archive verify`` run from the repository root finds it intact.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from tests.backend import store_url

REPO = Path(__file__).resolve().parents[2]

ARCHIVE_FROM_A_KERNEL = """
import sys
import nbformat
from casework.registry import SYSTEM_ACTOR
from casework.reports.archiving import MadeReport, store_report
from casework.reports.content import ReportData
from casework.reports.notebook import FIGURES_TAG, report_notebook
from casework.reports.view import FIGURES_MIME
from casework.store.engine import open_store

store = open_store(sys.argv[1])
params = {"procedure": "filing", "case_id": 1}
nb = report_notebook(params)  # as executed: its figures cell has its output
figures = next(c for c in nb.cells if FIGURES_TAG in c.metadata.get("tags", []))
figures.outputs = [nbformat.v4.new_output("display_data", data={FIGURES_MIME: {"n": 1}})]
data = ReportData("filing", 1, "备案", "370100", "filing:1", "", [], [], {"n": 1})
made = MadeReport(params, data, nb, "<p>济南</p>", b"%PDF-1.7")
print(store_report(store, SYSTEM_ACTOR, made).seq)
"""


def clean_env(tmp_path: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in ("CASEWORK_ARCHIVE", "CASEWORK_DB")}
    env["XDG_DATA_HOME"] = str(tmp_path / "data")  # the archive of a PostgreSQL store
    env["PYTHONPATH"] = str(REPO)
    return env


def test_report_archived_from_the_notebooks_folder_verifies_from_the_repository(
    tmp_path: Path,
) -> None:
    url = store_url(tmp_path / "var" / "casework.db")
    (tmp_path / "var").mkdir(exist_ok=True)
    notebooks = tmp_path / "notebooks"
    notebooks.mkdir()
    env = clean_env(tmp_path)
    casework = [sys.executable, "-m", "casework", "--db", url]
    subprocess.run([*casework, "init"], env=env, cwd=REPO, check=True, capture_output=True)

    archived = subprocess.run(
        [sys.executable, "-c", ARCHIVE_FROM_A_KERNEL, url],
        env=env,
        cwd=notebooks,
        capture_output=True,
        text=True,
    )
    verified = subprocess.run(
        [*casework, "archive", "verify"], env=env, cwd=REPO, capture_output=True, text=True
    )

    assert archived.returncode == 0, archived.stderr
    assert not (notebooks / "var").exists()
    assert not (notebooks / "archive").exists()
    assert verified.returncode == 0, verified.stderr
    assert "共 1 条归档记录" in verified.stdout
