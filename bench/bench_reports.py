"""Bench: archived reports per minute for a batch of 50 cases, against nbconvert exporting an
empty notebook, as a ratio.

Ours: ``casework.reports.archive_batch`` in one process — each report's notebook executed in a
fresh kernel (the next one started while the current report exports), exported to
self-contained HTML, printed to PDF by one reused Chromium, both files hashed (SHA-256, SM3) and
recorded in the chained manifest. Baseline: nbconvert executing an empty notebook in a fresh
kernel and exporting it to HTML (its stock template), in the same process; and, as a floor,
exporting it without execution.

    python bench/bench_reports.py [--cases 50] [--baseline 10]
"""

from __future__ import annotations

import argparse
import os
import tempfile
import time
from datetime import date
from pathlib import Path

import nbformat
from nbconvert import HTMLExporter
from nbconvert.preprocessors import ExecutePreprocessor

from casework import registry as r
from casework.registry import scenario
from casework.reports import archive_batch
from casework.store.engine import open_store

CITY = "370100"


def seed(folder: Path, cases: int) -> str:
    url = f"sqlite:///{folder / 'bench.db'}"
    store = open_store(url)
    scenario.seed_reference(store)
    scenario.seed_city_users(store, CITY)
    scenario.ensure_city_catalog(store, CITY, 2024, ("P001", "P002", "P003"))
    officer = scenario.city_officer(CITY)
    for i in range(cases):
        inst = scenario.new_institution(store, CITY, f"济南基准考核机构{i:03d}有限公司", 500 + i)
        r.register_existing_filing(
            store,
            officer,
            institution_id=inst,
            code=f"3701ZK2024{i:03d}",
            term_start=date(2024, 3, 1),
            project_codes=("P001", "P002"),
            filed_on=date(2024, 3, 1),
            source="鲁人社字〔2023〕22号试点备案",
        )
    store.dispose()
    return url


def per_minute(n: int, seconds: float) -> float:
    return 60.0 * n / seconds


def baseline(n: int) -> tuple[float, float]:
    """(executed + exported, exported only) empty notebooks per minute."""
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell("")]
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3"}
    exporter = HTMLExporter()
    start = time.perf_counter()
    for _ in range(n):
        run = nbformat.from_dict(nb)
        ExecutePreprocessor(timeout=120, kernel_name="python3").preprocess(run, {})
        exporter.from_notebook_node(run)
    executed = per_minute(n, time.perf_counter() - start)
    start = time.perf_counter()
    for _ in range(n):
        exporter.from_notebook_node(nb)
    return executed, per_minute(n, time.perf_counter() - start)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--cases", type=int, default=50)
    parser.add_argument("--baseline", type=int, default=10)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="casework-bench-") as tmp:
        folder = Path(tmp)
        os.environ["CASEWORK_ARCHIVE"] = str(folder / "archive")
        url = seed(folder, args.cases)
        store = open_store(url)
        items = [("filing", i) for i in range(1, args.cases + 1)]
        start = time.perf_counter()
        made = archive_batch(store, scenario.city_officer(CITY), items)
        seconds = time.perf_counter() - start
        assert len(made) == args.cases
        ours = per_minute(args.cases, seconds)
        executed, exported = baseline(args.baseline)
    print(f"archived reports (HTML+PDF, hashed, chained): {args.cases} in {seconds:.1f} s")
    print(f"  ours:                                   {ours:6.1f} reports/min")
    print(f"  nbconvert, empty notebook, executed:    {executed:6.1f} /min")
    print(f"  nbconvert, empty notebook, export only: {exported:6.1f} /min")
    print(f"ratio ours / nbconvert executed empty notebook: {ours / executed:.2f}")
    print(f"ratio ours / nbconvert export-only empty notebook: {ours / exported:.3f}")


if __name__ == "__main__":
    main()
