"""Load test: N evaluators score and submit at once through real widget messages on real kernels.

Each evaluator is a kernel of their own (``jupyter_client.KernelManager``, ``CASEWORK_USER`` set
per kernel, one shared ``CASEWORK_DB``) that builds the 续期评估 app's sheet, exactly as Voilà
would. The driver then plays the browser: it sends the sheet's form (one widget model) a message
for each verdict, points and veto answer, and a ``click`` to the submit button, concurrently
for every evaluator. Afterwards it checks that every submission is stored exactly once, that no
command hit a lock error, and that the audit chain verifies; it reports submissions per minute
and the memory (RSS) of every kernel.

    .venv/bin/python bench/load_evaluators.py --evaluators 20 [--db postgresql+psycopg://…]
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from jupyter_client.manager import KernelManager
from sqlalchemy import func, select

from casework import registry as r
from casework.registry import scenario
from casework.store import audit
from casework.store.engine import open_store
from casework.store.tables import refusals, sheets

CITY = "370100"
GROUP_SIZE = 3
SETUP = """
import json
from casework import registry
from casework.ui.context import open_context
from casework.ui.renewal_scoring import RenewalScoringSheet
ctx = open_context()
ctx.run(registry.declare_conflict_of_interest, panel_id={panel}, no_conflict=True)
sheet = RenewalScoringSheet(ctx, {panel})
print(json.dumps({{"table": sheet.form.widget.model_id, "vetoes": list(sheet.vetoes),
                  "submit": sheet.submit_button.model_id}}, default=str))
"""


def answer(key: str, field: str, value: Any) -> dict[str, Any]:
    """One answer on the form, as its view sends it on a click or a choice."""
    return {"method": "custom", "content": {"id": key, "field": field, "value": value}}


@dataclass
class Evaluator:
    username: str
    panel_id: int
    km: KernelManager | None = None
    rss_mb: float = 0.0
    seconds: float = 0.0
    error: str = ""
    ids: dict[str, Any] = field(default_factory=dict)


def renewal_group(store: Any, serial: int, start: date, members: list[str], name: str) -> int:
    """A filing taken over from the pilot (term from ``start``) whose renewal group of
    ``members`` is scoring (评估中); returns the group's panel id."""
    from casework.store.tables import filings

    inst = scenario.new_institution(store, CITY, name, 100 + serial)
    filing = r.register_existing_filing(
        store,
        scenario.city_officer(CITY),
        institution_id=inst,
        code=f"3701LOAD{serial:04d}",
        term_start=start,
        project_codes=["P001"],
        filed_on=start,
        source="试点备案",
    )
    with store.read() as conn:
        term_end = conn.execute(
            select(filings.c.term_end).where(filings.c.id == filing)
        ).scalar_one()
    case = scenario.renew(
        store,
        city_code=CITY,
        filing_id=filing,
        term_end=term_end,
        experts=members,
        scores=tuple(90.0 for _ in members),
        stop_at="评估中",
    )
    return int(case["panel_id"])


def prepare(db: str, n: int) -> list[Evaluator]:
    """N (≥ 3) experts in N // 3 renewal groups of one city (3–5 each, REN-04), all 评估中."""
    store = open_store(db)
    scenario.seed_reference(store)
    experts = scenario.seed_city_users(store, CITY, experts=n)
    scenario.ensure_city_catalog(store, CITY, 2022, ("P001",))
    evaluators = []
    starts = list(range(0, n - n % GROUP_SIZE, GROUP_SIZE))
    for g in starts:
        members = experts[g : g + GROUP_SIZE] if g != starts[-1] else experts[g:]
        start = date(2022, 9, 1) + timedelta(days=g)
        panel = renewal_group(store, g, start, members, f"济南负载测试机构{g}")
        evaluators += [Evaluator(m, panel) for m in members]
    store.dispose()
    return evaluators


def execute(kc: Any, code: str, timeout: float = 300) -> str:
    """Run code in the kernel; its stdout (raises on an error)."""
    msg_id = kc.execute(code, store_history=False)
    out: list[str] = []
    while True:
        msg = kc.get_iopub_msg(timeout=timeout)
        if msg["parent_header"].get("msg_id") != msg_id:
            continue
        kind, content = msg["msg_type"], msg["content"]
        if kind == "stream":
            out.append(content["text"])
        elif kind == "error":
            raise RuntimeError("\n".join(content["traceback"])[-2000:])
        elif kind == "status" and content["execution_state"] == "idle":
            return "".join(out)


def comm(kc: Any, comm_id: str, data: dict[str, Any]) -> None:
    """One widget message, as the browser sends it."""
    kc.shell_channel.send(kc.session.msg("comm_msg", {"comm_id": comm_id, "data": data}))


