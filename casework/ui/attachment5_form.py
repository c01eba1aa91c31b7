"""The Attachment 5 form (专项职业能力考核机构备案续期申请表) of the self-evaluation page.

Institution details come from the store; the head types the rest (the page may prefill it).
Per project in the filing's scope: 考核人次 and 取证人次 with 通过率 computed live as 取证/考核
(ATT5-STATS), and the question bank. Every input that offers options or numbers is guarded: a
crafted value is refused and logged. The owner saves the draft through ``on_change`` (one call
per user action).
"""

from __future__ import annotations

import contextlib
import logging
import math
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from datetime import date
from numbers import Real
from typing import Any

import ipywidgets as w
import pandas as pd

from casework.domain.terms import term_of
from casework.registry.self_evaluation_drafts import (
    BANK_COUNTS,
    COUNT_FIELDS,
    PROJECT_COUNTS,
    SITES,
    TEXT_FIELDS,
)
from casework.ui.context import AppContext
from casework.ui.kit import (
    GuardedCheckbox,
    GuardedDatePicker,
    GuardedIntText,
    GuardedText,
    GuardedTextarea,
    GuardedToggleButtons,
    esc,
    guard,
    table_html,
)

log = logging.getLogger("casework.ui")
YES, NO = "是", "否"
GUIDANCE = {
    "summary": "说明考核机构专项职业能力考核工作开展情况，包括制度执行、队伍建设、题库建设、"
    "设施设备、考务管理、质量管理、档案管理、财务管理和考核收费等情况，以及考核机构主要经验做法"
    "和取得的社会效果等。",
    "plan": "说明考核机构在未来三年开展考核工作的整体规划，包括考核服务范围与规模、质量提升目标"
    "与保障、市场推广计划与措施等。",
    "issues": "说明考核机构在开展专项职业能力考核过程中遇到的问题和困难，以及对专项职业能力考核"
    "工作的意见建议。",
}
RENEWAL_PLEDGE = (
    "本单位申请专项职业能力考核机构备案续期，继续面向社会开展专项职业能力考核工作。在下一个备案期"
    "内，本单位承诺严格落实专项职业能力考核各项工作要求，确保专项职业能力考核质量和服务水平。"
)
INTEGRITY = "本单位承诺填写内容、报送材料真实有效，如有弄虚作假，愿意承担相应责任。"


def pass_rate(assessed: int, certified: int) -> str:
    """ATT5-STATS: 通过率 = 取证人次 / 考核人次, shown as a percentage."""
    if assessed <= 0:
        return "—"
    return f"{certified / assessed:.2%}"


def whole(value: Any) -> int | None:
    """A stored or prefilled count as an int (numpy numbers included); None if it is not one."""
    if isinstance(value, bool) or not isinstance(value, Real):
        return None
    number = float(value)
    return None if math.isnan(number) else int(number)


