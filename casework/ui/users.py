"""人员与权限 — a city manager adds, re-roles and deactivates the users of their city (officers,
experts, institution heads bound to an institution); the province does so for every city,
city managers included (SUP-01).

The roles offered are exactly those :data:`casework.registry.actors.GRANTS` lets the signed-in
user grant; the registry commands (``add_user``, ``change_user_role``, ``deactivate_user``)
check the grant, the city and the binding again on the server. People are shown by name.
"""

from __future__ import annotations

from typing import Any

import ipywidgets as w

from casework import registry
from casework.domain import limits
from casework.errors import PermissionDenied, RuleViolation
from casework.queries.people import cities_list, institutions_of, users_seen_by
from casework.registry.actors import (
    CITY_MANAGER,
    CITY_ROLES,
    GRANTS,
    INSTITUTION,
    PROVINCE,
    grant_refusal,
)
from casework.registry.catalog import change_user_role, deactivate_user
from casework.ui.context import AppContext
from casework.ui.drafts import FormDraft
from casework.ui.gates import page_or_refusal, refuse
from casework.ui.kit import (
    WIDE,
    GuardedDropdown,
    GuardedText,
    Messages,
    app_entry,
    guard,
    guarded,
    section,
    table_html,
    title,
)

HEADING = "人员与权限"
STYLE = {"description_width": "initial"}
HEADERS = {
    "display_name": "姓名",
    "role": "角色",
    "city": "城市",
    "institution": "考核机构",
    "unit": "工作单位",
    "state": "状态",
    "username": "登录名",
}


def require_user_manager(ctx: AppContext) -> None:
    """SUP-01: only the province and city managers manage users."""
    if ctx.actor.role not in (PROVINCE, CITY_MANAGER) or (
        ctx.actor.role == CITY_MANAGER and not ctx.actor.city_code
    ):
        raise refuse(
            ctx,
            "打开人员与权限",
            PermissionDenied(
                f"{ctx.actor.label}无权使用本页面（人员与权限）：仅限市级负责人、省级管理",
                rule_id="SUP-01",
            ),
        )


def text(ctx: AppContext, label: str, length: int, placeholder: str = "") -> GuardedText:
    field = GuardedText(
        description=label,
        placeholder=placeholder,
        continuous_update=False,
        layout=w.Layout(width="60%"),
        style=STYLE,
    )
    return guard(field, ctx, label, length)


class Binding:
    """A role the user may grant and what it is bound to: a city (城市 roles) or an
    institution (机构); experts and the province are bound to neither."""

    def __init__(self, ctx: AppContext) -> None:
        self.ctx = ctx
        grantable = list(GRANTS.get(ctx.actor.role, {}))
        self.role = guard(
            GuardedDropdown(options=grantable, value=None, description="角色", style=STYLE),
            ctx,
            "角色",
        )
        if ctx.actor.role == PROVINCE:
            city_options = cities_list(ctx.store)
        else:
            city_options = [(str(ctx.actor.city_code), str(ctx.actor.city_code))]
        self.city = guard(
            GuardedDropdown(
                options=city_options,
                value=city_options[0][1] if city_options else None,
                description="城市",
                style=STYLE,
            ),
            ctx,
            "城市",
        )
        self.institution = guard(
            GuardedDropdown(options=[], description="考核机构", layout=WIDE, style=STYLE),
            ctx,
            "考核机构",
        )
        self.city.observe(lambda _c: self._load(), names="value")
        self._load()

    def _load(self) -> None:
        keep = self.institution.value
        self.institution.options = institutions_of(self.ctx.store, self.city.value)
        ids = [v for _, v in self.institution.options]
        self.institution.value = keep if keep in ids else (ids[0] if ids else None)

    def fields(self) -> dict[str, Any]:
        return {"role": self.role, "city": self.city, "institution": self.institution}

    def values(self) -> dict[str, Any]:
        role = self.role.value
        if role is None:
            raise RuleViolation("请选择角色", rule_id="SUP-01")
        if role in CITY_ROLES:
            if self.city.value is None:
                raise RuleViolation(f"角色“{role}”须选择城市", rule_id="SUP-01")
            return {"role": role, "city_code": self.city.value, "institution_id": None}
        if role == INSTITUTION:
            if self.institution.value is None:
                raise RuleViolation("角色“机构”须选择考核机构", rule_id="SUP-01")
            return {"role": role, "city_code": None, "institution_id": int(self.institution.value)}
        return {"role": role, "city_code": None, "institution_id": None}


