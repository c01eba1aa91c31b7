"""续期轮次 — a city officer opens a renewal round (REN-01) for the filings whose terms end in
a chosen window, shown before it is opened, with the self-evaluation deadline counted in
working days (REN-02, ``casework.domain.calendar``), and downloads the renewal notice (续期评估
通知) generated from the round with the blank Attachments 4 and 5 that go out with it. Each
institution head then finds the self-evaluation waiting on their own index page.

Every write is ``registry.open_round`` run as the signed-in user, which re-checks the role, the
city, the window and the deadline on the server.
"""

from __future__ import annotations

import tempfile
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import ipywidgets as w

from casework import documents, registry
from casework.domain import calendar, limits
from casework.errors import CaseworkError, RuleViolation
from casework.queries.renewal_due import city_rounds, due_filings
from casework.ui.case_documents import ROUND_KINDS, Offer, entitled_document
from casework.ui.context import AppContext
from casework.ui.downloads import download_link
from casework.ui.drafts import FormDraft
from casework.ui.gates import page_or_refusal, require_city_role
from casework.ui.kit import (
    WIDE,
    GuardedDatePicker,
    GuardedDropdown,
    GuardedIntText,
    GuardedText,
    GuardedTextarea,
    Messages,
    app_entry,
    esc,
    guard,
    guarded,
    section,
    table_html,
    title,
)

HEADING = "续期轮次"
DEFAULT_WORKDAYS = 20
MAX_WORKDAYS = 120
WINDOW_DAYS = 180
STYLE = {"description_width": "initial"}
DUE_HEADERS = {
    "code": "备案编号",
    "institution": "考核机构",
    "term_end": "有效期届满",
    "status": "备案状态",
    "note": "本轮",
}
ROUND_HEADERS = {
    "round_id": "编号",
    "title": "标题",
    "opened_on": "发布日期",
    "deadline": "自评截止",
    "window": "到期范围",
    "cases": "纳入机构",
}


def notice_link(ctx: AppContext, round_id: int) -> str:
    """The round's 续期评估通知 (REN-01) and the blank Attachments 4 and 5 that go out with it
    (issue #13), as ``.docx`` download links; each re-checked on the server (role, the round's
    city, SUP-01) by :func:`~casework.ui.case_documents.entitled_document`."""
    made = [entitled_document(ctx, Offer(kind, round_id)) for kind in ROUND_KINDS]
    with tempfile.TemporaryDirectory(prefix="casework-notice-") as scratch:
        paths = documents.render(made, "docx", Path(scratch))
        files = [(p.name, p.read_bytes()) for p in paths]
    labels = ("续期评估通知", "附件4（空白）", "附件5（空白）")
    return "<br>".join(
        download_link(name, data, f"下载{label}（{name}）")
        for label, (name, data) in zip(labels, files, strict=True)
    )


