"""机构档案 — one institution's whole history as a timeline (city roles and province).

Opened from a search (name, credit code or institution code) limited to the user's scope, or
with ``institution_id`` (the notebook parameter, or ``?institution_id=`` in the page's
address). Either way the id is re-checked on the server: a city role may open only its own
city's institutions (SUP-01).
"""

from __future__ import annotations

from typing import Any

import ipywidgets as w

from casework.errors import CaseworkError, PermissionDenied
from casework.ui.context import AppContext
from casework.ui.kit import (
    GuardedDropdown,
    Messages,
    app_entry,
    esc,
    guard,
    guarded,
    id_from_address,
    refusal_page,
    title,
)

HEADING = "机构档案"


def card_html(ctx: AppContext, institution_id: int) -> str:
    from casework.queries.cards import institution_card

    card = institution_card(ctx.store, institution_id, ctx.today)
    rows = [
        ("考核机构", card.name),
        ("统一社会信用代码", card.uscc),
        ("所在城市", card.city),
        ("机构代码", card.code or "—"),
        ("有效期", card.term or "—"),
        (
            "备案状态",
            card.status + (f"（{card.end_reason}，{card.ended_on}）" if card.end_reason else ""),
        ),
        ("考核项目", "、".join(card.projects) or "—"),
    ]
    if card.extinct_on:
        rows.append(("主体灭失日期", str(card.extinct_on)))
    body = "".join(f"<tr><th>{esc(k)}</th><td>{esc(v)}</td></tr>" for k, v in rows)
    return f'<table class="cw-table cw-card">{body}</table>'


def history_page(ctx: AppContext, institution_id: int) -> w.Widget:
    """The card and the timeline of one institution (scope checked first)."""
    from casework.dashboard.board import DASH_CSS
    from casework.dashboard.history import HISTORY_HEADERS, check_institution, institution_history
    from casework.dashboard.tables import SortableTable

    check_institution(ctx.store, ctx.actor, institution_id)
    timeline = SortableTable(ctx, "history", HISTORY_HEADERS, sort_by="date", page_size=50)
    timeline.set_frame(institution_history(ctx.store, institution_id))
    return w.VBox(
        [
            w.HTML(DASH_CSS + card_html(ctx, institution_id)),
            w.HTML("<h4>经历（申请、备案、范围调整、续期、监管、退出、归档）</h4>"),
            timeline.widget,
        ]
    )


def picker(ctx: AppContext) -> w.Widget:
    """Search the institutions in scope, then open one."""
    from casework.dashboard.history import search_institutions

    messages = Messages()
    text = w.Text(
        placeholder="机构名称、统一社会信用代码或机构代码", layout=w.Layout(width="320px")
    )
    find = w.Button(description="查找", button_style="primary")
    results = guard(
        GuardedDropdown(options=[], description="查找结果", layout=w.Layout(width="60%")),
        ctx,
        "机构档案查找结果",
    )
    open_button = w.Button(description="打开档案", disabled=True)
    holder = w.VBox()

    def search(_b: Any = None) -> None:
        found = search_institutions(ctx.store, ctx.actor, text.value)
        results.options = [
            (f"{r['name']}（{r['city']}，{r['code']}）", int(r["institution_id"]))
            for r in found.to_dict("records")
        ]
        if results.options:
            results.value = results.options[0][1]
        open_button.disabled = found.empty
        if found.empty:
            messages.info("没有找到符合条件的本范围内考核机构")
        else:
            messages.clear()

    def show(_b: Any = None) -> None:
        if results.value not in {v for _, v in results.options}:
            raise PermissionDenied("所选考核机构无效")
        holder.children = [history_page(ctx, int(results.value))]

    find.on_click(guarded(ctx, messages, "查找考核机构", search))
    open_button.on_click(guarded(ctx, messages, "打开机构档案", show))
    return w.VBox(
        [
            title(HEADING, "查看考核机构的完整经历"),
            w.HBox([text, find]),
            w.HBox([results, open_button]),
            messages.widget,
            holder,
        ]
    )


def build(ctx: AppContext, institution_id: int | None = None) -> w.Widget:
    """The search page, or one institution's history; refusals for roles without access."""
    from casework.dashboard.filters import check_viewer

    try:
        check_viewer(ctx.store, ctx.actor)
        if institution_id is None:
            return picker(ctx)
        return w.VBox([title(HEADING), history_page(ctx, int(institution_id))])
    except CaseworkError as exc:
        return refusal_page(HEADING, exc)


def app(institution_id: int | None = None) -> w.Widget:
    """Notebook entry point: the signed-in user's view of one institution (``institution_id``,
    else the one its address names, read when the page is built: a preheated kernel knows its
    address only once the visit arrives)."""

    def build_named(ctx: AppContext) -> w.Widget:
        chosen = institution_id if institution_id is not None else id_from_address("institution_id")
        return build(ctx, chosen)

    return app_entry(HEADING, build_named)
