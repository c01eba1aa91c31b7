"""The Voilà server killed in the middle of submissions (issue #8, the server half).

"Killing a kernel or the server in the middle of a submission loses nothing that was
acknowledged and leaves no half-written case." The kernel half is
``test_load_evaluators.py::test_a_kernel_killed_mid_saves_…``; this is the server half, on the
run's engine (SQLite, and PostgreSQL in the PostgreSQL run).
"""

from __future__ import annotations

import itertools
import json
import os
import signal
import threading
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import psutil
import pytest
from sqlalchemy import select

from casework import forkserver
from casework.domain import rubrics, rules, scoring
from casework.registry.sheets import DRAFT, SUBMITTED, renewal_frames
from casework.store import audit
from casework.store.engine import open_store
from casework.store.tables import audit_log, refusals, sheets
from tests.backend import store_url
from tests.e2e.conftest import VoilaServer, start_voila, stop
from tests.load.bench_load import load

from .voila_ws import (
    PageClosed,
    VoilaPage,
    model,
    score_table,
    status,
    update,
    updated_value,
    veto_ids,
)

pytestmark = pytest.mark.slow
scenario = load.scenario

GROUPS = 4
"""Renewal groups the expert sits on: one open page (one kernel) each."""
KILL_DURING = 2
"""The page whose submit click the kernel is handling when the server is killed (0-based)."""
ROWS = scenario.renewal_rows(90.0)
VETO_NO = "否"
ACK = "评分表已提交："
"""The page's status message after a stored submission (``评分表已提交：合计 … 分``)."""


def prepare(db: str, groups: int) -> tuple[str, dict[int, str]]:
    """One expert on ``groups`` renewal groups of 济南 (three members each, REN-04), all 评估中.

    Built like ``bench/load_evaluators.py``'s ``prepare``, except that the same expert sits on
    every group: a Voilà server acts as one identity (``CASEWORK_USER``), so several pages of
    one server are several groups of one expert. Returns the expert and panel → institution.
    """
    store = open_store(db)
    scenario.seed_reference(store)
    experts = scenario.seed_city_users(store, load.CITY, experts=3)
    scenario.ensure_city_catalog(store, load.CITY, 2022, ("P001",))
    panels: dict[int, str] = {}
    for g in range(groups):
        start = date(2022, 9, 1) + timedelta(days=3 * g)
        name = f"济南断电测试机构{g}"
        panels[load.renewal_group(store, g, start, experts, name)] = name
    store.dispose()
    return experts[0], panels


@dataclass
class Tab:
    """One browser tab on one group's scoring page, and how far it got."""

    panel_id: int
    institution: str
    page: VoilaPage | None = None
    ready: threading.Event = field(default_factory=threading.Event)
    go: threading.Event = field(default_factory=threading.Event)
    halfway: threading.Event = field(default_factory=threading.Event)
    submitting: threading.Event = field(default_factory=threading.Event)
    acked: threading.Event = field(default_factory=threading.Event)
    cut_off: bool = False
    error: str = ""


def open_sheet(page: VoilaPage, institution: str) -> dict[str, Any]:
    """Pick the group, sign the conflict-of-interest declaration (SUP-03), open the sheet."""
    st = page.states()
    picker = model(st, "DropdownModel", description="评估组")
    label = next(x for x in st[picker]["_options_labels"] if x.startswith(f"{institution}（"))
    page.choose(picker, st, label)
    page.idle(page.click(model(st, "ButtonModel", description="打开")))
    st = page.states()
    agree = model(st, "CheckboxModel", description="本人已阅读并作出上述承诺")
    page.comm(agree, update({"value": True}))
    page.idle(page.click(model(st, "ButtonModel", description="签署声明并进入评估")))
    return page.states()