def start(ev: Evaluator, db: str) -> None:
    env = dict(os.environ, CASEWORK_USER=ev.username, CASEWORK_DB=db)
    env.pop("JUPYTERHUB_USER", None)
    ev.km = KernelManager(kernel_name="python3")
    ev.km.start_kernel(env=env)


def score(ev: Evaluator, go: threading.Barrier) -> None:
    """Fill the whole sheet through widget messages, then click submit."""
    assert ev.km is not None
    kc = ev.km.blocking_client()
    kc.start_channels()
    try:
        kc.wait_for_ready(timeout=120)
        ev.ids = json.loads(execute(kc, SETUP.format(panel=ev.panel_id)).strip().splitlines()[-1])
        go.wait(timeout=600)
        began = time.monotonic()
        rows = scenario.renewal_rows(90.0)
        table = ev.ids["table"]
        for row in rows:
            comm(kc, table, answer(row["item_id"], "verdict", row["verdict"]))
        for row in rows:  # the kernel handles them in order: each verdict set its points first
            comm(kc, table, answer(row["item_id"], "points", row["points"]))
        for veto in ev.ids["vetoes"]:
            comm(kc, table, answer(veto, "veto", "否"))
        comm(kc, ev.ids["submit"], {"method": "custom", "content": {"event": "click"}})
        execute(kc, "pass")  # the kernel handles shell messages in order: all of the above ran
        ev.seconds = time.monotonic() - began
        import psutil

        ev.rss_mb = psutil.Process(ev.km.provisioner.pid).memory_info().rss / 2**20  # type: ignore[union-attr]
    except Exception as exc:  # reported in the summary
        ev.error = f"{type(exc).__name__}: {exc}"
        go.abort()
    finally:
        kc.stop_channels()


def check(db: str, evaluators: list[Evaluator]) -> dict[str, Any]:
    store = open_store(db)
    with store.read() as conn:
        submitted = conn.execute(
            select(sheets.c.panel_id, sheets.c.author, func.count())
            .where(sheets.c.status == "已提交", sheets.c.kind == "续期")
            .group_by(sheets.c.panel_id, sheets.c.author)
        ).all()
        refused = conn.execute(select(refusals.c.actor, refusals.c.reason)).all()
        problems = audit.verify(conn)
    store.dispose()
    expected = {(e.panel_id, e.username) for e in evaluators}
    stored = {(p, a): n for p, a, n in submitted}
    return {
        "missing": sorted(expected - set(stored)),
        "duplicates": sorted(k for k, n in stored.items() if n != 1),
        "lock_errors": [x for x in refused if "locked" in x[1] or "锁" in x[1]],
        "refusals": [tuple(x) for x in refused],
        "audit_problems": [str(p) for p in problems],
    }


def run(db: str, n: int) -> dict[str, Any]:
    evaluators = prepare(db, n)
    go = threading.Barrier(len(evaluators))
    try:
        starters = [threading.Thread(target=start, args=(e, db)) for e in evaluators]
        for t in starters:
            t.start()
        for t in starters:
            t.join()
        began = time.monotonic()
        threads = [threading.Thread(target=score, args=(e, go)) for e in evaluators]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        wall = max(e.seconds for e in evaluators) or time.monotonic() - began
    finally:
        for e in evaluators:
            if e.km is not None and e.km.has_kernel:
                e.km.shutdown_kernel(now=True)
    result = check(db, evaluators)
    rss = [e.rss_mb for e in evaluators if e.rss_mb]
    result |= {
        "evaluators": len(evaluators),
        "errors": [f"{e.username}: {e.error}" for e in evaluators if e.error],
        "seconds": round(wall, 1),
        "submissions_per_minute": round(len(evaluators) / wall * 60, 1) if wall else 0.0,
        "rss_mb_per_kernel": {
            "min": round(min(rss), 1) if rss else 0,
            "max": round(max(rss), 1) if rss else 0,
            "mean": round(sum(rss) / len(rss), 1) if rss else 0,
        },
    }
    return result


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--evaluators", type=int, default=20)
    parser.add_argument("--db", default="", help="store URL (default: a new SQLite file)")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as tmp:
        db = args.db or f"sqlite:///{Path(tmp) / 'load.db'}"
        result = run(db, args.evaluators)
    ok = (
        not (result["missing"] or result["duplicates"] or result["lock_errors"] or result["errors"])
        and not result["audit_problems"]
    )
    print(
        json.dumps(
            {k: v for k, v in result.items() if k != "refusals"}, ensure_ascii=False, indent=1
        )
    )
    print(
        f"{result['evaluators']} 名专家同时评分提交：{result['seconds']} 秒，"
        f"每分钟 {result['submissions_per_minute']} 份；每个内核内存 "
        f"{result['rss_mb_per_kernel']['mean']} MB（最大 {result['rss_mb_per_kernel']['max']} MB）"
        f"；{'通过' if ok else '失败'}"
    )
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
