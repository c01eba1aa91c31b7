"""Make the archived report of a completed procedure and put it in the archive.

One report: the notebook is executed headless from the recorded parameters, exported to
self-contained HTML and to PDF, both files stored content-addressed and one manifest entry
recorded (who, when, rubric version, parameters, package version, SHA-256 and SM3). The files
carry the stamp of their archiving (``stamp.py``): the entry number they will have, who
archives them and when — a report made for a preview is stamped again when archived.

A batch (``archive_batch``, ``casework report --all``) runs in one process on both cores: one
kernel, started once with casework imported, executes the notebooks one after another in a
thread while this one exports, prints and archives the report before; one Chromium prints
them all. The PDF is printed from the HTML without its scripts (the forms print from their
static copies; the widgets never print), so no widget manager is loaded to print a page.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import multiprocessing
import os
import queue
import tempfile
import threading
from collections import deque
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager, suppress
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime
from functools import lru_cache
from pathlib import Path
from typing import Any, TypeVar

from jupyter_client.manager import KernelManager
from nbformat import NotebookNode

import casework
from casework.archive.manifest import ArchivedFile, Entry, entry, head_of, record_entry
from casework.archive.objects import ObjectStore
from casework.errors import NotFound
from casework.kernel_client import PROMPT_BLOCKING
from casework.registry.actors import Actor
from casework.reports.content import ProcedureNotComplete, ReportData
from casework.reports.export import (
    SCRIPTS,
    ChromiumSession,
    ReportHTMLExporter,
    ReportPDFExporter,
)
from casework.reports.notebook import KERNEL, ReportFailed, execute, figures_of, report_notebook
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


def static_page(html: str) -> str:
    """The report as printed: its scripts dropped. The print style hides every widget and shows
    each form's static copy, so the printed page is the same without the widget manager (a
    1.9 MB script Chromium would otherwise parse and run for every report)."""
    return SCRIPTS.sub("", html)


class StaticPDFExporter(ReportPDFExporter):
    """The archival PDF printed from the static page (the footer still names the SHA-256 of the
    archived HTML, scripts included)."""

    def run_playwright(self, html: str) -> bytes:
        return super().run_playwright(static_page(html))


WARM_UP = "import casework.reports.view"
RESET = "import ipywidgets as _w\n_w.Widget.close_all()\ndel _w"


class WarmKernel:
    """One kernel for many report notebooks: started once with ``CASEWORK_DB`` set and the
    report code imported, reset (its widgets closed) after each report."""

    def __init__(self, db_url: str) -> None:
        self._cwd = tempfile.TemporaryDirectory(prefix="casework-kernel-")
        self.km = KernelManager(kernel_name=KERNEL, client_class=PROMPT_BLOCKING)
        self.km.start_kernel(env={**os.environ, "CASEWORK_DB": db_url}, cwd=self._cwd.name)
        self.db_url = db_url
        self._run(WARM_UP)

    def _run(self, code: str) -> None:
        kc = self.km.client()
        kc.start_channels()
        try:
            kc.wait_for_ready(timeout=120)
            reply = kc.execute_interactive(
                code, store_history=False, timeout=120, output_hook=lambda _msg: None
            )
        finally:
            kc.stop_channels()
        if reply["content"]["status"] != "ok":
            raise ReportFailed(f"报告内核准备失败：{reply['content'].get('evalue', '')}")

    def execute(self, nb: NotebookNode) -> NotebookNode:
        try:
            return execute(nb, self.db_url, km=self.km)
        finally:
            self._run(RESET)

    def close(self) -> None:
        self.km.shutdown_kernel(now=True)
        self._cwd.cleanup()


class ReportMaker:
    """Makes reports against one store; reuse it for a batch (one Chromium, warm kernels).

    ``archiver`` is who will archive them (their stamp names them and the next entry number);
    None makes previews, stamped 未归档（预览）.
    """

    def __init__(self, store: Store, archiver: Actor | None = None) -> None:
        self.store = store
        self.archiver = archiver
        self.html = ReportHTMLExporter()
        self.pdf: ReportPDFExporter = StaticPDFExporter()
        self._next_km: KernelManager | None = None
        self.kernel: WarmKernel | None = None

    def _kernel(self) -> KernelManager:
        km = KernelManager(kernel_name=KERNEL, client_class=PROMPT_BLOCKING)
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
        """Execute and export one report (in the warm kernel inside ``browser()``); with
        ``prefetch`` and no warm kernel, start the next fresh kernel meanwhile."""
        return self.export(params, data, self.run(params, prefetch=prefetch))

    def run(self, params: dict[str, Any], *, prefetch: bool = False) -> NotebookNode:
        """Execute the report notebook of ``params``."""
        if self.kernel is not None:
            return self.kernel.execute(report_notebook(params))
        km = self._next_km or self._kernel()
        self._next_km = self._kernel() if prefetch else None
        try:
            return execute(report_notebook(params), self.store.url, km=km)
        finally:
            km.shutdown_kernel(now=True)

    def export(self, params: dict[str, Any], data: ReportData, nb: NotebookNode) -> MadeReport:
        """Stamp and export an executed report (HTML, then the PDF/A printed from it)."""
        stamped = stamp(self.store, data, params, self.archiver, datetime.now(UTC))
        html, _ = self.html.from_notebook_node(nb, {"casework_stamp": stamped})
        return self.printed(params, data, nb, stamped, html)

    def printed(
        self,
        params: dict[str, Any],
        data: ReportData,
        nb: NotebookNode,
        stamped: Stamp,
        html: str,
    ) -> MadeReport:
        """The report whose HTML is ``html``, with its PDF/A printed from it."""
        title = f"{nb.metadata['casework']['title']}：{data.title.split('：', 1)[-1]}"
        pdf = self.pdf.archival_pdf(html, stamped, title)
        return MadeReport(params, data, nb, html, pdf, stamped)

    def close(self) -> None:
        if self._next_km is not None:
            self._next_km.shutdown_kernel(now=True)
            self._next_km = None
        if self.kernel is not None:
            self.kernel.close()
            self.kernel = None

    @contextmanager
    def browser(self) -> Iterator[ReportMaker]:
        """Keep one Chromium and one warm kernel for the reports made inside the block."""
        kernel = concurrent.futures.ThreadPoolExecutor(max_workers=1)
        starting = kernel.submit(WarmKernel, self.store.url)  # starts while Chromium does
        try:
            with ChromiumSession() as session:
                self.pdf.session = session
                try:
                    self.kernel = starting.result()
                    yield self
                finally:
                    self.pdf.session = None
        finally:
            kernel.shutdown()
            if self.kernel is None and starting.exception() is None:
                self.kernel = starting.result()
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


Item = tuple[str, int] | tuple[str, int, date | str | None]
"""A report to make: (procedure, case id) or, for a scope change, (procedure, case id, date)."""


def archive_batch(
    store: Store,
    actor: Actor,
    items: Sequence[Item],
    *,
    root: Path | str | None = None,
    on_archived: Callable[[Entry], None] | None = None,
) -> list[Entry]:
    """Archive many completed procedures in this one process (one Chromium, one warm kernel,
    execution overlapping the export of the report before).

    Every item is read first: one that is not complete refuses the batch before anything is
    written (ProcedureNotComplete). ``on_archived`` is called as each entry is recorded.
    """

    def run() -> list[Entry]:
        maker = ReportMaker(store, actor)
        resolved = [
            maker.resolve(item[0], item[1], item[2] if len(item) > 2 else None) for item in items
        ]
        return _pipeline(maker, actor, resolved, root, on_archived)

    return off_loop(run)


@dataclass
class BatchResult:
    """What ``archive_all`` archived, and the candidates it left because they are not complete."""

    archived: list[Entry]
    skipped: list[tuple[str, int, str]]


def archive_all(
    store: Store,
    actor: Actor,
    procedures: Sequence[str] | None = None,
    *,
    root: Path | str | None = None,
    on_archived: Callable[[Entry], None] | None = None,
) -> BatchResult:
    """Archive every completed procedure (of ``procedures``, default all) not archived yet —
    each case once: run again, it archives only what was completed since. A city role's batch
    covers its own city."""
    from casework.queries.archivable import archivable
    from casework.reports.procedures import PROCEDURES

    chosen = tuple(procedures or PROCEDURES)

    def run() -> BatchResult:
        maker = ReportMaker(store, actor)
        resolved, skipped = [], []
        for procedure, case_id, on in archivable(store, chosen, actor.city_code):
            try:
                resolved.append(maker.resolve(procedure, case_id, on))
            except (ProcedureNotComplete, NotFound) as exc:
                skipped.append((procedure, case_id, str(exc)))
        return BatchResult(_pipeline(maker, actor, resolved, root, on_archived), skipped)

    return off_loop(run)


@lru_cache(maxsize=1)
def _html_exporter() -> ReportHTMLExporter:
    return ReportHTMLExporter()


def report_html(nb: NotebookNode, stamped: Stamp) -> str:
    """The archived HTML of an executed report (run in an export worker process)."""
    html, _ = _html_exporter().from_notebook_node(nb, {"casework_stamp": stamped})
    return html


@contextmanager
def html_workers() -> Iterator[concurrent.futures.Executor]:
    """Processes that export reports to HTML: their font subsetting is pure Python and the
    heaviest part of a report, so it runs beside this process, on the other core."""
    context = multiprocessing.get_context("spawn")
    with concurrent.futures.ProcessPoolExecutor(max_workers=2, mp_context=context) as pool:
        yield pool


def last_entry(store: Store) -> int:
    """The manifest's last entry number (0 when empty)."""
    with store.read() as conn:
        return int(head_of(conn)[0])


