"""Time until the province dashboard is interactive, against an empty notebook in the same
Voilà server, in headless Chromium — at demo size and at 2,000 institutions. Prints both
ratios, and the dashboard's own data work (queries and drawing, measured in-process).

The demo province is built by ``casework demo`` (every record through the registry's
commands; cached in the system's temporary directory, ``casework-bench/``, by a hash of the
package's sources — nothing is written into the checkout). The 2,000-institution
province is that demo scaled up for this bench only: its institutions, filings, terms, scopes,
renewal cases, renewal groups and sheets, exit cases and incidents are copied with new ids,
codes and credit codes (bulk SQL, no commands, no audit entries).

    .venv/bin/python bench/bench_dashboard.py [--runs 3] [--demo-size 240] [--scaled 2000]
"""

from __future__ import annotations

import argparse
import hashlib
import json
import shutil
import sqlite3
import statistics
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

import pandas as pd

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from bench.pagetimes import mark_of, marks_script  # noqa: E402
from casework.domain.identifiers import make_uscc  # noqa: E402
from tests.e2e.conftest import CHROMIUM, CHROMIUM_ARGS, start_voila, stop  # noqa: E402

EMPTY = {
    "cells": [{"cell_type": "markdown", "metadata": {}, "source": ["空白页"]}],
    "metadata": {
        "kernelspec": {"display_name": "Python 3", "language": "python", "name": "python3"}
    },
    "nbformat": 4,
    "nbformat_minor": 4,
}
TODAY = date(2026, 10, 15)
READY = '.cw-kpi[data-status="有效"]'
# the copied tables: {column: the table whose ids it holds (shifted by that table's stride)}
COPIED: dict[str, dict[str, str]] = {
    "institutions": {"id": "institutions"},
    "filings": {"id": "filings", "institution_id": "institutions"},
    "filing_terms": {"filing_id": "filings"},
    "filing_projects": {"id": "filing_projects", "filing_id": "filings"},
    "renewal_cases": {"id": "renewal_cases", "filing_id": "filings"},
    "panels": {"id": "panels", "renewal_id": "renewal_cases"},
    "panel_members": {"panel_id": "panels"},
    "sheets": {"id": "sheets", "panel_id": "panels", "renewal_id": "renewal_cases"},
    "exit_cases": {"id": "exit_cases", "filing_id": "filings"},
    "incidents": {"id": "incidents", "institution_id": "institutions"},
}


def source_hash() -> str:
    """A digest of the sources that can change the demo (the pages and dashboards cannot)."""
    digest = hashlib.sha256()
    for path in sorted((REPO / "casework").rglob("*.py")):
        if not {"ui", "dashboard"} & set(path.relative_to(REPO / "casework").parts):
            digest.update(path.read_bytes())
    return digest.hexdigest()[:12]


def demo_store(size: int) -> Path:
    """The demo province of ``size`` institutions, built once per version of the sources."""
    from casework.demo import build_demo
    from casework.store.engine import open_store

    path = (
        Path(tempfile.gettempdir()) / "casework-bench" / f"dashboard-demo-{size}-{source_hash()}.db"
    )
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        partial = path.with_suffix(".partial")
        for old in path.parent.glob(f"{partial.name}*"):
            old.unlink()
        print(f"building the demo province ({size} institutions, once)…", flush=True)
        store = open_store(f"sqlite:///{partial}")
        build_demo(store, seed=2025, institutions=size, today=TODAY)
        store.dispose()
        partial.rename(path)
    return path