def score(tab: Tab) -> None:
    """Fill the whole sheet one input at a time, as a person does, then submit."""
    page = tab.page
    assert page is not None
    try:
        st = open_sheet(page, tab.institution)
        table = score_table(st)
        vetoes = veto_ids(st, table)
        submit = model(st, "ButtonModel", description="提交评分表")
        tab.ready.set()
        tab.go.wait(timeout=300)
        for i, row in enumerate(ROWS):
            page.idle(page.answer(table, row["item_id"], "verdict", row["verdict"]))
            if i == len(ROWS) // 2:
                tab.halfway.set()
        for row in ROWS:  # the points each verdict allows (REN-07), where there is a choice
            if row["verdict"] == rules.VERDICT_PARTIAL:
                page.idle(page.answer(table, row["item_id"], "points", row["points"]))
        for veto in vetoes:
            page.idle(page.answer(table, veto, "veto", VETO_NO))
        click = page.click(submit)
        page.until(lambda m: status(m, click) == "busy")
        tab.submitting.set()
        page.until(lambda m: ACK in updated_value(m))
        tab.acked.set()
    except PageClosed:
        tab.cut_off = True
    except Exception as exc:
        tab.error = f"{type(exc).__name__}: {exc}"
    finally:
        tab.halfway.set()  # never keep the next tab waiting
        page.close()


def kernels_of(server: VoilaServer) -> list[psutil.Process]:
    """The server's kernels, started or forked for it (a forked kernel ends with its server)."""
    return forkserver.kernels_of(server.process.pid)


def audited_sheets(conn: Any) -> dict[int, dict[str, Any]]:
    """Every sheet as the audit log's last entry touching it left it (insert, then updates)."""
    out: dict[int, dict[str, Any]] = {}
    for (changes,) in conn.execute(select(audit_log.c.changes).order_by(audit_log.c.seq)):
        for change in json.loads(changes):
            if change["table"] != "sheets":
                continue
            key = change["key"]
            sheet_id = int(key["id"] if isinstance(key, dict) else key)
            out[sheet_id] = {**out.get(sheet_id, {}), **change["after"]}
    return out


def as_tuples(rows: list[dict[str, Any]]) -> list[tuple[Any, ...]]:
    return [
        (x["item_id"], x["verdict"], None if x["points"] is None else float(x["points"]))
        for x in rows
    ]


