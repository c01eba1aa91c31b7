"""Bench: 50 archived reports in one batch against 50 ``casework report`` runs, as a ratio.

Ours: ``casework report filing --all`` — one process archives every completed filing not yet
archived (one kernel started once with casework imported and reused, the PDF printed from the
static page by one Chromium, execution overlapping the export of the report before: both
cores). Baseline: ``casework report filing --case CODE``, one process a report (its own
kernel and Chromium), timed over ``--singles`` cases and taken per report. Every report is
HTML + PDF/A, hashed (SHA-256, SM3) and recorded in the chained manifest; the archive is
verified at the end. Everything is in a temporary directory, except the report font reduced
once a machine (``casework.reports.fonts.reduced``, kept in the user's cache folder): it is made
or read before anything is timed, so neither side pays for making it.

    python bench/bench_reports.py [--cases 50] [--singles 5]
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

from casework import registry as r
from casework.registry import scenario
from casework.reports import fonts
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


TARGET = 5.0


def casework(url: str, *args: str) -> float:
    """Seconds one ``casework`` command line takes (a fresh process, as a clerk runs it)."""
    started = time.perf_counter()
    subprocess.run(
        [sys.executable, "-m", "casework", "--db", url, *args],
        check=True,
        stdout=subprocess.DEVNULL,
    )
    return time.perf_counter() - started


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--cases", type=int, default=50, help="reports in the batch")
    parser.add_argument("--singles", type=int, default=5, help="single runs timed")
    args = parser.parse_args()
    started = time.perf_counter()
    with fonts.building_allowed():  # as a batch of fonts.BUILD_AT reports or more does
        for weight in fonts.FACES:
            fonts.reduced(weight)
    reduced = time.perf_counter() - started
    load = os.getloadavg()[0]
    with tempfile.TemporaryDirectory(prefix="casework-bench-") as tmp:
        folder = Path(tmp)
        os.environ["CASEWORK_ARCHIVE"] = str(folder / "archive")
        url = seed(folder, args.cases + args.singles)
        singles = [
            casework(url, "report", "filing", "--case", f"3701ZK2024{i:03d}")
            for i in range(args.cases, args.cases + args.singles)
        ]
        batch = casework(url, "report", "filing", "--all")
        verified = casework(url, "archive", "verify")
        store = open_store(url, migrate=False)
        from casework.archive import entries

        archived = len(entries(store))
        store.dispose()
    assert archived == args.cases + args.singles, archived
    single = sum(singles) / len(singles)
    ratio = single * args.cases / batch
    print(f"load average at start: {load:.1f} (2 cores)")
    print(f"report fonts reduced or read from {fonts.cache_dir()} in {reduced:.1f} s (not timed)")
    print(f"casework report, one process a report: {single:.2f} s a report ({args.singles} runs)")
    print(
        f"casework report --all, {args.cases} reports in one process: {batch:.1f} s "
        f"({batch / args.cases:.2f} s a report); archive verified in {verified:.1f} s"
    )
    print(
        f"ratio {args.cases} single runs / one batch: {ratio:.2f}x faster (target ≥ {TARGET:.0f}x)"
    )
    return 0 if ratio >= TARGET else 1


if __name__ == "__main__":
    sys.exit(main())