def scale(source: Path, target: Path, institutions: int) -> None:
    """Copy ``source`` to ``target`` and grow it to ``institutions`` by copying histories."""
    shutil.copyfile(source, target)
    with sqlite3.connect(target) as conn:
        frames = {t: pd.read_sql(f"SELECT * FROM {t}", conn) for t in COPIED}
        stride = {t: int(frames[t]["id"].max()) + 1 for t in COPIED if "id" in frames[t]}
        have = len(frames["institutions"])
        for k in range(1, -(-institutions // have)):
            wanted = min(have, institutions - k * have)
            chosen = set(frames["institutions"]["id"].head(wanted))
            keep = {
                "institutions": frames["institutions"]["id"].isin(chosen),
                "incidents": frames["incidents"]["institution_id"].isin(chosen),
            }
            filing_ids = set(
                frames["filings"].loc[frames["filings"].institution_id.isin(chosen), "id"]
            )
            for t in ("filings", "filing_terms", "filing_projects", "renewal_cases", "exit_cases"):
                col = "id" if t == "filings" else "filing_id"
                keep[t] = frames[t][col].isin(filing_ids)
            renewals = set(frames["renewal_cases"].loc[keep["renewal_cases"], "id"])
            keep["panels"] = frames["panels"]["renewal_id"].isin(renewals)
            panel_ids = set(frames["panels"].loc[keep["panels"], "id"])
            keep["panel_members"] = frames["panel_members"]["panel_id"].isin(panel_ids)
            keep["sheets"] = frames["sheets"]["panel_id"].isin(panel_ids) | frames["sheets"][
                "renewal_id"
            ].isin(renewals)
            for table, links in COPIED.items():
                part = frames[table][keep[table]].copy()
                for col, ref in links.items():
                    part[col] = part[col] + k * stride[ref]
                if table == "institutions":
                    part["name"] = part["name"] + f"（{k}）"
                    part["uscc"] = [
                        make_uscc(f"52{c}MJ{k:02d}{i:05d}"[:17])
                        for c, i in zip(part["city_code"], part["id"] % 100_000, strict=True)
                    ]
                if table == "filings":
                    part["code"] = part["code"] + f"-{k}"
                part.to_sql(table, conn, if_exists="append", index=False)


def data_work(db: Path) -> tuple[float, float]:
    """In-process seconds: the dashboard as first shown, and every tab drawn once more."""
    from casework.dashboard.board import Dashboard
    from casework.registry.catalog import actor_for
    from casework.store.engine import open_store
    from casework.ui.context import AppContext

    store = open_store(f"sqlite:///{db}", migrate=False)
    with store.read() as conn:
        ctx = AppContext(store, actor_for(conn, "province"), TODAY)
    Dashboard(ctx, "预热")  # imports and first connection
    start = time.perf_counter()
    board = Dashboard(ctx, "看板")
    first = time.perf_counter() - start
    start = time.perf_counter()
    for i in range(1, len(board.sections)):
        board.tabs.selected_index = i
    tabs = time.perf_counter() - start
    store.dispose()
    return first, tabs


MARKS = marks_script(
    f"""
    // the empty page's text shown; the dashboard's KPI and its first filter there
    if (marks.empty === undefined && cells.textContent.includes("空白页")) marks.empty = now;
    if (marks.dashboard_province === undefined && document.querySelector({READY!r})
        && document.querySelector(".cw-dashboard select")) marks.dashboard_province = now;
"""
)


def interactive(db: Path, work: Path, runs: int) -> dict[str, float]:
    """Median seconds until the empty notebook and the province dashboard are interactive."""
    from playwright.sync_api import sync_playwright

    notebooks = work / "notebooks"
    if not notebooks.exists():
        shutil.copytree(REPO / "notebooks", notebooks)
        (notebooks / "empty.ipynb").write_text(json.dumps(EMPTY), encoding="utf-8")
    server = start_voila(f"sqlite:///{db}", "province", work / "voila.log", notebooks=notebooks)
    timings: dict[str, list[float]] = {"empty": [], "dashboard_province": []}
    try:
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
            for run in range(runs + 1):  # the first round warms caches and is dropped
                for name in ("empty", "dashboard_province"):
                    page = browser.new_page()
                    page.add_init_script(MARKS)
                    page.goto(server.url(name), wait_until="commit")
                    elapsed = mark_of(page, name)
                    if run:
                        timings[name].append(elapsed)
                    page.close()
            browser.close()
    finally:
        stop(server)
    return {k: statistics.median(v) for k, v in timings.items()}


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--demo-size", type=int, default=240, help="the demo's institutions")
    parser.add_argument("--scaled", type=int, default=2000, help="institutions when scaled up")
    args = parser.parse_args()
    results = []
    with tempfile.TemporaryDirectory(prefix="casework-bench-") as tmp:
        work = Path(tmp)
        demo = work / "demo.db"
        shutil.copyfile(demo_store(args.demo_size), demo)
        scaled = work / "scaled.db"
        scale(demo, scaled, args.scaled)
        for label, db in (
            (f"demo ({args.demo_size} institutions)", demo),
            (f"{args.scaled} institutions", scaled),
        ):
            first, tabs = data_work(db)
            times = interactive(db, work, args.runs)
            results.append((label, times, first, tabs))
    for label, times, first, tabs in results:
        empty, board = times["empty"], times["dashboard_province"]
        print(f"[{label}]")
        print(f"  empty notebook interactive:      {empty:.2f} s (median of {args.runs})")
        print(f"  province dashboard interactive:  {board:.2f} s")
        print(f"  dashboard data work (first tab): {first:.2f} s = {first / board:.0%} of its load")
        print(f"  the other six tabs, drawn once:  {tabs:.2f} s")
        print(f"  ratio dashboard/empty: {board / empty:.2f}x")
    return 0


if __name__ == "__main__":
    sys.exit(main())
