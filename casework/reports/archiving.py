"""Make the archived report of a completed procedure and put it in the archive.

One report: the notebook is executed headless from the recorded parameters, exported to
self-contained HTML and to PDF, both files stored content-addressed and one manifest entry
recorded (who, when, rubric version, parameters, package version, SHA-256 and SM3). The files
carry the stamp of their archiving (``stamp.py``): the entry number they will have, who
archives them and when — a report made for a preview is stamped again when archived. A batch
runs in one process with one Chromium, and starts each next kernel while the current report
is exported.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import os
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any, TypeVar

from jupyter_client.manager import KernelManager
from nbformat import NotebookNode

import casework
from casework.archive.manifest import ArchivedFile, Entry, entry, record_entry
from casework.archive.objects import ObjectStore
from casework.registry.actors import Actor
from casework.reports.content import ReportData
from casework.reports.export import ChromiumSession, ReportHTMLExporter, ReportPDFExporter
from casework.reports.notebook import KERNEL, execute, figures_of, report_notebook
from casework.reports.procedures import collect, parameters
from casework.reports.stamp import Stamp, stamp
from casework.store.engine import Store

T = TypeVar("T")


@dataclass
class MadeReport:
    """An executed and exported report, not yet archived."""

    params: dict[str, Any]
    data: ReportData
    notebook: NotebookNode
    html: str
    pdf: bytes
    stamp: Stamp | None = None

    @property
    def figures(self) -> dict[str, Any]:
        return figures_of(self.notebook)

    @property
    def stem(self) -> str:
        on = f"-{self.params['on']}" if self.params.get("on") else ""
        return f"{self.params['procedure']}-{self.params['case_id']}{on}"

    def write(self, folder: Path) -> tuple[Path, Path]:
        """Write the HTML and the PDF into ``folder``."""
        folder.mkdir(parents=True, exist_ok=True)
        html, pdf = folder / f"{self.stem}.html", folder / f"{self.stem}.pdf"
        html.write_text(self.html, encoding="utf-8")
        pdf.write_bytes(self.pdf)
        return html, pdf


def off_loop(fn: Callable[[], T]) -> T:
    """Run ``fn`` in a plain thread when this one runs an event loop (a Voilà kernel does):
    nbclient and Playwright's sync API each need a thread without one."""
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return fn()
    with concurrent.futures.ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(fn).result()


class ReportMaker:
    """Makes reports against one store; reuse it for a batch (one Chromium, warm kernels).

    ``archiver`` is who will archive them (their stamp names them and the next entry number);
    None makes previews, stamped 未归档（预览）.
    """

    def __init__(self, store: Store, archiver: Actor | None = None) -> None:
        self.store = store
        self.archiver = archiver
        self.html = ReportHTMLExporter()
        self.pdf = ReportPDFExporter()
        self._next_km: KernelManager | None = None

    def _kernel(self) -> KernelManager:
        km = KernelManager(kernel_name=KERNEL)
        km.start_kernel(env={**os.environ, "CASEWORK_DB": self.store.url})
        return km

    def resolve(
        self, procedure: str, case_id: int, on: date | str | None = None
    ) -> tuple[dict[str, Any], ReportData]:
        """The parameters to record (a scope change's date made explicit) and the case read
        here — refused early (ProcedureNotComplete) when there is nothing to archive."""
        params = parameters(procedure, case_id, on)
        data = collect(self.store, params)
        if "on" in params and params["on"] is None:
            params["on"] = data.figures.get("on")
        return params, data

    def make(
        self, params: dict[str, Any], data: ReportData, *, prefetch: bool = False
    ) -> MadeReport:
        """Execute and export one report; with ``prefetch`` start the next kernel meanwhile."""
        km = self._next_km or self._kernel()
        self._next_km = self._kernel() if prefetch else None
        try:
            nb = execute(report_notebook(params), self.store.url, km=km)
        finally:
            km.shutdown_kernel(now=True)
        return self.export(params, data, nb)

    def export(self, params: dict[str, Any], data: ReportData, nb: NotebookNode) -> MadeReport:
        """Stamp and export an executed report (HTML, then the PDF/A printed from it)."""
        stamped = stamp(self.store, data, params, self.archiver, datetime.now(UTC))
        html, _ = self.html.from_notebook_node(nb, {"casework_stamp": stamped})
        title = f"{nb.metadata['casework']['title']}：{data.title.split('：', 1)[-1]}"
        pdf = self.pdf.archival_pdf(html, stamped, title)
        return MadeReport(params, data, nb, html, pdf, stamped)

    def close(self) -> None:
        if self._next_km is not None:
            self._next_km.shutdown_kernel(now=True)
            self._next_km = None

    @contextmanager
    def browser(self) -> Iterator[ReportMaker]:
        """Keep one Chromium for the reports made inside the block."""
        with ChromiumSession() as session:
            self.pdf.session = session
            try:
                yield self
            finally:
                self.pdf.session = None
                self.close()


