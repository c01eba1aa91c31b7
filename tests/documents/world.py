"""One small city history for the document, report and archive tests: a filing with a scope
addition, a deletion and a passed renewal; a voluntary withdrawal; a violation revoked."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest

from casework import registry as r
from casework.domain import calendar
from casework.registry import scenario
from casework.store.engine import Store, open_store
from tests.backend import copy_store, store_url

JINAN = "370100"
PROJECTS = ("P001", "P002", "P003", "P004")
START = date(2025, 3, 3)


@dataclass
class World:
    store: Store
    url: str
    ids: dict[str, Any] = field(default_factory=dict)


def build(path: Path) -> World:
    store = open_store(store_url(path))
    scenario.seed_reference(store)
    experts = scenario.seed_city_users(store, JINAN)
    for year in range(2025, 2030):
        scenario.ensure_city_catalog(store, JINAN, year, PROJECTS)
    officer = scenario.city_officer(JINAN)
    ids: dict[str, Any] = {}
    # A: filed, a project added (SEL-06), one deleted, renewed (REN-05)
    a = scenario.new_institution(store, JINAN, "济南鲁锦织造有限公司", 11)
    first = scenario.select_and_file(
        store,
        city_code=JINAN,
        institution_id=a,
        project_codes=("P001", "P002"),
        on=START,
        experts=experts,
    )
    added = scenario.select_and_file(
        store,
        city_code=JINAN,
        institution_id=a,
        project_codes=("P003",),
        on=date(2026, 3, 2),
        experts=experts,
    )
    r.remove_projects(
        store,
        officer,
        filing_id=first["filing_id"],
        project_codes=["P002"],
        on=date(2026, 9, 1),
        reason="机构申请删除",
    )
    renewal = scenario.renew(
        store,
        city_code=JINAN,
        filing_id=first["filing_id"],
        term_end=date(2028, 2, 29),
        experts=experts,
        scores=(85.0, 80.0, 82.0),
    )
    ids["a"] = {
        "institution_id": a,
        **first,
        "scope_application_id": added["application_id"],
        **{k: v for k, v in renewal.items() if k != "outcome"},
    }
    # B: voluntary withdrawal (EXIT-02)
    b = scenario.new_institution(store, JINAN, "济南泉城面塑工作室", 12)
    fb = scenario.select_and_file(
        store, city_code=JINAN, institution_id=b, project_codes=("P004",), on=START, experts=experts
    )
    plan = {p: f"{p}已安排" for p in ("收尾计划", "证书维护", "档案管理", "参评人员服务")}
    case_b = r.apply_withdrawal(
        store, officer, filing_id=fb["filing_id"], plan=plan, on=date(2026, 5, 6)
    )
    r.accept_withdrawal_plan(store, officer, case_id=case_b, on=date(2026, 5, 8))
    r.complete_withdrawal(
        store, officer, case_id=case_b, closing_work="数据已上报，证书已发放", on=date(2026, 6, 1)
    )
    ids["b"] = {"institution_id": b, **fb, "exit_case_id": case_b}
    # C: violation investigated, findings served, confirmed, revoked (EXIT-04…EXIT-06)
    c = scenario.new_institution(store, JINAN, "济南历下烹饪培训学校", 13)
    fc = scenario.select_and_file(
        store, city_code=JINAN, institution_id=c, project_codes=("P001",), on=START, experts=experts
    )
    case_c = r.open_investigation(
        store, officer, filing_id=fc["filing_id"], grounds="投诉：不考试就发证", on=date(2026, 4, 1)
    )
    due = r.serve_findings(
        store,
        officer,
        case_id=case_c,
        findings="经核查，存在不考试就发证",
        received_on=date(2026, 4, 10),
    )
    r.confirm_violation(
        store,
        officer,
        case_id=case_c,
        circumstance="不考试就发证",
        basis="鲁人社函〔2025〕23号 四（三）",
        on=due + timedelta(days=1),
    )
    r.revoke_filing(
        store, officer, case_id=case_c, closing_work="收尾完成", on=due + timedelta(days=10)
    )
    ids["c"] = {"institution_id": c, **fc, "exit_case_id": case_c, "statement_due": due}
    # D: applied, not yet decided (an incomplete procedure)
    d = scenario.new_institution(store, JINAN, "济南未决申请有限公司", 14)
    ids["d"] = scenario.select_and_file(
        store,
        city_code=JINAN,
        institution_id=d,
        project_codes=("P004",),
        on=START,
        experts=experts,
        stop_at="评估中",
    )
    assert calendar.is_workday(START)
    return World(store, store.url, ids)


_BUILT: dict[str, Any] = {}


def copy_of_world(folder: Path) -> World:
    """A fresh copy of the world in ``folder`` (built once per test session, then copied)."""
    if "url" not in _BUILT:
        built = build(folder / "built" / "casework.db")
        built.store.dispose()
        _BUILT["url"], _BUILT["ids"] = built.url, built.ids
    url = copy_store(_BUILT["url"], folder)
    return World(open_store(url, migrate=False), url, dict(_BUILT["ids"]))


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> Iterator[World]:
    """A copy of the world per test module (imported by the documents' and reports' conftest)."""
    w = copy_of_world(tmp_path_factory.mktemp("world"))
    yield w
    w.store.dispose()
