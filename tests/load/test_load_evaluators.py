"""Evaluators scoring at once on real kernels through widget messages (bench/load_evaluators.py),
and a kernel killed in the middle of a series of saves: nothing acknowledged is lost and no
sheet is half-written. The kill test runs on both engines; the six evaluators on PostgreSQL (the
multi-user engine), and `make load` runs 20 evaluators on both."""

from __future__ import annotations

import os
import signal
import time
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from casework.store import audit
from casework.store.engine import open_store
from casework.store.tables import form_drafts
from tests.backend import postgres_only, store_url
from tests.load.bench_load import load

pytestmark = pytest.mark.slow


@pytest.fixture
def db(tmp_path: Path) -> str:
    """A fresh store on this run's engine (SQLite, or PostgreSQL in the PostgreSQL run)."""
    return store_url(tmp_path / "load.db")


@postgres_only(
    "many writers through real kernels run on the multi-user engine; SQLite's writers are "
    "tested by tests/store/test_concurrent_writers.py and 20 evaluators by `make load`"
)
def test_six_evaluators_submitting_at_once_are_each_stored_exactly_once(db: str) -> None:
    result = load.run(db, 6)

    assert result["errors"] == []
    assert result["missing"] == [] and result["duplicates"] == []
    assert result["lock_errors"] == []
    assert result["audit_problems"] == []
    assert result["submissions_per_minute"] > 0
    assert result["rss_mb_per_kernel"]["max"] > 0


SAVES = """
import sys
from casework import registry
from casework.registry import scenario
rows = scenario.renewal_rows(90.0)
for i in range(1, 10_000):
    payload = {{"saved": i, "rows": rows}}
    ctx.run(registry.save_form_draft, page="renewal_scoring", case_key="{panel}", payload=payload)
    print(f"ack {{i}}", flush=True)
"""


def test_a_kernel_killed_mid_saves_loses_no_acknowledged_save_and_leaves_no_half_sheet(
    db: str,
) -> None:
    ev = load.prepare(db, 3)[0]
    load.start(ev, db)
    kc = ev.km.blocking_client()
    kc.start_channels()
    acked = 0
    try:
        kc.wait_for_ready(timeout=120)
        load.execute(kc, "from casework.ui.context import open_context\nctx = open_context()")
        kc.execute(SAVES.format(panel=ev.panel_id))
        deadline = time.monotonic() + 120
        while acked < 15 and time.monotonic() < deadline:
            msg = kc.get_iopub_msg(timeout=60)
            if msg["msg_type"] == "stream":
                acked = max([acked, *(int(x) for x in msg["content"]["text"].split("ack ")[1:])])
        os.kill(ev.km.provisioner.pid, signal.SIGKILL)
    finally:
        kc.stop_channels()
        ev.km.shutdown_kernel(now=True)

    store = open_store(db)
    with store.read() as conn:
        row = (
            conn.execute(select(form_drafts).where(form_drafts.c.username == ev.username))
            .mappings()
            .one()
        )
        problems = audit.verify(conn)
    store.dispose()
    payload: dict[str, Any] = dict(row["payload"])
    assert acked >= 15
    assert payload["saved"] >= acked
    assert payload["rows"] == load.scenario.renewal_rows(90.0)
    assert problems == []
