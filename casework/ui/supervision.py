"""日常监管 — a city officer supervises the institutions the city selected (SUP-01, SUP-02).

Pick an institution of the city; the page lists its supervision incidents, opens a new one
(category from the notice's list), and for an incident in hand offers only what the lifecycle
allows: a follow-up, closing it with a conclusion, or escalating it to an investigation that
suspends the filing (EXIT-04). Every action is a registry command, which re-checks role,
city, state and input.
"""

from __future__ import annotations

from typing import Any

import ipywidgets as w
import pandas as pd

from casework import registry
from casework.domain import lifecycle
from casework.errors import CaseworkError, NotFound
from casework.queries.cards import institution_card
from casework.queries.exits import (
    city_institutions,
    incidents_of,
    institution_row,
    live_filing_of,
)
from casework.registry.exits import INCIDENT_CATEGORIES
from casework.ui.context import AppContext
from casework.ui.drafts import FormDraft
from casework.ui.gates import require_city_role, require_own_city
from casework.ui.kit import (
    SUSPENDED_BANNER,
    Action,
    ActionPanel,
    GuardedDropdown,
    Messages,
    app_entry,
    as_id,
    case_picker,
    esc,
    fields_html,
    guard,
    guarded,
    refusal_page,
    table_html,
    text_area,
    title,
)

HEADING = "日常监管"
INCIDENT_COLUMNS = {
    "id": "编号",
    "opened_on": "登记日期",
    "category": "类别",
    "status": "状态",
    "follow_up_count": "跟进次数",
    "closed_on": "办结日期",
    "conclusion": "办结意见",
}


class SupervisionPage:
    """The supervision page of one institution of the actor's city."""

    def __init__(self, ctx: AppContext, institution_id: int) -> None:
        inst = institution_row(ctx.store, institution_id)
        if inst is None:
            raise NotFound(f"未找到考核机构（编号{institution_id}）")
        require_own_city(ctx, inst["city_code"], f"考核机构“{inst['name']}”", "打开日常监管")
        self.ctx, self.institution_id = ctx, institution_id
        self.messages = Messages()
        self.card = w.HTML()
        self.table = w.HTML()
        self.category = guard(
            GuardedDropdown(options=list(INCIDENT_CATEGORIES), value=None, description="类别"),
            ctx,
            "监管事项类别",
        )
        self.description = text_area("监管事项情况（时间、地点、发现的问题、来源）")
        self.open_button = w.Button(description="登记监管事项", button_style="primary")
        self.open_button.on_click(guarded(ctx, self.messages, "登记监管事项", self._open))
        self.incident = guard(
            GuardedDropdown(options=[], value=None, description="监管事项"),
            ctx,
            "监管事项",
        )
        self.incident.layout = w.Layout(width="80%")
        self.incident.observe(lambda _c: self._show_incident(), names="value")
        self.detail = w.HTML()
        self.panel = ActionPanel(ctx, self.messages, [], self.refresh)
        self.incident_box = w.VBox()
        new = w.VBox(
            [w.HTML("<h4>登记新的监管事项</h4>"), self.category, self.description, self.open_button]
        )
        self.widget = w.VBox(
            [
                title(HEADING, "谁遴选、谁监管（SUP-01）"),
                self.card,
                self.table,
                w.HTML("<h4>办理监管事项</h4>"),
                self.incident,
                self.incident_box,
                new,
                self.messages.widget,
            ]
        )
        self.refresh()
        fields = {"category": self.category, "description": self.description}
        self.draft = FormDraft(ctx, "supervision:incident", str(institution_id), fields)

    def refresh(self) -> None:
        card = institution_card(self.ctx.store, self.institution_id, self.ctx.today)
        rows = [
            ("考核机构", card.name),
            ("统一社会信用代码", card.uscc),
            ("城市", card.city),
            ("机构代码", card.code),
            ("有效期", card.term),
            ("备案状态", card.status),
            ("考核项目", "、".join(card.projects)),
        ]
        banner = (
            f'<div class="cw-error cw-suspended">备案暂停：{SUSPENDED_BANNER}</div>'
            if card.status == lifecycle.SUSPENDED
            else ""
        )
        self.card.value = banner + fields_html(rows)
        self.incidents = incidents_of(self.ctx.store, self.institution_id)
        self.table.value = (
            table_html(self.incidents, INCIDENT_COLUMNS)
            if not self.incidents.empty
            else '<div class="cw-info">尚无监管事项</div>'
        )
        chosen = self.incident.value
        options = [
            (f"{r['id']}　{r['opened_on']}　{r['category']}（{r['status']}）", int(r["id"]))
            for r in self.incidents.to_dict("records")
        ]
        self.incident.options = options
        self.incident.value = chosen if chosen in {v for _, v in options} else None
        self._show_incident()

    # --- one incident --------------------------------------------------------------------
    def _show_incident(self) -> None:
        chosen = self.incident.value
        match = self.incidents[self.incidents["id"] == chosen].to_dict("records")
        if chosen is None or not match:
            self.panel = ActionPanel(self.ctx, self.messages, [], self.refresh)
            self.incident_box.children = []
            return
        inc = match[0]
        self.detail.value = incident_html(inc)
        self.panel = ActionPanel(
            self.ctx,
            self.messages,
            self.actions(inc),
            self.refresh,
            drafts=("supervision", str(inc["id"])),
        )
        self.incident_box.children = [self.detail, self.panel.widget]

    def actions(self, inc: dict[Any, Any]) -> list[Action]:
        """The actions the incident lifecycle allows in the incident's state."""
        makers = {"follow_up": self.follow_up, "close": self.close, "escalate": self.escalate}
        return [makers[a](inc) for a in lifecycle.INCIDENT.allowed(inc["status"]) if a in makers]

    def follow_up(self, inc: dict[Any, Any]) -> Action:
        text = text_area("跟进情况")

        def run() -> str:
            self.ctx.run(
                registry.follow_up_incident,
                incident_id=inc["id"],
                text=text.value,
                on=self.ctx.today,
            )
            return "已登记跟进情况"

        return Action("follow_up", label("follow_up"), run, {"text": text})

    def close(self, inc: dict[Any, Any]) -> Action:
        conclusion = text_area("办结意见（核查结论、处理结果）")

        def run() -> str:
            self.ctx.run(
                registry.close_incident,
                incident_id=inc["id"],
                conclusion=conclusion.value,
                on=self.ctx.today,
            )
            return "监管事项已办结"

        return Action("close", label("close"), run, {"conclusion": conclusion})

    def escalate(self, inc: dict[Any, Any]) -> Action:
        grounds = text_area("立案调查的事由", value=f"{inc['category']}：{inc['description']}")
        filing = live_filing_of(self.ctx.store, self.institution_id)
        blocked = ""
        if filing is None or filing["status"] != lifecycle.ACTIVE:
            blocked = "该机构没有有效备案（或已在立案调查中），不能转立案调查（EXIT-04）"

        def run() -> str:
            case_id = self.ctx.run(
                registry.escalate_incident,
                incident_id=inc["id"],
                grounds=grounds.value,
                on=self.ctx.today,
            )
            return f"已转立案调查（退出案件{case_id}），备案暂停：{SUSPENDED_BANNER}"

        note = f"立案后备案即暂停：{SUSPENDED_BANNER}；后续在“退出”中办理"
        fields = {"grounds": grounds}
        return Action("escalate", label("escalate"), run, fields, blocked=blocked, note=note)

    # --- a new incident ------------------------------------------------------------------
    def _open(self, _button: Any = None) -> None:
        incident_id = self.ctx.run(
            registry.open_incident,
            institution_id=self.institution_id,
            category=self.category.value or "",
            description=self.description.value,
            on=self.ctx.today,
        )
        self.draft.clear(reset=True)
        self.refresh()
        self.incident.value = int(incident_id)
        self.messages.ok(f"已登记监管事项{incident_id}")


