"""Closing work on the exit page (EXIT-08, issue #14): after a filing ended by its term, a
failed renewal or extinction (EXIT-03, REN-05, EXIT-07) the registry tracks the four parts of
the closing work (收尾计划, 证书维护, 档案管理, 参评人员服务); the page shows which are done (date,
note, by whom — by name) and offers to record one more part done.

The form's inputs are guarded (a part the page did not offer is refused and logged as forged);
``registry.record_closing_work`` re-checks role, city, the part, the note and the date.
"""

from __future__ import annotations

from typing import Any

import ipywidgets as w

from casework import registry
from casework.queries.lookup import display_names
from casework.registry.closing import CLOSING_PARTS
from casework.ui.context import AppContext
from casework.ui.kit import (
    Action,
    GuardedDatePicker,
    GuardedDropdown,
    GuardedTextarea,
    esc,
    guard,
    picked_date,
    table_html,
)

ACTION = "record_closing_work"
LABEL = "登记收尾事项完成"
PART_HEADERS = {
    "part": "收尾事项",
    "state": "完成情况",
    "done_on": "完成日期",
    "note": "完成情况说明",
    "by": "登记人",
}


def parts_frame(ctx: AppContext, work: dict[str, Any]) -> Any:
    """The four parts in the notice's order: done or not, when, what, by whom (by name)."""
    import pandas as pd

    done = work.get("parts") or {}
    with ctx.store.read() as conn:
        names = display_names(conn, [str(p.get("by", "")) for p in done.values()])
    rows = []
    for part in CLOSING_PARTS:
        got = done.get(part)
        by = str(got.get("by", "")) if got else ""
        rows.append(
            {
                "part": part,
                "state": "已完成" if got else "未完成",
                "done_on": got.get("done_on", "") if got else "",
                "note": got.get("note", "") if got else "",
                "by": names.get(by, by) if got else "",
            }
        )
    return pd.DataFrame(rows, columns=list(PART_HEADERS))


def closing_html(ctx: AppContext, work: dict[str, Any] | None) -> str:
    """The closing-work section of a filing that has it; empty otherwise."""
    if work is None:
        return ""
    done = work.get("completed_on")
    head = (
        f"收尾工作已于{done}全部完成"
        if done is not None
        else f"收尾工作进行中（{len(work.get('parts') or {})}/{len(CLOSING_PARTS)}项已完成）"
    )
    return (
        '<div class="cw-closing-work">'
        f"<h4>收尾工作（{esc(work['reason'])}，自{esc(work['opened_on'])}起，EXIT-08）</h4>"
        f'<div class="cw-info">{esc(head)}</div>'
        f"{table_html(parts_frame(ctx, work), PART_HEADERS)}</div>"
    )


def closing_action(ctx: AppContext, filing_id: int, work: dict[str, Any]) -> Action | None:
    """Record one part of the closing work done; None once every part is done."""
    done = work.get("parts") or {}
    remaining = [p for p in CLOSING_PARTS if p not in done]
    if work.get("completed_on") is not None or not remaining:
        return None
    style = {"description_width": "initial"}
    part = guard(
        GuardedDropdown(options=remaining, value=remaining[0], description="收尾事项", style=style),
        ctx,
        "收尾事项",
    )
    note = guard(
        GuardedTextarea(
            placeholder="完成情况（如：档案已移交、证书数据已核对上报、已设专人答复查询）",
            description="完成情况",
            continuous_update=False,
            layout=w.Layout(width="90%", height="70px"),
            style=style,
        ),
        ctx,
        "完成情况",
    )
    on = guard(
        GuardedDatePicker(value=ctx.today, description="完成日期", style=style), ctx, "完成日期"
    )

    def run() -> str:
        day = picked_date(ctx, on, "EXIT-08")
        all_done = ctx.run(
            registry.record_closing_work,
            filing_id=filing_id,
            part=str(part.value or ""),
            note=note.value,
            on=day,
        )
        if all_done:
            return "收尾工作已全部完成（EXIT-08）"
        return f"已登记“{part.value}”完成（EXIT-08）"

    note_text = "备案终止后，考核机构仍须做好收尾工作；逐项登记完成情况（EXIT-08）"
    fields = {"part": part, "note": note, "on": on}
    return Action(ACTION, LABEL, run, fields, note=note_text)