class UsersPage:
    """The users the signed-in manager sees, the form of a new user, and the change of one."""

    def __init__(self, ctx: AppContext) -> None:
        self.ctx = ctx
        self.messages = Messages()
        self.listing = w.HTML()
        self.username = text(ctx, "登录名", limits.USERNAME, "统一认证的用户名")
        self.display_name = text(ctx, "姓名", limits.DISPLAY_NAME)
        self.unit = text(ctx, "工作单位", limits.UNIT_NAME)
        self.new = Binding(ctx)
        self.add_button = w.Button(description="登记用户", button_style="primary")
        self.add_button.on_click(guarded(ctx, self.messages, "登记用户", self._add))
        self.draft = FormDraft(
            ctx,
            "users:add",
            ctx.actor.city_code or "province",
            {
                "username": self.username,
                "display_name": self.display_name,
                "unit": self.unit,
                **self.new.fields(),
            },
        )
        self.picker = guard(
            GuardedDropdown(options=[], description="用户", layout=WIDE, style=STYLE), ctx, "用户"
        )
        self.change = Binding(ctx)
        self.role_button = w.Button(description="调整角色", button_style="primary")
        self.role_button.on_click(guarded(ctx, self.messages, "调整用户角色", self._re_role))
        self.deactivate_button = w.Button(description="停用", button_style="danger")
        self.deactivate_button.on_click(guarded(ctx, self.messages, "停用用户", self._deactivate))
        self.widget = w.VBox(
            [
                title(HEADING, f"当前用户：{ctx.actor.label}"),
                section("用户", self.listing),
                section(
                    "登记用户（SUP-01）",
                    self.username,
                    self.display_name,
                    self.unit,
                    *self.new.fields().values(),
                    self.add_button,
                ),
                section(
                    "调整角色或停用",
                    self.picker,
                    *self.change.fields().values(),
                    w.HBox([self.role_button, self.deactivate_button]),
                ),
                self.messages.widget,
            ]
        )
        self.refresh()

    def refresh(self) -> None:
        frame = users_seen_by(self.ctx.store, self.ctx.actor)
        shown = frame.assign(state=frame["active"].map({True: "有效", False: "已停用"}))
        self.listing.value = table_html(shown, HEADERS) if len(frame) else "<p>暂无用户</p>"
        manageable = [
            r
            for r in frame.to_dict("records")
            if r["active"]
            and r["username"] != self.ctx.actor.username
            and grant_refusal(self.ctx.actor, r["role"], r["bound_city"]) is None
        ]
        current = self.picker.value
        self.picker.options = [
            (f"{r['display_name']}（{r['role']}，{r['username']}）", r["username"])
            for r in manageable
        ]
        names = [v for _, v in self.picker.options]
        self.picker.value = current if current in names else None
        self.role_button.disabled = self.deactivate_button.disabled = not names

    def _picked(self) -> str:
        if self.picker.value not in {v for _, v in self.picker.options}:
            raise RuleViolation("请先选择用户", rule_id="SUP-01")
        return str(self.picker.value)

    def _add(self, _button: Any = None) -> None:
        name = self.username.value.strip()
        if not name:
            raise RuleViolation("登录名不能为空", rule_id="SUP-01")
        if not self.display_name.value.strip():
            raise RuleViolation("姓名不能为空", rule_id="SUP-01")
        self.ctx.run(
            registry.add_user,
            username=name,
            display_name=self.display_name.value.strip(),
            unit=self.unit.value.strip(),
            **self.new.values(),
        )
        self.draft.clear(reset=True)
        self.refresh()
        self.messages.ok(f"已登记用户“{name}”")

    def _re_role(self, _button: Any = None) -> None:
        name = self._picked()
        binding = self.change.values()
        self.ctx.run(change_user_role, username=name, **binding)
        self.refresh()
        self.messages.ok(f"已将用户“{name}”的角色调整为{binding['role']}")

    def _deactivate(self, _button: Any = None) -> None:
        name = self._picked()
        self.ctx.run(deactivate_user, username=name)
        self.refresh()
        self.messages.ok(f"已停用用户“{name}”：其打开的页面不能再办理任何事项")


def build(ctx: AppContext) -> w.Widget:
    """The page of the signed-in city manager or province user; a refusal for anyone else."""

    def make() -> w.Widget:
        require_user_manager(ctx)
        return UsersPage(ctx).widget

    return page_or_refusal(HEADING, make)


def app() -> w.Widget:
    """Notebook entry point: the signed-in user's page."""
    return app_entry(HEADING, build)