def label(action: str) -> str:
    return lifecycle.INCIDENT.transition(action).label


def incident_html(inc: dict[Any, Any]) -> str:
    follow_ups = inc.get("follow_ups") or []
    trail = "".join(
        f"<li>{esc(f.get('on', ''))}　{esc(f.get('by', ''))}：{esc(f.get('text', ''))}</li>"
        for f in follow_ups
    )
    rows = [
        ("编号", inc["id"]),
        ("登记日期", inc["opened_on"]),
        ("类别", inc["category"]),
        ("情况", inc["description"]),
        ("状态", inc["status"]),
        ("办结日期", inc["closed_on"]),
        ("办结意见", inc["conclusion"]),
    ]
    return fields_html(rows) + (f"<b>跟进记录</b><ol>{trail}</ol>" if trail else "")


def build(ctx: AppContext, institution_id: int | None = None) -> w.Widget:
    """The whole page: pick an institution of the city, then supervise it."""
    try:
        require_city_role(ctx, "打开日常监管")
        if institution_id is None:
            return picker(ctx)
        return SupervisionPage(ctx, as_id(institution_id, "考核机构")).widget
    except CaseworkError as exc:
        return refusal_page(HEADING, exc)


def picker(ctx: AppContext) -> w.Widget:
    found: pd.DataFrame = city_institutions(ctx.store, str(ctx.actor.city_code))
    if found.empty:
        return refusal_page(HEADING, "本市尚无登记的考核机构")
    options = [
        (
            f"{r['name']}（{'，'.join(filter(None, (r['code'], r['status'])))}）",
            int(r["institution_id"]),
        )
        for r in found.to_dict("records")
    ]
    return case_picker(
        ctx,
        HEADING,
        "考核机构",
        options,
        lambda iid: SupervisionPage(ctx, iid).widget,
        "打开日常监管",
    )


def app(institution_id: int | None = None) -> w.Widget:
    """Notebook entry point: the signed-in user's page."""
    return app_entry(HEADING, build, institution_id)
