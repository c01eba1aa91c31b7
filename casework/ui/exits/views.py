"""What the exit page shows: the filing's status, the open exit case, the statement countdown
(EXIT-05) and the case history."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pandas as pd

from casework.domain import lifecycle, rules
from casework.domain.calendar import planning_calendar
from casework.domain.terms import term_of
from casework.ui.kit import SUSPENDED_BANNER, esc, fields_html, table_html

CASE_COLUMNS = {
    "number": "案件编号",
    "kind": "类型",
    "status": "状态",
    "opened_on": "立案/申请日期",
    "statement_due": "陈述申辩截止",
    "decided_on": "办结日期",
}


def countdown_html(today: date, due: date) -> str:
    """Working days left to file the statement (EXIT-05); red once the period has lapsed."""
    planner = planning_calendar()
    if today <= due:
        left = planner.workdays_left(today, due)
        html = (
            f'<div class="cw-info cw-countdown">陈述申辩截止：<b>{due}</b>　'
            f"剩余 <b>{left.value}</b> 个工作日"
            f"（收到书面核查意见后{rules.STATEMENT_WORKDAYS}个工作日，EXIT-05）</div>"
        )
        note = left.note
    else:
        over = planner.count_workdays(due + timedelta(days=1), today)
        html = (
            f'<div class="cw-error cw-overdue cw-countdown">陈述申辩期已于 <b>{due}</b> 届满，'
            f"已逾期 <b>{over.value}</b> 个工作日；期满后收到的陈述申辩不予登记（EXIT-05）</div>"
        )
        note = over.note
    return html + (f'<div class="cw-info">{esc(note)}</div>' if note else "")


def planning_due(received: Any) -> str:
    due = planning_calendar().deadline_after(received, rules.STATEMENT_WORKDAYS)
    text = f"{due.value}（收到后{rules.STATEMENT_WORKDAYS}个工作日，EXIT-05）"
    return text + (f"；{due.note}" if due.note else "")


def status_html(filing: dict[Any, Any]) -> str:
    status = filing["status"]
    rows = [
        ("考核机构", filing["institution"]),
        ("统一社会信用代码", filing["uscc"]),
        ("机构代码", filing["code"]),
        ("备案城市", filing["city"]),
        ("有效期", term_of(filing).text),
        ("备案状态", status),
        ("终止原因", filing["end_reason"]),
        ("终止日期", filing["ended_on"]),
    ]
    html = fields_html(rows)
    if status == lifecycle.SUSPENDED:
        html = (
            '<div class="cw-error cw-suspended" style="font-size:16px;font-weight:600">'
            f"备案暂停：{SUSPENDED_BANNER}</div>" + html
        )
    elif status == lifecycle.TERMINATED:
        html = (
            f'<div class="cw-info">备案已终止（{esc(filing["end_reason"] or "")}），'
            "已移出考核机构目录（EXIT-01）</div>" + html
        )
    return html


def case_html(case: dict[Any, Any]) -> str:
    rows = [
        ("案件编号", case["number"]),
        ("类型", case["kind"]),
        ("状态", case["status"]),
        ("立案/申请日期", case["opened_on"]),
        ("立案事由", case["grounds"]),
        ("终止考核工作实施方案", case["plan"]),
        ("书面核查意见", case["findings"]),
        ("收到书面核查意见日期", case["findings_received_on"]),
        ("陈述申辩截止", case["statement_due"]),
        ("陈述申辩", case["statement"]),
        ("收到陈述申辩日期", case["statement_received_on"]),
        ("违规情形", case["circumstance"]),
        ("依据", case["basis"]),
    ]
    return f"<h4>在办退出案件（{esc(case['kind'])}）</h4>" + fields_html(rows)


def history_html(cases: pd.DataFrame) -> str:
    if cases.empty:
        return ""
    return "<h4>退出案件记录</h4>" + table_html(cases, CASE_COLUMNS)
