"""The conflict-of-interest declaration an expert signs before first opening a case (SUP-03)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import ipywidgets as w

from casework import registry
from casework.errors import PermissionDenied
from casework.queries.sheets import panel_members_of
from casework.ui.context import AppContext
from casework.ui.kit import Messages, guarded, title

DECLARATION = (
    "本人承诺：与被评估单位不存在任职、投资、亲属等利害关系，不存在其他可能影响公正评估的情形；"
    "如存在，将主动申请回避。本人将依据评分细则独立、客观、公正地评估，并对评估意见负责。"
)


def conflict_gate(ctx: AppContext, panel_id: int, then: Callable[[], w.Widget]) -> w.Widget:
    """Show the declaration until the expert has signed it, then the case page."""
    me = [m for m in panel_members_of(ctx.store, panel_id) if m["username"] == ctx.actor.username]
    if not me:
        raise PermissionDenied(f"{ctx.actor.label}不是该评估组成员")
    if me[0]["coi_declared_at"] is not None:
        return then()
    messages = Messages()
    agree = w.Checkbox(description="本人已阅读并作出上述承诺", indent=False)
    sign = w.Button(description="签署声明并进入评估", button_style="primary")
    holder = w.VBox()

    def on_sign(_b: Any = None) -> None:
        ctx.run(
            registry.declare_conflict_of_interest,
            panel_id=panel_id,
            no_conflict=bool(agree.value),
            statement=DECLARATION,
        )
        holder.children = [then()]

    sign.on_click(guarded(ctx, messages, "利益冲突声明", on_sign))
    holder.children = [
        w.VBox(
            [title("利益冲突声明"), w.HTML(f"<p>{DECLARATION}</p>"), agree, sign, messages.widget]
        )
    ]
    return holder