class RoundPage:
    """The form of a new round with its preview, and the city's rounds with their notices."""

    def __init__(self, ctx: AppContext, city_code: str) -> None:
        self.ctx, self.city_code = ctx, city_code
        self.messages = Messages()
        self.first = guard(
            GuardedDatePicker(description="有效期届满自", value=ctx.today, style=STYLE),
            ctx,
            "有效期届满自",
        )
        self.last = guard(
            GuardedDatePicker(
                description="至", value=ctx.today + timedelta(days=WINDOW_DAYS), style=STYLE
            ),
            ctx,
            "有效期届满至",
        )
        self.workdays = guard(
            GuardedIntText(
                value=DEFAULT_WORKDAYS,
                min=1,
                max=MAX_WORKDAYS,
                description="自评提交期限（工作日）",
                style=STYLE,
            ),
            ctx,
            "自评提交期限",
        )
        self.deadline_note = w.HTML()
        self.title = guard(
            GuardedText(
                description="通知标题",
                placeholder=f"{ctx.today.year}年专项职业能力考核机构续期评估",
                continuous_update=False,
                layout=WIDE,
                style=STYLE,
            ),
            ctx,
            "通知标题",
            limits.TITLE,
        )
        self.plan = guard(
            GuardedTextarea(
                description="评估方案",
                placeholder="评估重点、方式和时间安排（REN-01）",
                continuous_update=False,
                layout=w.Layout(width="80%", height="90px"),
                style=STYLE,
            ),
            ctx,
            "评估方案",
        )
        self.preview = w.HTML()
        self.open_button = w.Button(description="发布续期评估通知", button_style="primary")
        self.open_button.on_click(guarded(ctx, self.messages, "发布续期评估通知", self._open))
        for field in (self.first, self.last, self.workdays):
            field.observe(lambda _c: self._preview(), names="value")
        self.rounds = w.HTML()
        self.picker = guard(
            GuardedDropdown(options=[], description="续期轮次", layout=WIDE), ctx, "续期轮次"
        )
        self.notice_button = w.Button(description="生成续期评估通知", button_style="info")
        self.notice_button.on_click(guarded(ctx, self.messages, "生成续期评估通知", self._notice))
        self.download = w.HTML()
        self.widget = w.VBox(
            [
                title(HEADING),
                section(
                    "发布续期评估通知（REN-01、REN-02）",
                    w.HBox([self.first, self.last]),
                    self.workdays,
                    self.deadline_note,
                    self.title,
                    self.plan,
                    w.HTML("<b>本轮纳入的考核机构</b>"),
                    self.preview,
                    self.open_button,
                ),
                self.messages.widget,
                section(
                    "本市续期轮次",
                    self.rounds,
                    w.HBox([self.picker, self.notice_button]),
                    self.download,
                ),
            ]
        )
        self.draft = FormDraft(
            ctx,
            "renewal_round",
            city_code,
            {
                "first": self.first,
                "last": self.last,
                "workdays": self.workdays,
                "title": self.title,
                "plan": self.plan,
            },
        )
        self._preview()
        self.refresh()

    def deadline(self) -> date:
        """REN-02: the self-evaluation deadline, ``workdays`` working days after today."""
        n = int(self.workdays.value)
        if not 1 <= n <= MAX_WORKDAYS:
            raise RuleViolation(f"自评提交期限应为1—{MAX_WORKDAYS}个工作日", rule_id="REN-02")
        return calendar.deadline_after(self.ctx.today, n)

    def _window(self) -> tuple[date, date]:
        first, last = self.first.value, self.last.value
        if first is None or last is None:
            raise RuleViolation("请选择有效期届满的起止日期", rule_id="REN-01")
        if last < first:
            raise RuleViolation(f"有效期届满范围有误：{last}早于{first}", rule_id="REN-01")
        return first, last

    def _preview(self) -> None:
        try:
            first, last = self._window()
            deadline = self.deadline()
        except CaseworkError as exc:  # shown, not raised: the user is still typing
            self.preview.value = f'<div class="cw-error">{esc(exc)}</div>'
            self.deadline_note.value = ""
            self.open_button.disabled = True
            return
        self.deadline_note.value = (
            f"<span style='color:#666'>自评与续期申请提交截止：{deadline}"
            f"（今天起{int(self.workdays.value)}个工作日，按法定工作日计，REN-02）</span>"
        )
        due = due_filings(self.ctx.store, self.city_code, first, last, self.ctx.today)
        self.preview.value = (
            table_html(due, DUE_HEADERS) if len(due) else "<p>该时间范围内没有到期的备案</p>"
        )
        self.open_button.disabled = not bool(due["included"].any()) if len(due) else True

    def refresh(self) -> None:
        frame = city_rounds(self.ctx.store, self.city_code)
        self.rounds.value = (
            table_html(frame, ROUND_HEADERS) if len(frame) else "<p>本市尚未发布续期评估通知</p>"
        )
        current = self.picker.value
        self.picker.options = [
            (f"{r['round_id']} {r['title']}（{r['opened_on']}）", int(r["round_id"]))
            for r in frame.to_dict("records")
        ]
        ids = [v for _, v in self.picker.options]
        self.picker.value = current if current in ids else (ids[0] if ids else None)
        self.notice_button.disabled = not ids

    def _open(self, _button: Any = None) -> None:
        first, last = self._window()
        round_id = self.ctx.run(
            registry.open_round,
            city_code=self.city_code,
            expiring_from=first,
            expiring_to=last,
            deadline=self.deadline(),
            on=self.ctx.today,
            title=self.title.value.strip(),
            plan=self.plan.value,
        )
        self.draft.clear(reset=True)
        self.refresh()
        self.picker.value = round_id
        self._preview()
        self.messages.ok(
            f"已发布续期评估通知（轮次编号{round_id}）；考核机构登录后在首页看到自评任务"
        )
        try:
            self._notice()
        except CaseworkError as exc:  # the round stands; the notice names what it lacks
            self.download.value = f'<div class="cw-error">续期评估通知暂不能生成：{esc(exc)}</div>'

    def _notice(self, _button: Any = None) -> None:
        if self.picker.value not in {v for _, v in self.picker.options}:
            raise RuleViolation("请先选择续期轮次", rule_id="REN-01")
        self.download.value = notice_link(self.ctx, int(self.picker.value))


def build(ctx: AppContext) -> w.Widget:
    """The page of the signed-in city officer or manager; a refusal for anyone else."""

    def make() -> w.Widget:
        return RoundPage(ctx, require_city_role(ctx, "打开续期轮次")).widget

    return page_or_refusal(HEADING, make)


def app() -> w.Widget:
    """Notebook entry point: the signed-in user's page."""
    return app_entry(HEADING, build)
