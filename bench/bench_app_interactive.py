"""Time until the renewal scoring app is interactive, against an empty notebook in the same
Voilà server, in headless Chromium. Prints both times and their ratio.

Prints the P1 ratio twice: with cold kernels and with preheated ones (a server each). Times are
taken in the page (:data:`MARKS`, from navigation start): the empty page when Voilà shows its
cells; the app when its picker's 打开 button appears (clicked at once) and when the sheet's last
item row appears; the same app opened from the index's 待办 link, which names the group
(``?panel=``), when the sheet's last row appears. For reference it also times a page with one
ipywidgets button and nothing else: what any widget page costs over an empty one in Voilà (its
widget manager starting), the floor under the app's ratio.

Each page opens in a fresh browser profile (``--cache first``, a first visit) or in one profile
kept across pages (``--cache warm``, a returning visitor). Every run is printed; the ratios are
given as the ratio of the medians and as the median of each round's own ratio (paired: the app
and the empty page measured a few seconds apart, under the same load).

Run: ``.venv/bin/python bench/bench_app_interactive.py [--runs N] [--mode cold|preheated]
[--cache first|warm]`` (``make bench`` runs all). Its files are kept in a temporary directory.
"""

from __future__ import annotations

import argparse
import json
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from bench.pagetimes import mark_of, marks_script  # noqa: E402
from casework import registry  # noqa: E402
from casework.registry import scenario  # noqa: E402
from casework.store.engine import open_store  # noqa: E402
from tests.e2e.conftest import CHROMIUM, CHROMIUM_ARGS, start_voila, stop  # noqa: E402

TEXT_CELL = {"cell_type": "markdown", "metadata": {}, "source": ["空白页"]}
EMPTY = {
    "cells": [TEXT_CELL],
    "metadata": {
        "kernelspec": {"display_name": "Python 3", "language": "python", "name": "python3"}
    },
    "nbformat": 4,
    "nbformat_minor": 4,
}
ONE_BUTTON = {
    **EMPTY,
    "cells": [
        TEXT_CELL,
        {
            "cell_type": "code",
            "execution_count": None,
            "metadata": {},
            "outputs": [],
            "source": ["import ipywidgets\n", 'ipywidgets.Button(description="打开")'],
        },
    ],
}


def build_case(db_path: Path) -> tuple[str, int]:
    store = open_store(f"sqlite:///{db_path}")
    scenario.seed_reference(store)
    case = scenario.renewing(store, city_code="370100", name="济南鲁锦织造有限公司", serial=1)
    experts = case["experts"]
    registry.declare_conflict_of_interest(
        store, scenario.expert(experts[0]), panel_id=case["panel_id"], no_conflict=True
    )
    store.dispose()
    return experts[0], int(case["panel_id"])


MARKS = marks_script(
    """
    // the empty page's text shown; the picker's 打开 button appearing (clicked at once, as by a
    // person who knows where to click); the sheet's last item row appearing
    if (marks.empty === undefined && cells.textContent.includes("空白页")) marks.empty = now;
    if (marks.button === undefined && document.location.pathname.endsWith("one_button.ipynb")
        && [...document.querySelectorAll("button")].some((b) => b.textContent.trim() === "打开"))
      marks.button = now;
    if (marks.picker === undefined && !document.location.pathname.endsWith("one_button.ipynb")) {
      const open = [...document.querySelectorAll("button")].find(
        (b) => b.textContent.trim() === "打开");
      if (open) { marks.picker = now; open.click(); }
    }
    if (marks.sheet === undefined && document.querySelector(".cw-item-R43")) marks.sheet = now;
"""
)


