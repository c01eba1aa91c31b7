"""电子档案 — the archive page for managers and auditors (EXIT-08).

The archived reports the user may read (the province: all; a city role: its own city's), found
by procedure, case, date and maker; each opened as HTML (inline, in a sandboxed ``srcdoc``
frame: the CSP forbids fetching it) or downloaded as HTML or PDF; the whole archive verified
(:func:`casework.archive.verify`: files against their SHA-256/SM3, the manifest's chain); and
retention: what is due for a disposal decision, the legal holds, placing and releasing one with
a reason (:mod:`casework.archive.retention`). Every download and every hold is re-checked on
the server (role, city); the hold commands check the role again.
"""

from __future__ import annotations

import html
from typing import Any

import ipywidgets as w
import pandas as pd

from casework import archive as arc
from casework.archive.retention import DECIDERS, STATUS_DUE
from casework.errors import CaseworkError, PermissionDenied
from casework.queries.archive_holds import hold_subject, open_holds
from casework.registry.actors import CITY_ROLES, PROVINCE
from casework.ui.case_documents import (
    ARCHIVE_READERS,
    ENTRY_HEADERS,
    PROCEDURE_LABELS,
    archived_file,
    entries_frame,
)
from casework.ui.context import AppContext
from casework.ui.downloads import download_link
from casework.ui.gates import refuse
from casework.ui.kit import (
    WIDE,
    GuardedDropdown,
    GuardedText,
    Messages,
    app_entry,
    esc,
    guard,
    guarded,
    log_forged,
    refusal_page,
    section,
    table_html,
    title,
)

HEADING = "电子档案"
ALL = "全部"
RETENTION_HEADERS = {
    "seq": "归档序号",
    "procedure": "办理事项",
    "case_id": "案件编号",
    "subject": "档案主体",
    "medium": "载体",
    "closing": "结案日期",
    "keep_until": "保存至",
    "status": "状态",
}
HOLD_HEADERS = {
    "id": "保全编号",
    "subject": "档案主体",
    "reason": "理由",
    "placed_by": "保全人",
    "placed_at": "保全时间",
}


def require_reader(ctx: AppContext) -> None:
    """Province managers, and city roles for their own city (SUP-01, EXIT-08)."""
    actor = ctx.actor
    if actor.role not in ARCHIVE_READERS or (actor.role in CITY_ROLES and not actor.city_code):
        raise refuse(
            ctx,
            "打开电子档案",
            PermissionDenied(
                f"{actor.label}无权查阅电子档案：仅限省级管理和市级经办、市级负责人（本市）",
                rule_id="EXIT-08",
            ),
        )


def visible(ctx: AppContext) -> list[arc.Entry]:
    """The entries the acting user may read."""
    return [
        e
        for e in arc.entries(ctx.store)
        if ctx.actor.role == PROVINCE or e.city_code == ctx.actor.city_code
    ]


