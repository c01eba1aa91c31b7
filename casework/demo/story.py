"""The story ``make run`` prints: which served user does which step, in order, so that a new
user carries one institution from the call to the receipt with the printed links alone.

The served users are the served city's officer, manager, three pool experts (the open panel
and renewal group), the institution head whose self-evaluation is due, and the province
(:mod:`casework.demo.served` makes their open work). A test checks that every user named here
exists in the demo and has the named page in their index.
"""

from __future__ import annotations

from dataclasses import dataclass

from casework.demo.served import HEAD_USERNAME, SERVED_CITY, STORY_INSTITUTION

OFFICER = f"officer{SERVED_CITY}"
MANAGER = f"manager{SERVED_CITY}"
EXPERTS = tuple(f"expert{SERVED_CITY}_{i}" for i in (1, 2, 3))
PROVINCE = "province"

SERVED: tuple[tuple[str, str], ...] = (
    ("市级经办", OFFICER),
    ("市级负责人", MANAGER),
    ("专家（组长）", EXPERTS[0]),
    ("专家", EXPERTS[1]),
    ("专家", EXPERTS[2]),
    ("机构", HEAD_USERNAME),
    ("省级管理", PROVINCE),
)
"""(label, username) of each server ``make run`` starts, in the order printed."""


@dataclass(frozen=True)
class Step:
    """One step of the story: who, on which page (notebook), does what."""

    who: tuple[str, ...]
    page: str
    text: str


STORY: tuple[Step, ...] = (
    Step(
        (OFFICER,),
        "call",
        "在“征集公告”中查看正在征集的补充征集公告（申报项目、截止日期）",
    ),
    Step(
        (OFFICER,),
        "application",
        f"在“备案申请”中打开{STORY_INSTITUTION}的申请（已提交），核对材料后“受理”",
    ),
    Step(
        (OFFICER,),
        "panels",
        "在“评估组”中从本市专家库选3位专家组成遴选评估组，指定组长",
    ),
    Step(
        EXPERTS,
        "selection_panel",
        "三位专家各自打开“遴选评估”，签署声明、逐项核验附件1并提交；组长查看评估组意见",
    ),
    Step((OFFICER,), "decisions", "在“研究确定”中根据评估组意见确定“拟备案”"),
    Step((OFFICER,), "notice_filing", "在“公示与备案”中发布公示（不少于5个工作日）"),
    Step(
        (MANAGER,),
        "index",
        "在任一页面顶部的“调整模拟日期”把日期调到公示期满之后（仅演示环境）",
    ),
    Step((OFFICER,), "notice_filing", "公示期满无异议，办结公示"),
    Step((OFFICER,), "province_reports", "在“报送省厅”中报送公示无异议的拟备案机构"),
    Step((PROVINCE,), "province_reports", "省厅在“报送省厅”中确认收到"),
    Step((OFFICER,), "notice_filing", "在“公示与备案”中办理备案，下载备案回执"),
)
"""Carrying the story's institution from the call to the receipt."""

WAITING: tuple[Step, ...] = (
    Step(EXPERTS, "renewal_scoring", "同一组专家还有一个续期评估组待按附件4评分，组长提交附件6"),
    Step((HEAD_USERNAME,), "self_evaluation", "机构负责人的续期自评（附件4、附件5）待提交"),
    Step((OFFICER,), "supervision", "日常监管中有一件日常检查事项待跟进"),
    Step((OFFICER,), "panels", "另一家申请单位的遴选评估组已组建，三份核验表尚空"),
)
"""The other open work each served user finds on first start."""


def story_text(names: dict[str, str] | None = None) -> str:
    """The story as printed: numbered steps naming each user (display name where known)."""
    from casework.ui.pages import PAGES

    titles = {p.notebook: p.title for p in PAGES}
    shown = names or {}

    def who(step: Step) -> str:
        return "、".join(shown.get(u, u) for u in step.who)

    lines = [f"演示故事：把“{STORY_INSTITUTION}”从申请办到备案回执（依次打开上面的地址）："]
    for i, step in enumerate(STORY, 1):
        lines.append(f"  {i:>2}. {who(step)} · {titles[step.page]}：{step.text}")
    lines.append("另有待办：")
    for step in WAITING:
        lines.append(f"   · {who(step)} · {titles[step.page]}：{step.text}")
    return "\n".join(lines)