def measure(
    work: Path, notebooks: Path, who: tuple[str, int], runs: int, preheat: bool, warm: bool
) -> dict[str, float]:
    """Median seconds until each page is interactive, in one server (cold or preheated).

    ``warm``: every page opens in one browser profile, as a person who has been on the apps
    before (the browser keeps Voilà's scripts); otherwise each page opens in a fresh profile."""
    expert, panel = who
    from playwright.sync_api import sync_playwright

    server = start_voila(
        f"sqlite:///{work / 'casework.db'}",
        expert,
        work / f"voila-{'preheated' if preheat else 'cold'}.log",
        notebooks=notebooks,
        preheat=preheat,
        preheated=("empty", "one_button", "renewal_scoring"),
    )
    timings: dict[str, list[float]] = {
        "empty": [],
        "one_button": [],
        "renewal_scoring": [],
        "picker": [],
        "link": [],
    }
    try:
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
            profile = browser.new_context() if warm else None
            if preheat:
                time.sleep(15)  # the pool fills
            for run in range(runs + 1):  # the first round warms caches and is dropped
                pages = (
                    ("empty", "empty"),
                    ("one_button", "button"),
                    ("renewal_scoring", "sheet"),
                    ("link", "sheet"),
                )
                for name, mark in pages:
                    page = profile.new_page() if profile else browser.new_page()
                    page.add_init_script(MARKS)
                    address = (
                        server.url("renewal_scoring") + f"&panel={panel}"  # the 待办 link
                        if name == "link"
                        else server.url(name)
                    )
                    page.goto(address, wait_until="commit")
                    try:
                        elapsed = mark_of(page, mark)
                    except TimeoutError:  # what the server said, before its folder is gone
                        print(server.log.read_text(errors="replace")[-20000:], file=sys.stderr)
                        raise
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
    for name, times in timings.items():  # the spread behind each median
        print(f"  {name}: " + " ".join(f"{t:.2f}" for t in times), flush=True)
    medians = {name: statistics.median(times) for name, times in timings.items()}
    for name in ("renewal_scoring", "link"):  # each run against the empty page of its own round
        paired = [app / empty for app, empty in zip(timings[name], timings["empty"], strict=True)]
        medians[f"{name}_paired"] = statistics.median(paired)
    return medians


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument(
        "--mode", choices=("both", "cold", "preheated"), default="both", help="server kernels"
    )
    parser.add_argument(
        "--cache",
        choices=("both", "first", "warm"),
        default="first",
        help="first visit (a fresh browser profile per page) or a returning visitor",
    )
    args = parser.parse_args()
    import os

    with tempfile.TemporaryDirectory(prefix="casework-bench-") as tmp:
        work = Path(tmp)
        notebooks = work / "notebooks"
        shutil.copytree(REPO / "notebooks", notebooks)
        for name, notebook in (("empty", EMPTY), ("one_button", ONE_BUTTON)):
            (notebooks / f"{name}.ipynb").write_text(
                json.dumps(notebook, ensure_ascii=False), encoding="utf-8"
            )
        who = build_case(work / "casework.db")
        modes = ("cold", "preheated") if args.mode == "both" else (args.mode,)
        caches = ("first", "warm") if args.cache == "both" else (args.cache,)
        for mode, cache in [(m, c) for c in caches for m in modes]:
            t = measure(
                work, notebooks, who, args.runs, preheat=mode == "preheated", warm=cache == "warm"
            )
            mode = f"{mode}, {cache} visit"
            print(
                f"[{mode}] empty notebook interactive:  {t['empty']:.2f} s (median of {args.runs})"
            )
            print(
                f"[{mode}] renewal scoring interactive: {t['renewal_scoring']:.2f} s "
                f"(its picker shown at {t['picker']:.2f} s and clicked, sheet of 43 items shown)"
            )
            print(
                f"[{mode}] renewal scoring from its 待办 link (?panel=, no picker): "
                f"{t['link']:.2f} s, {t['link'] / t['empty']:.2f}x the empty page"
            )
            print(
                f"[{mode}] one-button widget page:      {t['one_button']:.2f} s "
                f"({t['one_button'] / t['empty']:.2f}x the empty page: any widget page's floor)"
            )
            print(
                f"[{mode}] P1 ratio app/empty: {t['renewal_scoring'] / t['empty']:.2f}x "
                f"(goal ≤ 1.3x; load {os.getloadavg()[0]:.1f})"
            )
            print(
                f"[{mode}] P1 paired (median of each round's app/empty): through the picker "
                f"{t['renewal_scoring_paired']:.2f}x, from the 待办 link {t['link_paired']:.2f}x"
            )
            print(  # what a ratio hides: a change that speeds up every page raises it
                f"[{mode}] seconds over the empty page: one-button page "
                f"{t['one_button'] - t['empty']:+.2f}, app from its link "
                f"{t['link'] - t['empty']:+.2f}, through the picker "
                f"{t['renewal_scoring'] - t['empty']:+.2f}"
            )
    return 0


if __name__ == "__main__":
    sys.exit(main())
