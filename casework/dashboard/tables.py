"""Sortable, paged tables: sorted on the server, one page of rows sent to the browser.

Widget HTML runs no script, so a table is sorted by a column dropdown and an order toggle
(guarded inputs: a crafted column is refused and logged) and paged by two buttons; only the
visible page is rendered, which keeps the widget state small at 2,000 institutions.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import ipywidgets as w
import pandas as pd

from casework.ui.context import AppContext
from casework.ui.kit import GuardedDropdown, GuardedToggleButtons, Messages, guard, guarded
from casework.ui.markup import esc

PAGE_SIZE = 25
RowClass = Callable[[pd.DataFrame], pd.Series]
Link = tuple[str, Callable[[pd.DataFrame], pd.Series]]  # a column and its targets per row


def formatted(frame: pd.DataFrame) -> pd.DataFrame:
    """Cell texts: dates as YYYY-MM-DD, booleans as 是/否, numbers without trailing zeros."""
    out = pd.DataFrame(index=frame.index)
    for col in frame.columns:
        s = frame[col]
        if pd.api.types.is_datetime64_any_dtype(s):
            out[col] = s.dt.strftime("%Y-%m-%d").fillna("")
        elif pd.api.types.is_bool_dtype(s):
            out[col] = s.map({True: "是", False: "否"})
        elif pd.api.types.is_float_dtype(s):
            out[col] = s.round(2).map(lambda v: "" if pd.isna(v) else f"{v:g}")
        else:
            out[col] = s.astype(object).where(s.notna(), "").astype(str)
    return out


def rows_html(
    frame: pd.DataFrame,
    columns: dict[str, str],
    classes: pd.Series | None = None,
    link: Link | None = None,
) -> str:
    """An escaped HTML table of ``frame``'s ``columns`` (names → Chinese headers); ``link``
    makes one column's cells links to other pages of this server."""
    head = "".join(f"<th>{esc(label)}</th>" for label in columns.values())
    texts = formatted(frame[list(columns)]).map(esc)
    if link is not None and not frame.empty:
        column, target = link
        texts[column] = [
            f'<a href="{esc(href)}" target="_blank">{text}</a>'
            for href, text in zip(target(frame), texts[column], strict=True)
        ]
    row_classes = classes if classes is not None else pd.Series("", index=frame.index)
    body = "".join(
        f'<tr class="{esc(cls)}">' + "".join(f"<td>{v}</td>" for v in values) + "</tr>"
        for cls, values in zip(
            row_classes.to_numpy(), texts.itertuples(index=False, name=None), strict=True
        )
    )
    return f'<table class="cw-table"><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>'


class SortableTable:
    """One table of a dashboard: ``set_frame`` gives it rows, the user sorts and pages."""

    def __init__(
        self,
        ctx: AppContext,
        key: str,
        columns: dict[str, str],
        *,
        sort_by: str | None = None,
        descending: bool = False,
        row_class: RowClass | None = None,
        link: Link | None = None,
        page_size: int = PAGE_SIZE,
        empty_text: str = "暂无记录",
    ) -> None:
        self.columns, self.row_class, self.page_size = columns, row_class, page_size
        self.link = link
        self.empty_text = empty_text
        self.frame = pd.DataFrame(columns=list(columns))
        self.page = 0
        self.messages = Messages()
        options = [(label, col) for col, label in columns.items()]
        self.sort = guard(
            GuardedDropdown(
                options=options,
                value=sort_by or options[0][1],
                description="排序",
                layout=w.Layout(width="220px"),
            ),
            ctx,
            f"{key}排序列",
        )
        self.order = guard(
            GuardedToggleButtons(
                options=[("升序", False), ("降序", True)],
                value=descending,
                style={"button_width": "52px"},
            ),
            ctx,
            f"{key}排序方向",
        )
        self.prev = w.Button(description="上一页", layout=w.Layout(width="72px"))
        self.next = w.Button(description="下一页", layout=w.Layout(width="72px"))
        self.info = w.HTML()
        self.body = w.HTML()
        for widget in (self.sort, self.order):
            widget.observe(guarded(ctx, self.messages, "表格排序", self._resort), "value")
        self.prev.on_click(guarded(ctx, self.messages, "表格翻页", lambda _b: self._turn(-1)))
        self.next.on_click(guarded(ctx, self.messages, "表格翻页", lambda _b: self._turn(1)))
        controls = w.HBox([self.sort, self.order, self.prev, self.next, self.info])
        self.widget = w.VBox([controls, self.body, self.messages.widget])
        self.widget.add_class("cw-sortable")
        self.widget.add_class(f"cw-table-{key}")

    @property
    def pages(self) -> int:
        return max(1, -(-len(self.frame) // self.page_size))

    def set_frame(self, frame: pd.DataFrame) -> None:
        self.frame = frame.reset_index(drop=True)
        self.page = 0
        self.render()

    def sorted_frame(self) -> pd.DataFrame:
        """All rows in the chosen order (what the pages show, page after page)."""
        return self.frame.sort_values(
            str(self.sort.value),
            ascending=not self.order.value,
            kind="stable",
            na_position="last",
        )

    def visible(self) -> pd.DataFrame:
        start = self.page * self.page_size
        return self.sorted_frame().iloc[start : start + self.page_size]

    def render(self) -> None:
        self.prev.disabled = self.page == 0
        self.next.disabled = self.page >= self.pages - 1
        if self.frame.empty:
            self.info.value = ""
            self.body.value = f'<div class="cw-info">{esc(self.empty_text)}</div>'
            return
        self.info.value = f"第 {self.page + 1}／{self.pages} 页，共 {len(self.frame)} 条"
        page = self.visible()
        classes = self.row_class(page) if self.row_class else None
        self.body.value = rows_html(page, self.columns, classes, self.link)

    def _resort(self, _change: Any = None) -> None:
        self.page = 0
        self.render()

    def _turn(self, step: int) -> None:
        self.page = min(max(0, self.page + step), self.pages - 1)
        self.render()
