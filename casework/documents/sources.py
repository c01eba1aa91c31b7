"""Reads for the documents added after ``gather.py``: the investigation letters (EXIT-04,
EXIT-05) and the reports to the province (SEL-08, REN-08).

Like ``gather.py`` (whose reads are moving into ``casework.queries``), each function takes the
store and the id the document is issued for, scoped to that one case.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from casework.documents.cases import ExitCase, ProvinceReportCase
from casework.documents.config import DocumentSettings
from casework.errors import NotFound
from casework.queries.exits import filing_row
from casework.queries.province import province_reports_of
from casework.store.engine import Store
from casework.store.tables import exit_cases


def exit_case(store: Store, case_id: int, cfg: DocumentSettings, **opts: Any) -> ExitCase:
    """A violation case (退出案件编号) for its suspension notice or written findings; dated by
    the day recorded for the act (the findings' receipt, the opening)."""
    with store.read() as conn:
        case = conn.execute(select(exit_cases).where(exit_cases.c.id == case_id)).mappings().first()
    if case is None:
        raise NotFound(f"未找到退出案件（编号{case_id}）")
    filing = filing_row(store, case["filing_id"])
    if filing is None:
        raise NotFound(f"未找到备案（编号{case['filing_id']}）")
    recorded = case["findings_received_on"] if opts.get("findings") else case["opened_on"]
    return ExitCase(
        institution=filing["institution"],
        code=filing["code"],
        kind=case["kind"],
        status=case["status"],
        opened_on=case["opened_on"],
        grounds=case["grounds"] or "",
        findings=case["findings"] or "",
        findings_received_on=case["findings_received_on"],
        statement_due=case["statement_due"],
        bureau=cfg.bureau(filing["city_code"], opts.get("department")),
        issued_on=cfg.issued_on(recorded or case["opened_on"], opts.get("issued_on")),
    )


def province_report(
    store: Store, report_id: int, cfg: DocumentSettings, **opts: Any
) -> ProvinceReportCase:
    """A report to the province as recorded (报送记录编号, SEL-08, REN-08), dated when sent."""
    found = [r for r in province_reports_of(store) if r.id == report_id]
    if not found:
        raise NotFound(f"未找到报省厅记录（编号{report_id}）")
    report = found[0]
    return ProvinceReportCase(
        number=report.id,
        kind=report.kind,
        subjects=tuple(dict(s) for s in report.content),
        bureau=cfg.bureau(report.city_code, opts.get("department")),
        issued_on=cfg.issued_on(report.sent_on, opts.get("issued_on")),
    )
