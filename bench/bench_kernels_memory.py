"""P5: the memory 20 evaluators with an open Attachment 4 sheet add, and the kernels left 30 s
after they close their pages — through real Voilà servers, kernels and headless Chromium.

Each evaluator has a server of their own (``casework serve --user``, as under the hub) and opens
the 续期评估 app and their group's sheet, as in ``bench/load_evaluators.py``. Printed: the
machine's used memory (total − available) before and after the sheets are open, the part of it
that is the browser (which runs on the evaluators' own machines in service), the kernels' own
proportional memory (PSS), and the kernel count 30 s after every page was closed. P5 is judged
on the servers' own added PSS (their process trees): the machine is shared, so its used memory
moves with other people's work too. All files are
kept in a temporary directory.

    .venv/bin/python bench/bench_kernels_memory.py [--evaluators 20]
"""

from __future__ import annotations

import argparse
import shutil
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import psutil

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from bench.load_evaluators import prepare  # noqa: E402
from casework import registry  # noqa: E402
from casework.forkserver import kernels_of  # noqa: E402
from casework.registry import scenario  # noqa: E402
from casework.store.engine import open_store  # noqa: E402
from tests.e2e.conftest import CHROMIUM, CHROMIUM_ARGS, VoilaServer, start_voila, stop  # noqa: E402

MIB = 2**20
SETTLE = 30  # seconds after the pages closed (P5)


def used() -> int:
    memory = psutil.virtual_memory()
    return int(memory.total - memory.available)


def tree(pid: int) -> list[psutil.Process]:
    try:
        root = psutil.Process(pid)
        return [root, *root.children(recursive=True)]
    except psutil.Error:
        return []


def kernels(server: VoilaServer) -> list[psutil.Process]:
    return kernels_of(server.process.pid)


def fork_servers() -> list[psutil.Process]:
    """The shared fork servers (casework.forkserver) and the kernels forked from them."""
    found: list[psutil.Process] = []
    for p in psutil.process_iter():
        try:
            if "casework.forkserver" in " ".join(p.cmdline()):
                found += tree(p.pid)
        except psutil.Error:
            continue
    return found


def server_processes(servers: list[VoilaServer]) -> list[psutil.Process]:
    """Every process of the page servers: their trees and the fork servers' (once each)."""
    seen: dict[int, psutil.Process] = {}
    for p in [q for s in servers for q in tree(s.process.pid)] + fork_servers():
        seen.setdefault(p.pid, p)
    return list(seen.values())


def pss(processes: list[psutil.Process]) -> int:
    total = 0
    for p in processes:
        try:
            total += int(getattr(p.memory_full_info(), "pss", p.memory_info().rss))
        except psutil.Error:
            continue
    return total


def rss(processes: list[psutil.Process]) -> int:
    total = 0
    for p in processes:
        try:
            total += int(p.memory_info().rss)
        except psutil.Error:
            continue
    return total


def browser_processes() -> list[psutil.Process]:
    return [
        p for p in psutil.process_iter(["name"]) if "chrom" in (p.info.get("name") or "").lower()
    ]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--evaluators", type=int, default=20)
    args = parser.parse_args()
    from playwright.sync_api import sync_playwright

    work = Path(tempfile.mkdtemp(prefix="casework-bench-"))
    servers: list[VoilaServer] = []
    try:
        db = f"sqlite:///{work / 'casework.db'}"
        evaluators = prepare(db, args.evaluators)
        store = open_store(db)
        for e in evaluators:
            registry.declare_conflict_of_interest(
                store, scenario.expert(e.username), panel_id=e.panel_id, no_conflict=True
            )
        store.dispose()
        for i, e in enumerate(evaluators):
            servers.append(start_voila(db, e.username, work / f"voila-{i}.log"))
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
            time.sleep(3)
            before, browser_before = used(), pss(browser_processes())
            servers_before = pss(server_processes(servers))
            pages: list[Any] = []
            began = time.perf_counter()
            for server in servers:
                page = browser.new_page()
                page.goto(server.url("renewal_scoring"), wait_until="commit")
                page.get_by_role("button", name="打开").click(timeout=180_000)
                page.locator(".cw-item-R43").wait_for(timeout=180_000)
                pages.append(page)
            opened = time.perf_counter() - began
            time.sleep(3)
            after, browser_after = used(), pss(browser_processes())
            servers_after = pss(server_processes(servers))
            live = [k for s in servers for k in kernels(s)]
            kernel_pss, kernel_rss = pss(live), rss(live)
            for page in pages:
                page.goto("about:blank")  # leaving the page, as closing the tab
                page.close()
            time.sleep(SETTLE)
            left = sum(len(kernels(s)) for s in servers)
            browser.close()
    finally:
        for server in servers:
            stop(server)
        shutil.rmtree(work, ignore_errors=True)
    n = len(servers)
    added = (after - before) / MIB
    browser_added = (browser_after - browser_before) / MIB
    print(f"evaluators: {n}, sheets opened in {opened:.0f} s; load {psutil.getloadavg()[0]:.1f}")
    print(f"machine used memory: {before / MIB:.0f} MiB before, {after / MIB:.0f} MiB after")
    server_side = (servers_after - servers_before) / MIB
    print(
        f"added: {added:.0f} MiB in all (a shared machine: others' work counts too), of which the "
        f"browser {browser_added:.0f} MiB (PSS), so ≈ {added - browser_added:.0f} MiB server side"
    )
    print(
        f"added by the servers and their kernels (PSS): {server_side:.0f} MiB "
        f"({server_side / n:.0f} MiB each)"
    )
    print(
        f"kernels: {len(live)} alive with sheets open, PSS {kernel_pss / MIB:.0f} MiB "
        f"({kernel_pss / MIB / max(len(live), 1):.0f} MiB each), RSS {kernel_rss / MIB:.0f} MiB"
    )
    print(f"kernels alive {SETTLE} s after the pages closed: {left}")
    ok = server_side <= 2048 and left == 0
    print(f"P5 (≤ 2 GiB added, no kernel left): {'met' if ok else 'not met'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
