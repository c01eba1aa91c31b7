"""Time until the renewal scoring app is interactive, against an empty notebook in the same
Voilà server, in headless Chromium. Prints both times and their ratio.

Run: ``.venv/bin/python bench/bench_app_interactive.py [--runs N]`` (``make bench`` runs all).
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


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--preheat", action="store_true", help="serve with preheated kernels")
    args = parser.parse_args()
    from playwright.sync_api import sync_playwright

    work = Path(tempfile.mkdtemp())
    notebooks = work / "notebooks"
    shutil.copytree(REPO / "notebooks", notebooks)
    (notebooks / "empty.ipynb").write_text(json.dumps(EMPTY, ensure_ascii=False), encoding="utf-8")
    expert = build_case(work / "casework.db")
    server = start_voila(
        f"sqlite:///{work / 'casework.db'}",
        expert,
        work / "voila.log",
        notebooks=notebooks,
        preheat=args.preheat,
    )
    timings: dict[str, list[float]] = {"empty": [], "renewal_scoring": []}
    try:
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
            for run in range(args.runs + 1):  # the first round warms caches and is dropped
                for name, ready in (("empty", "text=空白页"), ("renewal_scoring", "text=打开")):
                    page = browser.new_page()
                    start = time.perf_counter()
                    page.goto(server.url(name), wait_until="commit")
                    page.locator(ready).first.wait_for(timeout=120_000)
                    if name == "renewal_scoring":
                        page.get_by_role("button", name="打开").click()
                        page.locator(".cw-item-R43").wait_for(timeout=120_000)
                    elapsed = time.perf_counter() - start
                    if run:
                        timings[name].append(elapsed)
                    page.close()
                    if args.preheat:
                        time.sleep(8)  # let the pool refill, as between two real visitors
            browser.close()
    finally:
        stop(server)
    empty = statistics.median(timings["empty"])
    app = statistics.median(timings["renewal_scoring"])
    print(f"empty notebook interactive:   {empty:.2f} s (median of {args.runs})")
    print(f"renewal scoring interactive:  {app:.2f} s (picker opened, sheet of 43 items shown)")
    print(f"ratio app/empty: {app / empty:.2f}x")
    return 0


if __name__ == "__main__":
    sys.exit(main())
