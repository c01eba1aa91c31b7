"""Reads for the documents added after ``gather.py``: the investigation letters (EXIT-04,
EXIT-05) and the reports to the province (SEL-08, REN-08).

Each function takes the store and the id the document is issued for and reads it through
``casework.queries``, scoped to that one case.
"""

from __future__ import annotations

from typing import Any

from casework.documents.cases import ExitCase, ProvinceReportCase
from casework.documents.config import DocumentSettings
from casework.errors import NotFound
from casework.queries.exits import exit_case_row, filing_row
from casework.queries.province import province_reports_of
from casework.store.engine import Store


def exit_case(store: Store, case_id: int, cfg: DocumentSettings, **opts: Any) -> ExitCase:
    """A violation case (退出案件编号) for its suspension notice or written findings; dated by
    the day recorded for the act (the findings' receipt, the opening)."""
    case = exit_case_row(store, case_id)
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