def store_report(
    store: Store, actor: Actor, made: MadeReport, root: Path | str | None = None
) -> Entry:
    """Put a made report's files in the archive and record its manifest entry.

    A report stamped for another archiver or entry number (a preview, or another report
    archived meanwhile) is stamped again first: the files name the entry they belong to.
    (A report without a stamp was not made by ``ReportMaker`` and is stored as it is.)
    """
    if made.stamp is not None:
        expected = stamp(store, made.data, made.params, actor, datetime.now(UTC))
        if (made.stamp.seq, made.stamp.archived_by) != (expected.seq, expected.archived_by):
            made = off_loop(
                lambda: ReportMaker(store, actor).export(made.params, made.data, made.notebook)
            )
    objects = ObjectStore(root, db_url=store.url)
    files = []
    for role, name, data in (
        ("html", f"{made.stem}.html", made.html.encode("utf-8")),
        ("pdf", f"{made.stem}.pdf", made.pdf),
    ):
        d = objects.put(data)
        files.append(ArchivedFile(role, name, d.sha256, d.sm3, d.size))
    seq = record_entry(
        store,
        actor,
        procedure=made.params["procedure"],
        case_id=made.params["case_id"],
        city_code=made.data.city_code,
        subject=made.data.subject,
        rubric_id=made.data.rubric_id,
        parameters=made.params,
        package_version=casework.__version__,
        files=files,
        figures=made.figures,
    )
    return entry(store, seq)


def archive_procedure(
    store: Store,
    actor: Actor,
    procedure: str,
    case_id: int,
    *,
    on: date | str | None = None,
    root: Path | str | None = None,
) -> Entry:
    """Archive the report of a completed procedure (selection, filing, scope, renewal, exit).

    Raises:
        ProcedureNotComplete: the procedure has not been completed (nothing is written).
        ReportFailed, ReportExportFailed: the report could not be made (nothing is written).
        PermissionDenied: ``actor`` may not archive this city's cases.
    """

    def run() -> Entry:
        maker = ReportMaker(store, actor)
        params, data = maker.resolve(procedure, case_id, on)
        made = maker.make(params, data)
        return store_report(store, actor, made, root)

    return off_loop(run)


def archive_batch(
    store: Store,
    actor: Actor,
    items: Sequence[tuple[str, int]],
    *,
    root: Path | str | None = None,
) -> list[Entry]:
    """Archive many completed procedures in this one process (one Chromium, warm kernels)."""

    def run() -> list[Entry]:
        maker = ReportMaker(store, actor)
        out = []
        with maker.browser():
            for i, (procedure, case_id) in enumerate(items):
                params, data = maker.resolve(procedure, case_id)
                made = maker.make(params, data, prefetch=i + 1 < len(items))
                out.append(store_report(store, actor, made, root))
        return out

    return off_loop(run)


def reproduce(store: Store, seq: int) -> dict[str, Any]:
    """Execute an archived report again from its recorded parameters; returns its figures."""
    recorded = entry(store, seq)

    def run() -> dict[str, Any]:
        nb = execute(report_notebook(recorded.parameters), store.url)
        return figures_of(nb)

    return off_loop(run)


def make_report(
    store: Store, procedure: str, case_id: int, on: date | str | None = None
) -> MadeReport:
    """Make (not archive) one report, e.g. to look at it before archiving."""

    def run() -> MadeReport:
        maker = ReportMaker(store)
        params, data = maker.resolve(procedure, case_id, on)
        return maker.make(params, data)

    return off_loop(run)