class Attachment5Form:
    """Attachment 5 inputs; :meth:`value` is the application dict ``submit_renewal`` takes."""

    def __init__(
        self,
        ctx: AppContext,
        case: Mapping[str, Any],
        projects: pd.DataFrame,
        on_change: Callable[[], None],
    ) -> None:
        self.ctx, self.case, self.on_change = ctx, case, on_change
        self.codes = [str(c) for c in projects.project_code]
        self.names = dict(zip(self.codes, projects.name, strict=True))
        self.locked = False
        self._loading = True
        self.texts = {k: self._text(k, label) for k, label in TEXT_FIELDS.items()}
        self.flags = {
            key: self._toggle([YES, NO], label)
            for key, label in (
                ("qualification_changed", "主体资质是否变更"),
                ("credit_good", "信用情况是否良好"),
            )
        }
        self.site = self._toggle(list(SITES), "考核场地")
        self.first_assessment = self._watch(
            guard(GuardedDatePicker(description="初次考核时间"), ctx, "初次考核时间")
        )
        self.counts = {k: self._int(label) for k, label in COUNT_FIELDS.items()}
        self.stats = {
            c: {k: self._int(f"{c}{label}") for k, label in PROJECT_COUNTS.items()}
            for c in self.codes
        }
        self.banks = {
            c: {k: self._int(f"{c}{label}") for k, label in BANK_COUNTS.items()} for c in self.codes
        }
        self.rates = {c: w.HTML() for c in self.codes}
        self.assessed_any = w.HTML()
        self.integrity = self._watch(
            guard(
                GuardedCheckbox(description="本单位作出上述诚信声明", indent=False), ctx, "诚信声明"
            )
        )
        self._add_hooks()
        self.widget = w.VBox(self._build())
        self._loading = False
        self.refresh()

    def _add_hooks(self) -> None:
        """Stable CSS classes for browser tests: ``cw-a5-<field>``, ``cw-a5-<field>-<project>``."""
        named = {**self.texts, **self.flags, **self.counts}
        named |= {"site": self.site, "integrity": self.integrity}
        for key, widget in named.items():
            widget.add_class(f"cw-a5-{key}")
        for rows in (self.stats, self.banks):
            for code, fields in rows.items():
                for key, widget in fields.items():
                    widget.add_class(f"cw-a5-{key}-{code}")

    # --- inputs ---------------------------------------------------------------------------
    def _watch(self, widget: Any) -> Any:
        widget.observe(self._changed, names="value")
        return widget

    def _text(self, key: str, label: str) -> Any:
        long = key in GUIDANCE
        cls = GuardedTextarea if long else GuardedText
        widget = cls(
            placeholder=GUIDANCE.get(key, label),
            continuous_update=False,
            layout=w.Layout(width="95%", height="110px") if long else w.Layout(width="60%"),
        )
        return self._watch(guard(widget, self.ctx, label))

    def _toggle(self, options: list[str], label: str) -> Any:
        return self._watch(
            guard(GuardedToggleButtons(options=options, value=None), self.ctx, label)
        )

    def _int(self, label: str) -> Any:
        widget = GuardedIntText(value=0, min=0, max=10_000_000, layout=w.Layout(width="110px"))
        return self._watch(guard(widget, self.ctx, label))

    # --- layout ---------------------------------------------------------------------------
    def _build(self) -> list[w.Widget]:
        case = self.case
        term = term_of(case).text
        info = pd.DataFrame(
            [
                ("考核机构名称", case["institution"]),
                ("考核机构地址", case["address"]),
                ("考核机构代码", case["filing_code"]),
                ("统一社会信用代码", case["uscc"]),
                ("联系人", case["contact"]),
                ("联系电话", case["phone"]),
            ],
            columns=["项目", "内容"],
        )

        def row(label: str, *widgets: w.Widget) -> w.HBox:
            return w.HBox(
                [w.HTML(f"<b>{esc(label)}</b>", layout=w.Layout(width="150px")), *widgets]
            )

        grid: list[w.Widget] = [
            w.HTML(f"<b>{h}</b>")
            for h in ("考核项目", "考核人次", "取证人次", "通过率", "卷库(套)", "题库(道)")
        ]
        for c in self.codes:
            grid += [
                w.HTML(esc(f"{c} {self.names[c]}")),
                self.stats[c]["assessed"],
                self.stats[c]["certified"],
                self.rates[c],
                self.banks[c]["papers"],
                self.banks[c]["items"],
            ]
        return [
            w.HTML("<h3>一、机构信息</h3>" + table_html(info)),
            row("联系人职务", self.texts["position"]),
            row("电子邮箱", self.texts["email"]),
            row(
                "主体资质是否变更", self.flags["qualification_changed"], self.texts["changed_items"]
            ),
            row("信用情况是否良好", self.flags["credit_good"]),
            w.HTML(f"<h3>二、基本情况</h3><p>当前备案期限：{esc(term)}</p>"),
            self.assessed_any,
            self.first_assessment,
            w.HTML("<b>考核情况（通过率 = 取证人次 ÷ 考核人次，ATT5-STATS）与考核题库情况</b>"),
            w.GridBox(grid, layout=w.Layout(grid_template_columns="28% 13% 13% 14% 13% 13%")),
            row("考核场地", self.site, self.texts["site_address"]),
            *(row(label, self.counts[k]) for k, label in COUNT_FIELDS.items()),
            w.HTML("<h3>三、工作总结</h3><b>工作开展情况</b>"),
            self.texts["summary"],
            w.HTML("<b>下步工作规划</b>"),
            self.texts["plan"],
            w.HTML("<b>问题与建议</b>"),
            self.texts["issues"],
            w.HTML(
                f"<h3>备案续期申请</h3><p>{esc(RENEWAL_PLEDGE)}</p><h3>诚信声明</h3><p>{esc(INTEGRITY)}</p>"
            ),
            self.integrity,
        ]

    # --- state ----------------------------------------------------------------------------
    def inputs(self) -> list[Any]:
        per_project = [
            x for rows in (self.stats, self.banks) for d in rows.values() for x in d.values()
        ]
        return [
            *self.texts.values(),
            *self.flags.values(),
            *self.counts.values(),
            *per_project,
            self.site,
            self.first_assessment,
            self.integrity,
        ]

    @contextmanager
    def batch(self) -> Iterator[None]:
        """Apply several changes, then refresh and report one change."""
        outer, self._loading = self._loading, True
        try:
            yield
        finally:
            self._loading = outer
        self._changed()

    def _changed(self, _change: Any = None) -> None:
        if self._loading:
            return
        self.refresh()
        if not self.locked:
            self.on_change()

    def refresh(self) -> None:
        """通过率 per project, live; a project never assessed is flagged (REN-05)."""
        for c in self.codes:
            assessed = int(self.stats[c]["assessed"].value)
            certified = int(self.stats[c]["certified"].value)
            if certified > assessed:
                self.rates[c].value = "<span class='cw-overdue'>取证多于考核</span>"
            elif assessed == 0:
                self.rates[c].value = "<span style='color:#8a5a00'>— 未开展考核</span>"
            else:
                self.rates[c].value = pass_rate(assessed, certified)
        held = any(int(s["assessed"].value) > 0 for s in self.stats.values())
        self.assessed_any.value = (
            f"<p>备案期内是否开展考核：<b>{YES if held else NO}</b>"
            "<span style='color:#666'>（按下表考核人次；备案期内未开展考核的项目不予续期，"
            "REN-05）</span></p>"
        )

    def value(self) -> dict[str, Any]:
        """The application as ``submit_renewal`` and the draft command take it."""

        def flag(toggle: Any) -> bool | None:
            return None if toggle.value is None else toggle.value == YES

        picked = self.first_assessment.value
        return {
            **{k: str(t.value) for k, t in self.texts.items()},
            "qualification_changed": flag(self.flags["qualification_changed"]),
            "credit_good": flag(self.flags["credit_good"]),
            "integrity_declared": bool(self.integrity.value),
            **{k: int(t.value) for k, t in self.counts.items()},
            "site": self.site.value,
            "first_assessment_on": picked.isoformat() if isinstance(picked, date) else "",
            "projects": [
                {"project_code": c, **{k: int(t.value) for k, t in self.stats[c].items()}}
                for c in self.codes
            ],
            "question_banks": [
                {"project_code": c, **{k: int(t.value) for k, t in self.banks[c].items()}}
                for c in self.codes
            ],
        }

    def load(self, stored: Mapping[str, Any]) -> None:
        """Show a stored draft or application, or a prefill; unreadable values are skipped."""

        def put(widget: Any, value: Any) -> None:
            try:
                widget.value = value
            except Exception:  # a stored value the field cannot hold is not trusted
                log.warning("skipped stored value %r", value)

        outer, self._loading = self._loading, True
        try:
            for key, widget in self.texts.items():
                if isinstance(stored.get(key), str):
                    put(widget, stored[key])
            for key, widget in self.flags.items():
                if isinstance(stored.get(key), bool):
                    put(widget, YES if stored[key] else NO)
            for key, widget in self.counts.items():
                if (number := whole(stored.get(key))) is not None:
                    put(widget, number)
            if stored.get("site") in SITES:
                put(self.site, stored["site"])
            if stored.get("first_assessment_on"):
                with contextlib.suppress(ValueError):
                    put(
                        self.first_assessment,
                        date.fromisoformat(str(stored["first_assessment_on"])),
                    )
            if isinstance(stored.get("integrity_declared"), bool):
                put(self.integrity, stored["integrity_declared"])
            for key, fields in (("projects", self.stats), ("question_banks", self.banks)):
                for row in stored.get(key) or []:
                    if not isinstance(row, Mapping) or str(row.get("project_code")) not in fields:
                        continue
                    for name, widget in fields[str(row["project_code"])].items():
                        if (number := whole(row.get(name))) is not None:
                            put(widget, number)
        finally:
            self._loading = outer
        self.refresh()

    def problems(self) -> list[dict[str, str]]:
        """Everything still missing or inconsistent, one row each (REN-02, ATT5-STATS)."""
        found: list[dict[str, str]] = []

        def add(item: str, problem: str, rule: str = "REN-02") -> None:
            found.append({"项目": item, "问题": problem, "规则": rule})

        value = self.value()
        for key, label in (
            ("qualification_changed", "主体资质是否变更"),
            ("credit_good", "信用情况是否良好"),
        ):
            if value[key] is None:
                add(label, "未选择“是/否”")
        if value["qualification_changed"] and not value["changed_items"].strip():
            add("变更项", "主体资质已变更，须填写变更项")
        for row in value["projects"]:
            if row["certified"] > row["assessed"]:
                add(f"考核情况 {row['project_code']}", "取证人次多于考核人次", "ATT5-STATS")
        if value["site"] is None:
            add("考核场地", "未选择自有场地或租用场地")
        for key in ("summary", "plan", "issues"):
            if not value[key].strip():
                add(TEXT_FIELDS[key], "未填写")
        if not value["integrity_declared"]:
            add("诚信声明", "未勾选诚信声明")
        return found

    def lock(self) -> None:
        self.locked = True
        for widget in self.inputs():
            widget.disabled = True
