"""Small evidence frames for tests: every column defaulted, override what the test is about."""

from __future__ import annotations

from typing import Any

import pandas as pd

from casework.domain.evidence import frames as f
from casework.domain.identifiers import make_resident_id, make_uscc

JINAN, QINGDAO = "370100", "370200"
TERM_START = pd.Timestamp("2025-03-01")
TERM_END = pd.Timestamp("2028-02-29")


def person(n: int) -> str:
    return make_resident_id(f"37010219800101{n:03d}")


def build(model: type, rows: list[dict[str, Any]], defaults: dict[str, Any]) -> pd.DataFrame:
    if not rows:
        return f.empty(model)
    return model.validate(pd.DataFrame([{**defaults, **r} for r in rows]))


def institutions(*rows: dict[str, Any]) -> pd.DataFrame:
    base = rows or ({},)
    return build(
        f.InstitutionsFrame,
        list(base),
        {
            "institution_id": 1,
            "name": "甲职业培训学校",
            "uscc": make_uscc("52370100MJ0000001"),
            "city_code": JINAN,
        },
    )


def staff(*rows: dict[str, Any]) -> pd.DataFrame:
    return build(
        f.StaffFrame,
        list(rows),
        {
            "institution_id": 1,
            "id_number": person(1),
            "name": "某人",
            "role": "考务管理",
            "project_code": "",
            "employment": "专职",
            "qualification": None,
            "level": None,
            "title": None,
            "honours": None,
            "trade_years": None,
            "contract_months": 24,
            "insurance_months": 24,
            "other_units": None,
        },
    )


def evaluator(n: int, project: str = "P001", **kw: Any) -> dict[str, Any]:
    row = {
        "id_number": person(n),
        "name": f"考评{n}",
        "role": "考评人员",
        "project_code": project,
        "employment": "兼职",
        "qualification": "职业技能等级证书",
        "level": "三级",
        "trade_years": 5.0,
        "contract_months": None,
        "insurance_months": None,
    }
    return {**row, **kw}


def sites(*rows: dict[str, Any]) -> pd.DataFrame:
    return build(
        f.SitesFrame,
        list(rows),
        {
            "institution_id": 1,
            "site_code": "S1",
            "address": "济南市经十路1号",
            "city_code": JINAN,
            "tenure": "自有",
            "lease_end": None,
            "area": 300.0,
        },
    )


def banks(*rows: dict[str, Any]) -> pd.DataFrame:
    return build(
        f.BanksFrame,
        list(rows),
        {"institution_id": 1, "project_code": "P001", "paper_sets": 5, "items": 400},
    )


def batches(*rows: dict[str, Any]) -> pd.DataFrame:
    numbered = [{"batch_id": i + 1, "batch_no": f"B{i + 1}", **r} for i, r in enumerate(rows)]
    return build(
        f.BatchesFrame,
        numbered,
        {
            "institution_id": 1,
            "project_code": "P001",
            "site_code": "S1",
            "plan_date": "2025-05-05",
            "exam_date": "2025-05-19",
            "publish_start": "2025-05-26",
            "publish_end": "2025-06-03",
        },
    )


def results(
    batch_id: int, n: int, *, passed: int | None = None, start: int = 100, **kw: Any
) -> pd.DataFrame:
    passed = n if passed is None else passed
    rows = []
    for i in range(n):
        rows.append(
            {
                "batch_id": batch_id,
                "id_number": person(start + i),
                "gender": "男",
                "age": 45,
                "score": 80.0,
                "passed": i < passed,
                "evaluator_1": person(901),
                "evaluator_2": person(902),
                "evaluator_3": person(903),
                **kw,
            }
        )
    return build(f.ResultsFrame, rows, {})


def certificates(*rows: dict[str, Any]) -> pd.DataFrame:
    numbered = [{"cert_no": f"C{i + 1}", **r} for i, r in enumerate(rows)]
    return build(
        f.CertificatesFrame,
        numbered,
        {
            "institution_id": 1,
            "id_number": person(100),
            "project_code": "P001",
            "issued_on": "2025-06-10",
            "batch_id": 1,
        },
    )


def filings(*rows: dict[str, Any]) -> pd.DataFrame:
    base = rows or ({},)
    return build(
        f.FilingsFrame,
        list(base),
        {
            "filing_id": 1,
            "institution_id": 1,
            "city_code": JINAN,
            "status": "有效",
            "term_start": TERM_START,
            "term_end": TERM_END,
        },
    )


def terms(*rows: dict[str, Any]) -> pd.DataFrame:
    base = rows or ({},)
    return build(
        f.TermsFrame, list(base), {"filing_id": 1, "first_day": TERM_START, "last_day": TERM_END}
    )


def scope(*codes: str) -> pd.DataFrame:
    return build(
        f.ScopeFrame,
        [{"project_code": c} for c in (codes or ("P001",))],
        {"filing_id": 1, "added_on": TERM_START, "removed_on": None},
    )


def suspensions(*rows: dict[str, Any]) -> pd.DataFrame:
    return build(f.SuspensionsFrame, list(rows), {"filing_id": 1, "end": None})