class ArchivePage:
    """The archive as the acting user may see it."""

    def __init__(self, ctx: AppContext) -> None:
        require_reader(ctx)
        self.ctx = ctx
        self.messages = Messages()
        self.procedure = guard(
            GuardedDropdown(
                options=[(ALL, ALL), *[(v, k) for k, v in PROCEDURE_LABELS.items()]],
                value=ALL,
                description="办理事项",
            ),
            ctx,
            "办理事项",
        )
        self.case = guard(GuardedText(value="", description="案件编号"), ctx, "案件编号", 12)
        self.since = w.DatePicker(description="归档日期自")
        self.until = w.DatePicker(description="至")
        self.maker = guard(
            GuardedDropdown(options=[ALL], value=ALL, description="归档人"), ctx, "归档人"
        )
        for f in (self.procedure, self.case, self.since, self.until, self.maker):
            f.observe(lambda _c: self.show_entries(), names="value")
        self.listing = w.HTML()
        self.entry = guard(
            GuardedDropdown(options=[], description="归档记录", layout=WIDE), ctx, "归档记录"
        )
        self.file_buttons: dict[str, w.Button] = {}
        for key, text in (("view", "在页面中查看"), ("html", "下载 HTML"), ("pdf", "下载 PDF")):
            b = w.Button(description=text)
            b.add_class(f"cw-archive-{key}")
            b.on_click(guarded(ctx, self.messages, text, lambda _b, k=key: self.open(k)))
            self.file_buttons[key] = b
        self.shown = w.HTML()
        self.verify_button = w.Button(description="校验全部档案", button_style="info")
        self.verify_button.on_click(guarded(ctx, self.messages, "校验档案", self.verify))
        self.verified = w.HTML()
        self.retention = w.HTML()
        self.holds = w.HTML()
        self.subject = guard(
            GuardedDropdown(options=[], description="档案主体", layout=WIDE), ctx, "档案主体"
        )
        self.hold_reason = guard(
            GuardedText(value="", description="理由", layout=WIDE), ctx, "保全理由"
        )
        self.hold_button = w.Button(description="法律保全", button_style="warning")
        self.hold_button.on_click(guarded(ctx, self.messages, "法律保全", self.place))
        self.hold = guard(
            GuardedDropdown(options=[], description="保全记录", layout=WIDE), ctx, "保全记录"
        )
        self.release_reason = guard(
            GuardedText(value="", description="理由", layout=WIDE), ctx, "解除理由"
        )
        self.release_button = w.Button(description="解除法律保全")
        self.release_button.on_click(guarded(ctx, self.messages, "解除法律保全", self.release))
        scope = "全省" if ctx.actor.role == PROVINCE else f"本市（{ctx.actor.city_code}）"
        self.widget = w.VBox(
            [
                title(HEADING, f"{scope}归档报告：查阅、校验、保存期限与法律保全（EXIT-08）"),
                section(
                    "归档记录",
                    w.HBox([self.procedure, self.case]),
                    w.HBox([self.since, self.until, self.maker]),
                    self.listing,
                    self.entry,
                    w.HBox(list(self.file_buttons.values())),
                ),
                section("档案校验", self.verify_button, self.verified),
                section(
                    "保存期限与法律保全（EXIT-08）",
                    self.retention,
                    w.HTML("<b>法律保全</b>"),
                    self.holds,
                    self.subject,
                    self.hold_reason,
                    self.hold_button,
                    self.hold,
                    self.release_reason,
                    self.release_button,
                ),
                self.messages.widget,
                self.shown,
            ]
        )
        self.widget.add_class("cw-archive")
        self.refresh()

    # --- listing ------------------------------------------------------------------------------
    def refresh(self) -> None:
        self.entries = visible(self.ctx)
        self.frame = entries_frame(self.ctx, self.entries)
        makers = sorted(set(self.frame["maker"]))
        self.maker.options = [ALL, *makers]
        self.show_entries()
        self.show_retention()

    def filtered(self) -> pd.DataFrame:
        frame = self.frame
        if self.procedure.value != ALL:
            frame = frame[frame["procedure"] == PROCEDURE_LABELS[self.procedure.value]]
        text = str(self.case.value or "").strip()
        if text:
            frame = frame[frame["case_id"].astype(str) == text]
        if self.since.value is not None:
            frame = frame[frame["day"] >= self.since.value.isoformat()]
        if self.until.value is not None:
            frame = frame[frame["day"] <= self.until.value.isoformat()]
        if self.maker.value != ALL:
            frame = frame[frame["maker"] == self.maker.value]
        return frame

    def show_entries(self) -> None:
        frame = self.filtered()
        self.listing.value = (
            table_html(frame, ENTRY_HEADERS) if len(frame) else "<p>没有符合条件的归档记录</p>"
        )
        self.entry.options = [
            (f"第{r['seq']}号 {r['procedure']} 案件{r['case_id']}（{r['day']}）", int(r["seq"]))
            for r in frame.to_dict("records")
        ]
        self.entry.value = int(frame["seq"].iloc[0]) if len(frame) else None
        for b in self.file_buttons.values():
            b.disabled = not len(frame)

    def open(self, how: str) -> None:
        """View or download the chosen entry's report, re-checked on the server."""
        self.shown.value = ""
        seq = self.entry.value
        if seq is None:
            raise CaseworkError("请先选择归档记录")
        name, data = archived_file(self.ctx, int(seq), "pdf" if how == "pdf" else "html")
        if how == "view":
            doc = html.escape(data.decode("utf-8", errors="replace"), quote=True)
            self.shown.value = (
                f'<iframe class="cw-archive-frame" sandbox srcdoc="{doc}" '
                'style="width:100%;height:700px;border:1px solid #ccc"></iframe>'
            )
            return
        self.shown.value = download_link(name, data)

    # --- verify -------------------------------------------------------------------------------
    def verify(self, _button: Any = None) -> None:
        problems = arc.verify(self.ctx.store)
        count = len(arc.entries(self.ctx.store))
        if problems:
            rows = "".join(f"<li>[{esc(p.kind)}] {esc(p.message)}</li>" for p in problems)
            self.verified.value = (
                f'<div class="cw-error cw-verify-failed">档案校验失败：{len(problems)} 处问题'
                f"<ul>{rows}</ul></div>"
            )
        else:
            self.verified.value = (
                f'<div class="cw-ok cw-verify-ok">档案完好：共 {count} 条归档记录，'
                "文件 SHA-256/SM3 与清单链校验通过</div>"
            )

    # --- retention and holds ------------------------------------------------------------------
    def show_retention(self) -> None:
        seqs = {e.seq for e in self.entries}
        table = arc.retention_table(self.ctx.store, self.ctx.today)
        table = table[table["seq"].isin(seqs)].copy()
        table["procedure"] = table["procedure"].map(lambda p: PROCEDURE_LABELS.get(p, p))
        due = table[table["status"] == STATUS_DUE]
        head = (
            f'<div class="cw-info">保存期限已满、待作处置决定：{len(due)} 条'
            "（电子档案自结案起保存5年，纸质档案3年，EXIT-08）</div>"
        )
        self.retention.value = head + (
            table_html(table, RETENTION_HEADERS) if len(table) else "<p>尚无归档记录</p>"
        )
        subjects = sorted({e.subject for e in self.entries})
        holds = open_holds(self.ctx.store, subjects)
        self.holds.value = table_html(holds, HOLD_HEADERS) if len(holds) else "<p>无法律保全</p>"
        self.subject.options = subjects
        self.subject.value = subjects[0] if subjects else None
        self.hold.options = [
            (f"第{r['id']}号 {r['subject']}：{r['reason']}", int(r["id"]))
            for r in holds.to_dict("records")
        ]
        self.hold.value = int(holds["id"].iloc[0]) if len(holds) else None
        deciders = self.ctx.actor.role in DECIDERS
        self.hold_button.disabled = not (deciders and subjects)
        self.release_button.disabled = not (deciders and len(holds))

    def _own_subject(self, subject: str, action: str) -> None:
        """A subject of an entry the user may read; anything else is a forged request."""
        if subject not in {e.subject for e in visible(self.ctx)}:
            log_forged(self.ctx, action, f"档案主体“{subject}”不在本人可查阅的档案中")
            raise PermissionDenied(f"不能对“{subject}”办理{action}", rule_id="SUP-01")

    def place(self, _button: Any = None) -> None:
        subject = self.subject.value
        if not subject:
            raise CaseworkError("请选择档案主体")
        self._own_subject(str(subject), "法律保全")
        hold = self.ctx.run(arc.place_hold, subject=str(subject), reason=self.hold_reason.value)
        self.hold_reason.value = ""
        self.show_retention()
        self.messages.ok(f"已法律保全：第{hold}号（{subject}），保全期间不得销毁（EXIT-08）")

    def release(self, _button: Any = None) -> None:
        hold_id = self.hold.value
        if hold_id is None:
            raise CaseworkError("请选择保全记录")
        subject = hold_subject(self.ctx.store, int(hold_id))
        self._own_subject(str(subject), "解除法律保全")
        self.ctx.run(arc.release_hold, hold_id=int(hold_id), reason=self.release_reason.value)
        self.release_reason.value = ""
        self.show_retention()
        self.messages.ok(f"已解除法律保全：第{hold_id}号")


def build(ctx: AppContext) -> w.Widget:
    """The archive page for the acting user."""
    try:
        return ArchivePage(ctx).widget
    except CaseworkError as exc:
        return refusal_page(HEADING, exc)


def app() -> w.Widget:
    """Notebook entry point: the signed-in user's page."""
    return app_entry(HEADING, build)
