"""The city's expert pool (SEL-03, REN-04): the list, a new expert (who gets a 专家 user to sign
in with), and the correction or deactivation of one. Every write is a registry command
(``add_pool_expert``, ``edit_pool_expert``, ``deactivate_pool_expert``), which re-checks the
city, the input and the state on the server."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import ipywidgets as w
import pandas as pd

from casework import registry
from casework.domain import limits
from casework.errors import RuleViolation
from casework.queries.experts import city_institutions, pool_of
from casework.ui.context import AppContext
from casework.ui.drafts import FormDraft
from casework.ui.kit import (
    WIDE,
    GuardedDropdown,
    GuardedSelectMultiple,
    GuardedText,
    Messages,
    guard,
    guarded,
    section,
    table_html,
)

POOL_HEADERS = {
    "display_name": "姓名",
    "unit": "工作单位",
    "specialty": "专业领域",
    "phone": "联系电话",
    "conflict_names": "声明回避单位",
    "state": "状态",
    "username": "登录名",
}
STYLE = {"description_width": "initial"}


def text_field(ctx: AppContext, label: str, length: int, placeholder: str = "") -> GuardedText:
    field = GuardedText(
        description=label,
        placeholder=placeholder,
        continuous_update=False,
        layout=w.Layout(width="60%"),
        style=STYLE,
    )
    return guard(field, ctx, label, length)


class PersonFields:
    """姓名, 工作单位, 专业领域, 联系电话 and 声明回避单位 of one expert."""

    def __init__(self, ctx: AppContext, institutions: pd.DataFrame) -> None:
        self.display_name = text_field(ctx, "姓名", limits.DISPLAY_NAME)
        self.unit = text_field(ctx, "工作单位", limits.UNIT_NAME, "同单位须回避（SUP-03）")
        self.specialty = text_field(ctx, "专业领域", limits.TITLE)
        self.phone = text_field(ctx, "联系电话", limits.PHONE)
        self.conflicts = guard(
            GuardedSelectMultiple(
                options=[(str(r["name"]), int(r["id"])) for r in institutions.to_dict("records")],
                rows=4,
                description="声明回避单位",
                layout=WIDE,
                style=STYLE,
            ),
            ctx,
            "声明回避单位",
        )

    def fields(self) -> dict[str, Any]:
        return {
            "display_name": self.display_name,
            "unit": self.unit,
            "specialty": self.specialty,
            "phone": self.phone,
            "conflicts": self.conflicts,
        }

    def values(self) -> dict[str, Any]:
        return {
            "display_name": self.display_name.value,
            "unit": self.unit.value,
            "specialty": self.specialty.value,
            "phone": self.phone.value,
            "conflicts": [int(i) for i in self.conflicts.value],
        }


class PoolSection:
    """The pool's list, the form of a new expert and the correction of a listed one."""

    def __init__(self, ctx: AppContext, city_code: str, on_change: Callable[[], None]) -> None:
        self.ctx, self.city_code, self.on_change = ctx, city_code, on_change
        self.messages = Messages()
        self.listing = w.HTML()
        institutions = city_institutions(ctx.store, city_code)
        # a new expert
        self.username = text_field(ctx, "登录名", limits.USERNAME, "统一认证的用户名，如 zhang_san")
        self.new = PersonFields(ctx, institutions)
        self.add_button = w.Button(description="登记到专家库", button_style="primary")
        self.add_button.on_click(guarded(ctx, self.messages, "专家库登记专家", self._add))
        self.draft = FormDraft(
            ctx, "panels:pool", city_code, {"username": self.username, **self.new.fields()}
        )
        # a listed expert
        self.picker = guard(
            GuardedDropdown(options=[], description="专家", layout=WIDE), ctx, "专家"
        )
        self.edit = PersonFields(ctx, institutions)
        self.save_button = w.Button(description="保存修改", button_style="primary")
        self.save_button.on_click(guarded(ctx, self.messages, "修改专家信息", self._save))
        self.deactivate_button = w.Button(description="停用", button_style="warning")
        self.deactivate_button.on_click(
            guarded(ctx, self.messages, "停用专家库专家", self._deactivate)
        )
        self.picker.observe(lambda _c: self._load(), names="value")
        self.widget = section(
            "本市专家库（SEL-03、REN-04）",
            self.listing,
            w.HTML("<b>登记专家</b>（已有账号的专家只填登录名即可加入本市专家库；可为外市专家）"),
            self.username,
            *self.new.fields().values(),
            self.add_button,
            w.HTML("<b>修改或停用</b>"),
            self.picker,
            *self.edit.fields().values(),
            w.HBox([self.save_button, self.deactivate_button]),
            self.messages.widget,
        )
        self.refresh()

    def refresh(self) -> None:
        self.pool = pool_of(self.ctx.store, self.city_code)
        shown = self.pool.assign(state=self.pool["active"].map({True: "在库", False: "已停用"}))
        self.listing.value = (
            table_html(shown, POOL_HEADERS) if len(shown) else "<p>本市专家库中尚无专家</p>"
        )
        current = self.picker.value
        self.picker.options = [
            (f"{r['display_name']}（{r['unit']}）{'' if r['active'] else '·已停用'}", r["username"])
            for r in self.pool.to_dict("records")
        ]
        names = [v for _, v in self.picker.options]
        self.picker.value = current if current in names else (names[0] if names else None)
        self._load()

    def _load(self) -> None:
        row = self.pool[self.pool["username"] == self.picker.value]
        enabled = len(row) == 1
        self.save_button.disabled = not enabled
        self.deactivate_button.disabled = not (enabled and bool(row["active"].iloc[0]))
        if not enabled:
            return
        r = row.iloc[0]
        self.edit.display_name.value = str(r["display_name"])
        self.edit.unit.value = str(r["unit"])
        self.edit.specialty.value = str(r["specialty"])
        self.edit.phone.value = str(r["phone"])
        offered = {v for _, v in self.edit.conflicts.options}
        self.edit.conflicts.value = tuple(i for i in r["conflicts"] if i in offered)

    def _picked(self) -> str:
        if self.picker.value not in set(self.pool["username"]):
            raise RuleViolation("请先选择专家库中的专家", rule_id="SEL-03")
        return str(self.picker.value)

    def _add(self, _button: Any = None) -> None:
        name = self.username.value.strip()
        self.ctx.run(
            registry.add_pool_expert,
            city_code=self.city_code,
            username=name,
            on=self.ctx.today,
            **self.new.values(),
        )
        self.draft.clear(reset=True)
        self._changed(f"已将“{name}”登记到本市专家库")

    def _save(self, _button: Any = None) -> None:
        name = self._picked()
        self.ctx.run(
            registry.edit_pool_expert, city_code=self.city_code, username=name, **self.edit.values()
        )
        self._changed(f"已保存专家“{self.edit.display_name.value.strip()}”的信息")

    def _deactivate(self, _button: Any = None) -> None:
        name = self._picked()
        self.ctx.run(registry.deactivate_pool_expert, city_code=self.city_code, username=name)
        self._changed("已停用该专家：不再选入新的评估组，已组建的评估组不受影响")

    def _changed(self, text: str) -> None:
        self.refresh()
        self.on_change()
        self.messages.ok(text)
