"""Time until the renewal scoring app is interactive, against an empty notebook in the same
Voilà server, in headless Chromium. Prints both times and their ratio.

Prints the P1 ratio twice: with cold kernels and with preheated ones (a server each). Times are
taken in the page (:data:`MARKS`, from navigation start): the empty page when Voilà shows its
cells; the app when its picker's 打开 button appears (clicked at once) and when the sheet's last
item row appears.

Run: ``.venv/bin/python bench/bench_app_interactive.py [--runs N] [--mode cold|preheated]``
(``make bench`` runs all). Its files are kept in a temporary directory.
"""

from __future__ import annotations

import argparse
import json
import shutil
import statistics
import sys
import tempfile
import time
from datetime import date
from pathlib import Path
from typing import Any

from sqlalchemy import select

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from casework import registry  # noqa: E402
from casework.registry import scenario  # noqa: E402
from casework.store.engine import open_store  # noqa: E402
from casework.store.tables import filings  # noqa: E402
from tests.e2e.conftest import CHROMIUM, CHROMIUM_ARGS, start_voila, stop  # noqa: E402

EMPTY = {
    "cells": [{"cell_type": "markdown", "metadata": {}, "source": ["空白页"]}],
    "metadata": {
        "kernelspec": {"display_name": "Python 3", "language": "python", "name": "python3"}
    },
    "nbformat": 4,
    "nbformat_minor": 4,
}


def build_case(db_path: Path) -> str:
    store = open_store(f"sqlite:///{db_path}")
    scenario.seed_reference(store)
    experts = scenario.seed_city_users(store, "370100")
    for year in (2025, 2026, 2027, 2028):
        scenario.ensure_city_catalog(store, "370100", year, ["P001"])
    inst = scenario.new_institution(store, "370100", "济南鲁锦织造有限公司", 1)
    ids = scenario.select_and_file(
        store,
        city_code="370100",
        institution_id=inst,
        project_codes=["P001"],
        on=date(2025, 3, 3),
        experts=experts,
    )
    with store.read() as conn:
        term_end = conn.execute(
            select(filings.c.term_end).where(filings.c.id == ids["filing_id"])
        ).scalar_one()
    case = scenario.renew(
        store,
        city_code="370100",
        filing_id=ids["filing_id"],
        term_end=term_end,
        experts=experts,
        stop_at="评估中",
    )
    registry.declare_conflict_of_interest(
        store, scenario.expert(experts[0]), panel_id=case["panel_id"], no_conflict=True
    )
    store.dispose()
    return experts[0]


MARKS = """
(() => {
  // Times (ms after navigation start) taken in the page as the DOM changes: when the empty page's
  // text is shown, when the picker's 打开 button appears (clicked at once, as by a person who
  // knows where to click), when the sheet's last item row appears.
  const marks = (window.__cwMarks = {});
  const check = () => {
    const now = performance.now();
    // Voilà keeps the cells hidden (#rendered_cells, display: none) until its page script is
    // ready: nothing counts before they are shown
    const cells = document.getElementById("rendered_cells");
    if (!cells || cells.style.display === "none") return;
    if (marks.empty === undefined && cells.textContent.includes("空白页")) marks.empty = now;
    if (marks.picker === undefined) {
      const open = [...document.querySelectorAll("button")].find(
        (b) => b.textContent.trim() === "打开");
      if (open) { marks.picker = now; open.click(); }
    }
    if (marks.sheet === undefined && document.querySelector(".cw-item-R43")) marks.sheet = now;
  };
  new MutationObserver(check).observe(document, {
    childList: true, subtree: true, attributes: true, attributeFilter: ["style"]});
  document.addEventListener("DOMContentLoaded", check);
})();
"""
"""Measured in the page, not by Playwright's waits: those poll at widening intervals (up to half a
second), which added up to ~0.5 s to each wait at random — the app's three waits against the empty
page's one skewed the ratio."""


def mark_of(page: Any, mark: str, timeout: float = 120) -> float:
    """Seconds from navigation start to ``mark`` (asked every 50 ms: the page keeps the time;
    the page's CSP forbids Playwright's own wait_for_function)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        found = page.evaluate(f"window.__cwMarks && window.__cwMarks.{mark}")
        if found is not None:
            return float(found) / 1000
        time.sleep(0.05)
    raise TimeoutError(f"{mark} not reached in {timeout} s")


def measure(work: Path, notebooks: Path, expert: str, runs: int, preheat: bool) -> dict[str, float]:
    """Median seconds until each page is interactive, in one server (cold or preheated)."""
    from playwright.sync_api import sync_playwright

    server = start_voila(
        f"sqlite:///{work / 'casework.db'}",
        expert,
        work / f"voila-{'preheated' if preheat else 'cold'}.log",
        notebooks=notebooks,
        preheat=preheat,
        preheated=("empty", "renewal_scoring"),
    )
    timings: dict[str, list[float]] = {"empty": [], "renewal_scoring": [], "picker": []}
    try:
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
            if preheat:
                time.sleep(15)  # the pool fills
            for run in range(runs + 1):  # the first round warms caches and is dropped
                for name, mark in (("empty", "empty"), ("renewal_scoring", "sheet")):
                    page = browser.new_page()
                    page.add_init_script(MARKS)
                    page.goto(server.url(name), wait_until="commit")
                    elapsed = mark_of(page, mark)
                    if run:
                        timings[name].append(elapsed)
                        if name == "renewal_scoring":
                            timings["picker"].append(mark_of(page, "picker"))
                    page.goto("about:blank")  # leaving the page ends its kernel
                    page.close()
                    if preheat:
                        time.sleep(8)  # let the pool refill, as between two real visitors
            browser.close()
    finally:
        stop(server)
    return {name: statistics.median(times) for name, times in timings.items()}


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument(
        "--mode", choices=("both", "cold", "preheated"), default="both", help="server kernels"
    )
    args = parser.parse_args()
    import os

    with tempfile.TemporaryDirectory(prefix="casework-bench-") as tmp:
        work = Path(tmp)
        notebooks = work / "notebooks"
        shutil.copytree(REPO / "notebooks", notebooks)
        (notebooks / "empty.ipynb").write_text(
            json.dumps(EMPTY, ensure_ascii=False), encoding="utf-8"
        )
        expert = build_case(work / "casework.db")
        modes = ("cold", "preheated") if args.mode == "both" else (args.mode,)
        for mode in modes:
            t = measure(work, notebooks, expert, args.runs, preheat=mode == "preheated")
            print(
                f"[{mode}] empty notebook interactive:  {t['empty']:.2f} s (median of {args.runs})"
            )
            print(
                f"[{mode}] renewal scoring interactive: {t['renewal_scoring']:.2f} s "
                f"(its picker shown at {t['picker']:.2f} s and clicked, sheet of 43 items shown)"
            )
            print(
                f"[{mode}] P1 ratio app/empty: {t['renewal_scoring'] / t['empty']:.2f}x "
                f"(goal ≤ 1.3x; load {os.getloadavg()[0]:.1f})"
            )
    return 0


if __name__ == "__main__":
    sys.exit(main())