def _pipeline(
    maker: ReportMaker,
    actor: Actor,
    resolved: Sequence[tuple[dict[str, Any], ReportData]],
    root: Path | str | None,
    on_archived: Callable[[Entry], None] | None,
) -> list[Entry]:
    """Execute the notebooks in a thread (the kernel's work runs in its own process) and export
    their HTML in two worker processes, while this thread prints and archives each report in
    order (the manifest is a chain)."""
    out: list[Entry] = []
    if not resolved:
        return out
    from casework.reports import fonts

    with fonts.building_allowed(len(resolved) >= fonts.BUILD_AT), maker.browser():
        executed: queue.Queue[NotebookNode | BaseException] = queue.Queue(maxsize=2)
        stop = threading.Event()

        def execute_all() -> None:
            for params, _ in resolved:
                if stop.is_set():
                    return
                try:
                    nb: NotebookNode | BaseException = maker.run(params)
                except BaseException as exc:  # handed to the archiving thread, which raises it
                    nb = exc
                executed.put(nb)
                if isinstance(nb, BaseException):
                    return

        worker = threading.Thread(target=execute_all, name="casework-report-kernel", daemon=True)
        worker.start()
        base = last_entry(maker.store)
        with html_workers() as pool:
            pending: deque[tuple[dict[str, Any], ReportData, NotebookNode, Stamp, Any]] = deque()

            def archive_next() -> None:
                params, data, nb, stamped, html = pending.popleft()
                made = maker.printed(params, data, nb, stamped, html.result())
                e = store_report(maker.store, actor, made, root)
                out.append(e)
                if on_archived is not None:
                    on_archived(e)

            try:
                for k, (params, data) in enumerate(resolved):
                    nb = executed.get()
                    if isinstance(nb, BaseException):
                        raise nb
                    # stamped with the entry it will be (store_report stamps it again if another
                    # report was archived meanwhile); its HTML, font subsetting included, is made
                    # in another process while this one prints and archives the one before
                    stamped = replace(
                        stamp(maker.store, data, params, actor, datetime.now(UTC)), seq=base + 1 + k
                    )
                    pending.append(
                        (params, data, nb, stamped, pool.submit(report_html, nb, stamped))
                    )
                    if len(pending) > 2:  # two in the export workers, one being archived
                        archive_next()
                while pending:
                    archive_next()
            finally:
                stop.set()
                while worker.is_alive():
                    with suppress(queue.Empty):
                        executed.get(timeout=0.1)
    return out


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
