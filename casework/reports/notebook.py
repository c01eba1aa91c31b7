"""The report notebook of a procedure and its headless execution (nbclient).

Like the apps, a report is a thin page — a title, a ``parameters``-tagged cell, one call into
casework — generated from the procedure table. The recorded parameters are injected after the
``parameters`` cell as papermill does (an ``injected-parameters`` cell), and the notebook is run
by nbclient in a kernel whose ``CASEWORK_DB`` is the store's: a fresh one, or the warm kernel a
batch reuses (``archiving.WarmKernel``).
"""

from __future__ import annotations

import os
import tempfile
from typing import Any

import nbformat
from nbclient import NotebookClient
from nbclient.exceptions import CellExecutionError
from nbformat import NotebookNode

from casework.errors import CaseworkError
from casework.reports.procedures import procedure
from casework.reports.view import FIGURES_MIME

FIGURES_TAG = "casework-figures"
KERNEL = "python3"
TIMEOUT_S = 300


class ReportFailed(CaseworkError):
    """The report notebook raised an error while executing."""


def report_notebook(params: dict[str, Any]) -> NotebookNode:
    """The notebook of one report, its parameters injected (papermill's layout)."""
    proc = procedure(params["procedure"])
    v4 = nbformat.v4
    injected = "\n".join(f"{k} = {v!r}" for k, v in params.items() if k != "procedure")
    cells = [
        v4.new_markdown_cell(f"# {proc.label}归档报告\n\n{proc.rules}"),
        v4.new_code_cell(
            f"procedure = {proc.key!r}\ncase_id = None\non = None",
            metadata={"tags": ["parameters"]},
        ),
        v4.new_code_cell(injected, metadata={"tags": ["injected-parameters"]}),
        v4.new_code_cell(
            "from casework.reports import view\n\nreport = view.show(procedure, case_id, on)"
        ),
        v4.new_code_cell("view.figures(report)", metadata={"tags": [FIGURES_TAG]}),
    ]
    nb = v4.new_notebook(cells=cells)
    nb.metadata["kernelspec"] = {"name": KERNEL, "display_name": "Python 3", "language": "python"}
    nb.metadata["language_info"] = {"name": "python"}
    nb.metadata["casework"] = {"title": f"{proc.label}归档报告", "parameters": params}
    return nb


def execute(
    nb: NotebookNode, db_url: str, *, km: Any = None, timeout: int = TIMEOUT_S
) -> NotebookNode:
    """Run ``nb`` headless against the store at ``db_url`` (a pre-started ``km`` may be given).

    Raises:
        ReportFailed: a cell raised; the message is the error the report met (in Chinese when it
            is a casework error, e.g. a procedure that is not complete).
    """
    env = {**os.environ, "CASEWORK_DB": db_url}
    with tempfile.TemporaryDirectory(prefix="casework-report-") as cwd:
        client = NotebookClient(
            nb,
            timeout=timeout,
            kernel_name=KERNEL,
            km=km,
            resources={"metadata": {"path": cwd}},
            store_widget_state=True,
        )
        try:
            client.execute(env=env, cwd=cwd)
        except CellExecutionError as exc:
            message = exc.evalue if getattr(exc, "evalue", "") else str(exc).splitlines()[-1]
            raise ReportFailed(f"报告执行失败：{message}") from None
        finally:
            if km is not None and client.kc is not None:  # a kernel kept for the next report
                client.kc.stop_channels()
                client.kc = None
    return nb


def figures_of(nb: NotebookNode) -> dict[str, Any]:
    """The figures the executed report recorded (from its ``casework-figures`` cell)."""
    for cell in nb.cells:
        if FIGURES_TAG in cell.get("metadata", {}).get("tags", []):
            for output in cell.get("outputs", []):
                data = output.get("data", {})
                if FIGURES_MIME in data:
                    return dict(data[FIGURES_MIME])
    raise ReportFailed("报告没有输出统计数据（figures）")
