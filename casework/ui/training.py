"""The training line of every page in a store made by ``casework demo``: "演示环境 · 模拟日期 …",
and, for a city manager, the control that moves the simulated date forward.

Moving the date is the registry's :func:`~casework.registry.training_clock.move_training_clock`
(audited, refused on a production store), followed by the city's daily clock
(:func:`~casework.registry.exits.advance`, REN-02, EXIT-03) on the new date, so that a 公示 end, a
statement window or a term end is reached as it would be on that day. The open page then acts
on the new date (its context's ``today``); other pages take it when they are opened again.
"""

from __future__ import annotations

import logging
from datetime import date
from typing import Any

import ipywidgets as w

from casework.errors import CaseworkError
from casework.registry.actors import CITY_MANAGER
from casework.ui.context import AppContext
from casework.ui.markup import esc

log = logging.getLogger("casework.ui")
BANNER = "演示环境 · 模拟日期 {day}"
STYLE = (
    "background:#fff4ce;border:1px solid #e0b400;padding:4px 10px;font-weight:bold;"
    "display:inline-block"
)


def banner_html(day: date) -> str:
    text = BANNER.format(day=day.isoformat())
    return f'<div class="cw-training" style="{STYLE}">{esc(text)}</div>'


def training_line(ctx: AppContext) -> w.Widget:
    """The banner, with the date control for a city manager."""
    banner = w.HTML(banner_html(ctx.today))
    if ctx.actor.role != CITY_MANAGER:
        return banner
    picker = w.DatePicker(description="调到", value=None, style={"description_width": "initial"})
    button = w.Button(description="调整模拟日期", button_style="warning")
    message = w.HTML("")

    def move(_b: Any = None) -> None:
        from casework.registry.exits import advance
        from casework.registry.training_clock import move_training_clock

        try:
            if not isinstance(picker.value, date):
                raise CaseworkError("请选择新的模拟日期")
            to = ctx.run(move_training_clock, to=picker.value)
            done = ctx.run(advance, today=to)
        except CaseworkError as exc:
            message.value = f'<span class="cw-error">{esc(exc)}</span>'
            return
        except Exception:  # a page never shows a traceback
            log.exception("unexpected error moving the training clock")
            message.value = '<span class="cw-error">系统内部错误，已记录</span>'
            return
        ctx.today = to
        banner.value = banner_html(to)
        message.value = (
            f'<span class="cw-ok">模拟日期已调整为{to.isoformat()}；本市日终处理：逾期未自评'
            f"{len(done['lapsed_renewals'])}件，到期未续{len(done['expired'])}家，"
            f"续期不合格{len(done['failed_renewal'])}家。其他页面请重新打开。</span>"
        )

    button.on_click(move)
    return w.HBox([banner, picker, button, message], layout=w.Layout(align_items="center"))
