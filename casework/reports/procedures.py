"""The procedures whose completion is archived, and the id each one is identified by."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from typing import Any

from casework.errors import CaseworkError
from casework.reports import collect_exit, collect_renewal, collect_selection
from casework.reports.content import ReportData
from casework.store.engine import Store


@dataclass(frozen=True)
class Procedure:
    """A procedure that is archived once completed."""

    key: str
    label: str
    case: str
    rules: str
    collect: Callable[..., ReportData]
    takes_date: bool = False


PROCEDURES: dict[str, Procedure] = {
    p.key: p
    for p in (
        Procedure(
            "selection",
            "遴选决定",
            "备案申请编号",
            "SEL-03, SEL-04, SEL-07",
            collect_selection.selection,
        ),
        Procedure(
            "filing", "公示与备案", "备案编号", "SEL-05, ATT2-TERM", collect_selection.filing
        ),
        Procedure(
            "scope",
            "考核范围调整",
            "备案编号（--on 调整日期）",
            "SEL-06, SEL-07",
            collect_exit.scope,
            True,
        ),
        Procedure(
            "renewal", "续期评估决定", "续期评估案件编号", "REN-02…REN-07", collect_renewal.renewal
        ),
        Procedure("exit", "退出", "备案编号", "EXIT-01…EXIT-08", collect_exit.exit_procedure),
    )
}


def procedure(key: str) -> Procedure:
    if key not in PROCEDURES:
        raise CaseworkError(f"未知的办理事项“{key}”，可选：{'、'.join(PROCEDURES)}")
    return PROCEDURES[key]


def parameters(key: str, case_id: int, on: date | str | None = None) -> dict[str, Any]:
    """The recorded parameters of a report: everything needed to execute it again."""
    proc = procedure(key)
    params: dict[str, Any] = {"procedure": key, "case_id": int(case_id)}
    if proc.takes_date:
        params["on"] = on.isoformat() if isinstance(on, date) else on
    return params


def collect(store: Store, params: dict[str, Any]) -> ReportData:
    """Read the completed procedure the parameters name (ProcedureNotComplete if it is not)."""
    proc = procedure(params["procedure"])
    if proc.takes_date:
        on = params.get("on")
        return proc.collect(store, params["case_id"], date.fromisoformat(on) if on else None)
    return proc.collect(store, params["case_id"])