def test_the_voila_server_killed_mid_submissions_loses_no_acknowledged_sheet_and_leaves_none_half_written(  # noqa: E501
    tmp_path: Path,
) -> None:
    """One expert has a scoring page open for each of four renewal groups on one standalone
    Voilà server, started as ``casework serve`` starts it. Each page is an HTTP GET and a kernel
    websocket driven like a browser (``voila_ws``): the expert signs the declaration, fills
    the sheet input by input (each change saves a draft) and submits; a submission is
    acknowledged when the page's message "评分表已提交：合计 … 分" reaches the browser.

    The pages start one after another (each when the one before is half filled), so when the
    third page's kernel has begun handling its submit click — the "busy" status for that click
    has arrived, its "submitted" message has not — the first two are acknowledged and the
    fourth is half filled. Then the server process gets SIGKILL. Its kernels see their parent
    gone and exit on their own (ipykernel's parent poller); any still alive after a few seconds
    is killed too, so nothing leaks.

    The store then holds every acknowledged submission, submitted exactly once and whole; every
    sheet in it is either a consistent draft or a whole submitted sheet, and is exactly what
    the last audited command wrote (no write without its audit entry, no audit entry without
    its write); the audit chain verifies and nothing was refused.
    """
    db = store_url(tmp_path / "x.db")
    expert, panels = prepare(db, GROUPS)
    tabs = [Tab(p, name) for p, name in panels.items()]
    server = start_voila(db, expert, tmp_path / "voila.log")
    base = f"http://127.0.0.1:{server.opts.port}"
    threads: list[threading.Thread] = []
    kernels: list[psutil.Process] = []
    try:

        def open_tab(tab: Tab) -> None:
            try:
                tab.page = VoilaPage(base, "renewal_scoring", server.opts.token)
            except Exception as exc:
                tab.error = f"opening the page: {type(exc).__name__}: {exc}"

        openers = [threading.Thread(target=open_tab, args=(t,)) for t in tabs]
        for t in openers:
            t.start()
        for t in openers:
            t.join()
        assert [t.error for t in tabs if t.error] == []
        threads = [threading.Thread(target=score, args=(t,), daemon=True) for t in tabs]
        for t in threads:
            t.start()
        for tab in tabs:
            assert tab.ready.wait(timeout=180) or tab.error, "the sheet did not open"
        assert [t.error for t in tabs if t.error] == []

        tabs[0].go.set()
        for before, after in itertools.pairwise(tabs):
            threading.Thread(
                target=lambda b=before, a=after: b.halfway.wait(300) and a.go.set(), daemon=True
            ).start()
        in_flight = tabs[KILL_DURING]
        assert in_flight.submitting.wait(timeout=300), in_flight.error or "no submit in flight"
        kernels = kernels_of(server)
        os.kill(server.process.pid, signal.SIGKILL)
        server.process.wait(timeout=30)
    finally:
        for tab in tabs:
            tab.go.set()
        _gone, alive = psutil.wait_procs(kernels, timeout=5)
        for proc in alive:
            proc.kill()
        stop(server)
        for t in threads:
            t.join(timeout=30)

    acked = {t.panel_id for t in tabs if t.acked.is_set()}
    store = open_store(db)
    with store.read() as conn:
        stored = conn.execute(select(sheets).where(sheets.c.author == expert)).mappings().all()
        audited = audited_sheets(conn)
        refused = conn.execute(select(refusals.c.command, refusals.c.reason)).all()
        problems = audit.verify(conn)
    store.dispose()
    by_panel: dict[int, list[Any]] = {}
    for row in stored:
        by_panel.setdefault(int(row["panel_id"]), []).append(row)
    submitted = {p for p, rows in by_panel.items() if any(x["status"] == SUBMITTED for x in rows)}
    cut_off = [t.panel_id for t in tabs if t.cut_off]
    print(
        f"\nacknowledged {sorted(acked)}; stored submitted {sorted(submitted)}; "
        f"drafts {sorted(set(by_panel) - submitted)}; cut off {cut_off}; "
        f"kernels that outlived the server {len(alive)}/{len(kernels)}"
    )

    assert [t.error for t in tabs if t.error] == []
    assert len(acked) >= 1, "no submission was acknowledged before the kill"
    assert tabs[-1].panel_id not in acked, "the kill came after the last submission"
    assert acked <= submitted, f"acknowledged but not stored: {sorted(acked - submitted)}"
    rubric = rubrics.load("renewal")
    total = float(scoring.member_totals(rubric, renewal_frames(ROWS, [], "x")[0]).iloc[0])
    wanted = {(x["item_id"], x["verdict"], float(x["points"])) for x in ROWS}
    for panel, rows in by_panel.items():
        assert len(rows) == 1, f"panel {panel}: {len(rows)} sheets"
        sheet = rows[0]
        assert sheet["status"] in (DRAFT, SUBMITTED)
        if sheet["status"] == SUBMITTED:
            assert sorted(as_tuples(sheet["rows"])) == sorted(wanted)
            assert sheet["veto"] == scenario.veto_rows()
            assert sheet["total"] == total and sheet["submitted_at"] is not None
        else:
            assert sheet["total"] is None and sheet["submitted_at"] is None
            for item, verdict, points in as_tuples(sheet["rows"]):
                assert verdict is None or any(
                    w[0] == item and w[1] == verdict and points in (None, w[2]) for w in wanted
                ), f"panel {panel}: {item} {verdict} {points}"
        last = audited[int(sheet["id"])]
        assert (sheet["status"], sheet["rows"], sheet["veto"], sheet["total"]) == (
            last["status"],
            last["rows"],
            last["veto"],
            last["total"],
        ), f"panel {panel}: the stored sheet is not what its last audited write wrote"
    assert {int(x["panel_id"]) for x in stored} >= acked
    assert refused == []
    assert problems == []
    assert not [p for p in kernels if p.is_running() and p.status() != psutil.STATUS_ZOMBIE]
