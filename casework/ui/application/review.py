"""One application (SEL-02, SEL-03): what was declared and uploaded, and the actions allowed
now — the city's completeness check (受理, or 退回补正 listing the missing items), the
correction and resubmission of a returned application, and its withdrawal.

The actions offered are exactly the ones the APPLICATION lifecycle allows in the case's state
and the user's role may take; every action is a registry command, which re-checks identity,
role, city, state and input on the server.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import ipywidgets as w
import pandas as pd

from casework import registry
from casework.domain import lifecycle
from casework.errors import NotFound, RuleViolation
from casework.intake import KINDS
from casework.queries.application_intake import application_record, intake_counts
from casework.queries.keys import APPLICATION, case_number_of
from casework.registry.actors import CITY_ROLES
from casework.ui.application.form import ApplicationForm
from casework.ui.context import AppContext
from casework.ui.institution_data import page_institution
from casework.ui.kit import (
    Action,
    ActionPanel,
    GuardedSelectMultiple,
    Messages,
    fields_html,
    guard,
    section,
    table_html,
    text_area,
)

MISSING_ITEMS = (
    "单位基本信息",
    "人员花名册",
    "场地",
    "考核题库",
    "补充条件说明",
    "诚信承诺",
    "法人登记证书",
    "管理制度",
)
"""What an officer may list as missing when returning an application (SEL-02)."""


class ApplicationReview:
    """One application of the acting user's city (officer) or own institution (head)."""

    def __init__(
        self, ctx: AppContext, application_id: int, on_change: Callable[[], None] | None = None
    ) -> None:
        record = application_record(ctx.store, application_id)
        if record is None:
            raise NotFound(f"未找到备案申请（编号{application_id}）")
        self.institution = page_institution(ctx, int(record["institution_id"]), "打开备案申请")
        self.ctx, self.application_id, self.on_change = ctx, application_id, on_change
        self.messages = Messages()
        self.details = w.HTML()
        self.holder = w.VBox()
        self.widget = section(
            f"备案申请（编号{case_number_of(ctx.store, APPLICATION, application_id)}）",
            self.details,
            self.messages.widget,
            self.holder,
        )
        self.refresh()

    @property
    def officer(self) -> bool:
        return self.ctx.actor.role in CITY_ROLES

    def refresh(self) -> None:
        record = application_record(self.ctx.store, self.application_id)
        if record is None:
            raise NotFound(f"未找到备案申请（编号{self.application_id}）")
        self.record = record
        self.details.value = self._details(record)
        self.holder.children = self._actions(record)

    def _details(self, r: dict[str, Any]) -> str:
        who = r["applicant"] or {}
        rows = [
            ("申报单位", r["institution"]),
            ("统一社会信用代码", who.get("uscc") or self.institution["uscc"]),
            ("单位类型", who.get("kind", "")),
            ("单位地址", who.get("address", "")),
            ("联系人", who.get("contact", "")),
            ("联系电话", who.get("phone", "")),
            ("征集公告", r["call"]),
            ("申请类型", r["kind"]),
            ("申报项目", r["projects"]),
            ("申报日期", r["submitted_on"]),
            ("录入人", r["entry"]),
            ("诚信承诺", "已作出" if r["declared_at"] is not None else "未作出"),
            ("状态", r["status"]),
            ("受理日期", r["accepted_on"]),
            ("退回补正日期", r["returned_on"]),
            ("需补正事项", r["missing"]),
            ("补正说明", r["correction_note"]),
            ("撤回日期", r["withdrawn_on"]),
        ]
        html = fields_html(rows)
        if r["supplementary"]:
            frame = pd.DataFrame(r["supplementary"])
            html += "<p><b>本市补充条件的满足情况</b></p>" + table_html(
                frame, {"sub_id": "编号", "text": "补充条件", "statement": "满足情况"}
            )
        counts = intake_counts(self.ctx.store, int(r["institution_id"]))
        uploads = pd.DataFrame(
            [{"kind": KINDS[k].label, "rows": counts[k]} for k in ("staff", "sites", "banks")]
        )
        html += "<p><b>附件1材料（已上传的数据）</b></p>" + table_html(
            uploads, {"kind": "材料", "rows": "记录数"}
        )
        return html

    def _actions(self, r: dict[str, Any]) -> list[w.Widget]:
        allowed = set(lifecycle.APPLICATION.allowed(str(r["status"])))
        actions: list[Action] = []
        if self.officer and "accept" in allowed:
            actions.append(
                Action(
                    "accept",
                    "受理",
                    self._accept,
                    note="材料齐全的，予以受理；受理后方可组建遴选评估组（SEL-02、SEL-03）",
                )
            )
        if self.officer and "return_for_correction" in allowed:
            self.missing = guard(
                GuardedSelectMultiple(
                    options=list(MISSING_ITEMS), rows=len(MISSING_ITEMS), description="需补正"
                ),
                self.ctx,
                "需补正事项",
            )
            self.note = text_area("补正说明（可选）", description="补正说明")
            actions.append(
                Action(
                    "return",
                    "退回补正",
                    self._return,
                    fields={"missing": self.missing, "note": self.note},
                )
            )
        if "withdraw" in allowed:
            self.reason = text_area("撤回原因", description="撤回原因")
            actions.append(
                Action("withdraw", "撤回申请", self._withdraw, fields={"reason": self.reason})
            )
        panel = ActionPanel(
            self.ctx,
            self.messages,
            actions,
            self._done,
            drafts=("application", str(self.application_id)),
        )
        self.panel = panel
        widgets: list[w.Widget] = [panel.widget]
        self.correction: ApplicationForm | None = None
        if "resubmit" in allowed:
            self.correction = ApplicationForm(
                self.ctx, self.institution, self._resubmitted, self.application_id
            )
            widgets.append(section("补正后重新提交（SEL-02）", self.correction.widget))
        return widgets

    def _resubmitted(self, application_id: int) -> None:
        self._done()
        self.messages.ok(f"申请（编号{application_id}）已补正并重新提交，等待市级人社部门受理")

    def _done(self) -> None:
        self.refresh()
        if self.on_change is not None:
            self.on_change()

    def _accept(self) -> str:
        self.ctx.run(
            registry.accept_application, application_id=self.application_id, on=self.ctx.today
        )
        return "已受理；可组建遴选评估组（SEL-03）"

    def _return(self) -> str:
        missing = list(self.missing.value)
        if not missing:
            raise RuleViolation("请在“需补正”中选择需补正的材料或事项", rule_id="SEL-02")
        self.ctx.run(
            registry.return_application,
            application_id=self.application_id,
            missing=missing,
            note=self.note.value,
            on=self.ctx.today,
        )
        return f"已退回补正：{'、'.join(missing)}"

    def _withdraw(self) -> str:
        self.ctx.run(
            registry.withdraw_application,
            application_id=self.application_id,
            on=self.ctx.today,
            reason=self.reason.value,
        )
        return "申请已撤回"
