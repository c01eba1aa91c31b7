"""Parts of the exit and supervision pages: the action panel and shared field helpers.

An :class:`ActionPanel` offers exactly the actions the caller lists — the ones the lifecycle
allows in the case's current state — as guarded toggle buttons, and shows the chosen action's
form; each form is saved as the user's draft as it is typed (page ``<app>:<action>``) and
forgotten once the action succeeded. A crafted choice outside the options is refused and
logged; a click on a disabled button is refused and logged; every write is a registry command,
which re-checks everything.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

import ipywidgets as w
import pandas as pd

from casework.domain import lifecycle, rules
from casework.domain.calendar import planning_calendar
from casework.domain.terms import filing_term
from casework.errors import CaseworkError
from casework.ui.context import AppContext
from casework.ui.drafts import FormDraft
from casework.ui.kit import GuardedToggleButtons, Messages, esc, guard, guarded, table_html

SUSPENDED_BANNER = "考核活动和证书数据审核上网已暂停（EXIT-04）"
CASE_COLUMNS = {
    "id": "案件编号",
    "kind": "类型",
    "status": "状态",
    "opened_on": "立案/申请日期",
    "statement_due": "陈述申辩截止",
    "decided_on": "办结日期",
}


SHOWN_ONLY = (w.HTML, w.HTMLMath, w.Label)
"""Widgets in an action's fields that show something and are not part of its draft."""


@dataclass
class Action:
    """One action a user may take now: its form fields and the command it runs."""

    key: str
    label: str
    run: Callable[[], str]
    """Runs the registry command with the fields' values; returns the success message."""
    fields: dict[str, Any] = field(default_factory=dict)
    blocked: str = ""
    """Why the action cannot be taken yet (the button is shown disabled with this note)."""
    note: str = ""
    button: str = "确认办理"


class ActionPanel:
    """The actions allowed now, one form at a time."""

    def __init__(
        self,
        ctx: AppContext,
        messages: Messages,
        actions: list[Action],
        on_done: Callable[[], None],
        label: str = "办理事项",
        drafts: tuple[str, str] | None = None,
    ) -> None:
        """``drafts=(app, case_key)`` keeps each action's form as a draft of page
        ``app:action`` for ``case_key``."""
        self.actions = {a.key: a for a in actions}
        self.fields = {a.key: a.fields for a in actions}
        self.buttons: dict[str, w.Button] = {}
        self.forms: dict[str, w.Widget] = {}
        self.drafts: dict[str, FormDraft] = {}
        self._on_done = on_done
        for a in actions:
            inputs = {k: v for k, v in a.fields.items() if not isinstance(v, SHOWN_ONLY)}
            if drafts is not None and inputs:
                app, case_key = drafts
                self.drafts[a.key] = FormDraft(ctx, f"{app}:{a.key}", case_key, inputs)
            button = w.Button(
                description=a.button, button_style="primary", disabled=bool(a.blocked)
            )
            button.on_click(guarded(ctx, messages, a.label, lambda _b, a=a: self._run(messages, a)))
            notes = [w.HTML(f'<div class="cw-info">{esc(a.note)}</div>')] if a.note else []
            if a.blocked:
                notes.append(w.HTML(f'<div class="cw-overdue">{esc(a.blocked)}</div>'))
            self.buttons[a.key] = button
            self.forms[a.key] = w.VBox([*notes, *a.fields.values(), button])
        self.choice = guard(
            GuardedToggleButtons(
                options=[(a.label, a.key) for a in actions],
                value=actions[0].key if len(actions) == 1 else None,
                style={"button_width": "auto"},
            ),
            ctx,
            label,
        )
        self.body = w.VBox()
        self.choice.observe(self._show, names="value")
        self._show()
        if actions:
            self.widget: w.Widget = w.VBox([w.HTML(f"<b>{esc(label)}</b>"), self.choice, self.body])
        else:
            self.widget = w.HTML('<div class="cw-info">当前状态下没有可办理的事项</div>')

    @property
    def offered(self) -> tuple[str, ...]:
        """The keys of the actions on offer."""
        return tuple(self.actions)

    def _show(self, _change: Any = None) -> None:
        key = self.choice.value
        self.body.children = [self.forms[key]] if key in self.forms else []

    def _run(self, messages: Messages, action: Action) -> None:
        text = action.run()
        if action.key in self.drafts:
            self.drafts[action.key].clear()  # done: the form is rebuilt empty
        self._on_done()
        messages.ok(text)


def text_area(placeholder: str, value: str = "", description: str = "") -> w.Textarea:
    return w.Textarea(
        value=value,
        placeholder=placeholder,
        description=description,
        continuous_update=False,
        layout=w.Layout(width="90%", height="70px"),
        style={"description_width": "initial"},
    )


def date_field(description: str, value: date | None) -> w.DatePicker:
    return w.DatePicker(
        value=value, description=description, style={"description_width": "initial"}
    )


def picked_date(ctx: AppContext, widget: w.DatePicker, rule_id: str) -> date:
    """The date of a past fact: required, and not after today."""
    value = widget.value
    if value is None:
        raise CaseworkError(f"请选择{widget.description}", rule_id=rule_id)
    if value > ctx.today:
        raise CaseworkError(
            f"{widget.description}{value}晚于今天（{ctx.today}），不能登记将来的日期",
            rule_id=rule_id,
        )
    return value


def as_id(value: Any, what: str) -> int:
    """A page parameter as an id (a URL parameter arrives as text)."""
    try:
        number = int(str(value).strip())
    except ValueError:
        raise CaseworkError(f"{what}编号“{value}”无效") from None
    if number <= 0:
        raise CaseworkError(f"{what}编号“{value}”无效")
    return number


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


def blank(value: Any) -> bool:
    """None, NaN, NaT or only whitespace."""
    if isinstance(value, str):
        return not value.strip()
    return value is None or bool(pd.isna(value))


def fields_html(rows: list[tuple[str, Any]]) -> str:
    """A two-column table of the non-empty fields, escaped, line breaks kept."""
    body = "".join(
        f"<tr><th>{esc(k)}</th><td style='white-space:pre-wrap'>{esc(v)}</td></tr>"
        for k, v in rows
        if not blank(v)
    )
    return f'<table class="cw-table">{body}</table>'


# --- what the exit page shows ---------------------------------------------------------------
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
        ("有效期", filing_term(filing["term_start"]).text),
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
        ("案件编号", case["id"]),
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
