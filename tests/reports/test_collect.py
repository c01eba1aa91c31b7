"""What each archived report states, read from the store without a kernel: the figures of every
procedure match the case (SEL-04, SEL-05, SEL-06, REN-05, EXIT-01, EXIT-05)."""

from __future__ import annotations

from typing import Any

import pytest

from casework.reports.content import ProcedureNotComplete
from casework.reports.procedures import PROCEDURES, collect, parameters
from tests.documents.world import World

CASES: list[tuple[str, tuple[str, str], dict[str, Any]]] = [
    ("selection", ("a", "application_id"), {"eligible": True, "approved": True, "members": 3}),
    (
        "filing",
        ("a", "filing_id"),
        {"code": "3701ZK2025001", "notice_workdays": 5, "term": "自2025年3月至2028年2月"},
    ),
    (
        "scope",
        ("a", "filing_id"),
        {
            "removed": ["项目P002"],
            "scope_after": ["项目P001", "项目P003"],
            "term": "自2025年3月至2028年2月",
        },
    ),
    (
        "renewal",
        ("a", "renewal_id"),
        {"grade": "合格", "composite": 82.33, "new_term": "自2028年3月至2031年2月"},
    ),
    ("exit", ("b", "filing_id"), {"end_reason": "自愿撤销", "ended_on": "2026-06-01"}),
    ("exit", ("c", "filing_id"), {"end_reason": "违规撤销"}),
]


@pytest.mark.parametrize(
    ("procedure", "case", "expected"),
    CASES,
    ids=["selection", "filing", "scope", "renewal", "exit-withdrawal", "exit-violation"],
)
def test_each_procedure_report_states_the_figures_of_its_case(
    world: World, procedure: str, case: tuple[str, str], expected: dict[str, Any]
) -> None:
    data = collect(world.store, parameters(procedure, world.ids[case[0]][case[1]]))

    assert {k: data.figures[k] for k in expected} == expected
    assert data.city_code == "370100" and data.subject.startswith(("filing:", "application:"))


def test_violation_report_counts_fifteen_working_days_for_the_statement(world: World) -> None:
    """EXIT-05: the statement is due on the 15th working day after receipt."""
    data = collect(world.store, parameters("exit", world.ids["c"]["filing_id"]))

    assert data.figures["exit_cases"][0]["statement_workdays"] == 15


@pytest.mark.parametrize(
    ("procedure", "case"),
    [("selection", ("d", "application_id")), ("exit", ("a", "filing_id"))],
    ids=["undecided-application", "live-filing"],
)
def test_a_procedure_not_completed_has_no_report(
    world: World, procedure: str, case: tuple[str, str]
) -> None:
    with pytest.raises(ProcedureNotComplete):
        collect(world.store, parameters(procedure, world.ids[case[0]][case[1]]))


def test_every_procedure_of_the_issue_is_archived() -> None:
    assert set(PROCEDURES) == {"selection", "filing", "scope", "renewal", "exit"}


def test_the_vendored_widget_manager_is_the_recorded_npm_build() -> None:
    """The inlined bundle is exactly the file static/README.md names (licence files beside)."""
    import hashlib

    from casework.reports.export import STATIC, WIDGET_JS

    recorded = (STATIC / "README.md").read_text(encoding="utf-8").split("SHA256 ")[-1].strip()

    assert hashlib.sha256(WIDGET_JS.read_bytes()).hexdigest() == recorded
    assert (STATIC / "html-manager-embed.js.LICENSE-BSD-3-Clause.txt").exists()
    assert "</script" not in WIDGET_JS.read_text(encoding="utf-8")
