"""``casework advance`` on a schedule (EXIT-03, REN-02, REN-05): a timer may fire twice, or not
at all for weeks (a machine switched off); the outcome must be the same as one run a day."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from casework.registry import SYSTEM_ACTOR, advance
from casework.store.engine import open_store
from casework.store.tables import filings, renewal_cases
from tests.cli_runs import in_process
from tests.demo_store import TODAY, shared_demo

LATER = TODAY + timedelta(days=400)  # far enough for terms to run out and deadlines to pass


def _state(url: str) -> tuple[list[Any], list[Any]]:
    store = open_store(url, migrate=False)
    with store.read() as conn:
        ended = conn.execute(
            select(
                filings.c.id, filings.c.status, filings.c.end_reason, filings.c.ended_on
            ).order_by(filings.c.id)
        ).all()
        cases = conn.execute(
            select(renewal_cases.c.id, renewal_cases.c.status).order_by(renewal_cases.c.id)
        ).all()
    store.dispose()
    return [tuple(r) for r in ended], [tuple(r) for r in cases]


def test_advance_run_late_once_equals_advance_run_every_week_twice_exit_03_ren_02(
    tmp_path_factory: pytest.TempPathFactory,
) -> None:
    demo = shared_demo(tmp_path_factory)
    daily = demo.copy(tmp_path_factory.mktemp("weekly"))
    late = demo.copy(tmp_path_factory.mktemp("late"))
    store = open_store(daily, migrate=False)
    day: date = TODAY
    while day <= LATER:
        advance(store, SYSTEM_ACTOR, today=day)
        advance(store, SYSTEM_ACTOR, today=day)  # the timer fired twice
        day += timedelta(days=7)
    advance(store, SYSTEM_ACTOR, today=LATER)
    store.dispose()

    first = in_process("--db", late, "advance", "--today", LATER.isoformat())
    again = in_process("--db", late, "advance", "--today", LATER.isoformat())

    assert _state(daily) == _state(late)
    assert first.returncode == 0 and "到期未续终止备案 0 家" not in first.stdout
    assert again.returncode == 0
    assert "逾期未提交续期申请 0 件；到期未续终止备案 0 家；续期不合格终止备案 0 家" in again.stdout


def test_the_shipped_timer_and_cron_line_run_casework_advance() -> None:
    deploy = Path(__file__).resolve().parents[2] / "deploy"
    service = (deploy / "systemd" / "casework-advance.service").read_text(encoding="utf-8")
    timer = (deploy / "systemd" / "casework-advance.timer").read_text(encoding="utf-8")
    cron = (deploy / "cron" / "casework-advance").read_text(encoding="utf-8")

    assert "casework advance" in service and "Type=oneshot" in service
    assert "Persistent=true" in timer and "OnCalendar=" in timer
    cron_lines = [ln for ln in cron.splitlines() if ln.strip() and not ln.startswith("#")]
    assert any("flock" in ln and "casework advance" in ln for ln in cron_lines)
