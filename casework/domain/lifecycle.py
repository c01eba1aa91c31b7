"""The lifecycle of every case, declared once as data and checked when it is defined.

Each :class:`Machine` is a table of transitions: an action moves a record from one of its
source states to a target state, citing the rules that govern the move. The registry asks a
machine before it writes (:meth:`Machine.target`), so an illegal move raises one error type,
:class:`~casework.errors.IllegalTransition`, naming the action, the current state and the
rule ID, and nothing is written. ``render_markdown()`` produces the table in
``docs/lifecycle.md``.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from casework.errors import CaseworkError, IllegalTransition


class LifecycleDefinitionError(CaseworkError):
    """A machine's declaration is inconsistent (unreachable state, dead end, exit from final)."""


@dataclass(frozen=True)
class Transition:
    """One declared move: ``action`` takes a record from any of ``sources`` to ``target``."""

    action: str
    label: str
    sources: tuple[str, ...]
    target: str
    rules: tuple[str, ...] = ()


@dataclass(frozen=True)
class Machine:
    """A checked state machine over plain strings."""

    name: str
    label: str
    initial: str
    states: tuple[str, ...]
    finals: frozenset[str]
    transitions: tuple[Transition, ...]
    _index: Mapping[str, Transition] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "_index", {t.action: t for t in self.transitions})
        self._check()

    def _check(self) -> None:
        problems: list[str] = []
        known = set(self.states)
        if len(self._index) != len(self.transitions):
            problems.append("动作名称重复")
        if self.initial not in known:
            problems.append(f"初始状态“{self.initial}”未声明")
        for t in self.transitions:
            for s in (*t.sources, t.target):
                if s not in known:
                    problems.append(f"动作“{t.action}”引用了未声明的状态“{s}”")
            left_final = self.finals.intersection(t.sources)
            if left_final:
                problems.append(f"动作“{t.action}”离开了终态“{'、'.join(sorted(left_final))}”")
        reachable = {self.initial}
        frontier = [self.initial]
        while frontier:
            state = frontier.pop()
            for t in self.transitions:
                if state in t.sources and t.target not in reachable:
                    reachable.add(t.target)
                    frontier.append(t.target)
        for s in self.states:
            if s not in reachable:
                problems.append(f"状态“{s}”不可达")
            if s not in self.finals and not any(s in t.sources for t in self.transitions):
                problems.append(f"非终态“{s}”没有出口（死胡同）")
        if not self.finals:
            problems.append("没有终态")
        if problems:
            raise LifecycleDefinitionError(f"生命周期“{self.name}”定义有误：" + "；".join(problems))

    @property
    def actions(self) -> tuple[str, ...]:
        return tuple(self._index)

    def transition(self, action: str) -> Transition:
        try:
            return self._index[action]
        except KeyError:
            raise LifecycleDefinitionError(f"生命周期“{self.name}”没有动作“{action}”") from None

    def allowed(self, state: str) -> tuple[str, ...]:
        """The actions allowed in ``state``."""
        return tuple(t.action for t in self.transitions if state in t.sources)

    def target(self, action: str, state: str) -> str:
        """The state ``action`` leads to from ``state``; raises IllegalTransition if forbidden."""
        t = self.transition(action)
        if state not in t.sources:
            raise IllegalTransition(t.label, state, rule_id=t.rules[0] if t.rules else None)
        return t.target

    def forbidden_pairs(self) -> Iterable[tuple[str, str]]:
        """Every (state, action) pair this machine refuses."""
        for s in self.states:
            for t in self.transitions:
                if s not in t.sources:
                    yield s, t.action


def _t(
    action: str, label: str, sources: str | tuple[str, ...], target: str, *rules: str
) -> Transition:
    srcs = (sources,) if isinstance(sources, str) else sources
    return Transition(action, label, srcs, target, rules)


# --- Filing (EXIT-01) -----------------------------------------------------------------------
ACTIVE, SUSPENDED, TERMINATED = "有效", "暂停", "终止备案"
END_REASONS = ("自愿撤销", "到期未续", "续期不合格", "违规撤销", "主体灭失")
"""EXIT-01: why a filing ended."""

FILING = Machine(
    name="filing",
    label="备案",
    initial=ACTIVE,
    states=(ACTIVE, SUSPENDED, TERMINATED),
    finals=frozenset({TERMINATED}),
    transitions=(
        _t("assess", "开展考核", ACTIVE, ACTIVE, "EXIT-04", "ATT4-SCOPE"),
        _t("adjust_scope", "调整考核范围", ACTIVE, ACTIVE, "SEL-06"),
        _t("renew", "备案续期", ACTIVE, ACTIVE, "REN-05"),
        _t("suspend", "立案调查（暂停）", ACTIVE, SUSPENDED, "EXIT-04"),
        _t("restore", "调查结束恢复", SUSPENDED, ACTIVE, "EXIT-06"),
        _t("withdraw", "自愿撤销", ACTIVE, TERMINATED, "EXIT-02"),
        _t("expire", "到期未续", (ACTIVE, SUSPENDED), TERMINATED, "EXIT-03", "REN-02"),
        _t("fail_renewal", "续期不合格", (ACTIVE, SUSPENDED), TERMINATED, "REN-05"),
        _t("revoke", "违规撤销", SUSPENDED, TERMINATED, "EXIT-06"),
        _t("extinguish", "主体灭失", (ACTIVE, SUSPENDED), TERMINATED, "EXIT-07"),
    ),
)

# --- Call (SEL-02) --------------------------------------------------------------------------
CALL = Machine(
    name="call",
    label="征集公告",
    initial="已发布",
    states=("已发布", "已截止"),
    finals=frozenset({"已截止"}),
    transitions=(
        _t("apply", "提交申请", "已发布", "已发布", "SEL-02"),
        _t("close", "截止征集", "已发布", "已截止", "SEL-02"),
    ),
)

# --- Application (SEL-03…SEL-06) ------------------------------------------------------------
APPLICATION = Machine(
    name="application",
    label="备案申请",
    initial="已提交",
    states=("已提交", "评估中", "拟备案", "公示中", "公示无异议", "已备案", "未通过", "已撤回"),
    finals=frozenset({"已备案", "未通过", "已撤回"}),
    transitions=(
        _t("constitute_panel", "组建遴选评估组", "已提交", "评估中", "SEL-03"),
        _t("submit_sheet", "提交评估表", "评估中", "评估中", "SEL-03", "SEL-04"),
        _t("approve", "研究确定拟备案", "评估中", "拟备案", "SEL-04", "SEL-07"),
        _t("reject", "评估不通过", "评估中", "未通过", "SEL-04"),
        _t("publish_notice", "社会公示", "拟备案", "公示中", "SEL-05"),
        _t("close_notice_clear", "公示期满无异议", "公示中", "公示无异议", "SEL-05"),
        _t("uphold_objection", "异议成立", "公示中", "未通过", "SEL-05"),
        _t("file", "出具备案回执", "公示无异议", "已备案", "SEL-05", "ATT2-TERM", "SEL-06"),
        _t("withdraw", "撤回申请", ("已提交", "评估中", "拟备案"), "已撤回", "SEL-02"),
    ),
)

# --- Public notice (SEL-05) -----------------------------------------------------------------
NOTICE = Machine(
    name="notice",
    label="公示",
    initial="公示中",
    states=("公示中", "已结束"),
    finals=frozenset({"已结束"}),
    transitions=(
        _t("object", "登记异议", "公示中", "公示中", "SEL-05"),
        _t("close", "结束公示", "公示中", "已结束", "SEL-05"),
    ),
)

# --- Renewal case (REN-01…REN-06) -----------------------------------------------------------
RENEWAL = Machine(
    name="renewal",
    label="续期评估",
    initial="待自评",
    states=("待自评", "已提交", "评估中", "合格", "不合格", "未提交", "已终止"),
    finals=frozenset({"合格", "不合格", "未提交", "已终止"}),
    transitions=(
        _t("submit", "提交自评与续期申请", "待自评", "已提交", "REN-02"),
        _t("lapse", "逾期未提交", "待自评", "未提交", "REN-02", "EXIT-03"),
        _t("constitute_group", "组建续期评估组", "已提交", "评估中", "REN-04"),
        _t("submit_sheet", "提交评估表", "评估中", "评估中", "REN-04", "REN-07"),
        _t("pass", "评估合格", "评估中", "合格", "REN-05"),
        _t("fail", "评估不合格", "评估中", "不合格", "REN-05", "REN-06"),
        _t("cancel", "备案终止、评估终止", ("待自评", "已提交", "评估中"), "已终止", "EXIT-01"),
    ),
)

# --- Exit cases (EXIT-02…EXIT-07) -----------------------------------------------------------
VIOLATION = Machine(
    name="violation",
    label="违规调查",
    initial="调查中",
    states=("调查中", "已告知", "已申辩", "收尾中", "已撤销", "已恢复", "已终结"),
    finals=frozenset({"已撤销", "已恢复", "已终结"}),
    transitions=(
        _t("serve_findings", "送达书面核查意见", "调查中", "已告知", "EXIT-05"),
        _t("record_statement", "登记陈述申辩", "已告知", "已申辩", "EXIT-05"),
        _t("confirm", "认定违规、指导收尾", ("已告知", "已申辩"), "收尾中", "EXIT-05", "EXIT-06"),
        _t("revoke", "收尾完成、撤销备案", "收尾中", "已撤销", "EXIT-06"),
        _t("restore", "不予撤销、恢复", ("调查中", "已告知", "已申辩"), "已恢复", "EXIT-06"),
        _t(
            "close_extinct",
            "主体灭失、调查终结",
            ("调查中", "已告知", "已申辩", "收尾中"),
            "已终结",
            "EXIT-07",
        ),
    ),
)

WITHDRAWAL = Machine(
    name="withdrawal",
    label="自愿撤销",
    initial="已申请",
    states=("已申请", "收尾中", "已撤销", "已撤回", "已终结"),
    finals=frozenset({"已撤销", "已撤回", "已终结"}),
    transitions=(
        _t("accept_plan", "评估收尾方案、指导收尾", "已申请", "收尾中", "EXIT-02"),
        _t("complete", "收尾完成、出具撤销备案函", "收尾中", "已撤销", "EXIT-02"),
        _t("cancel", "撤回撤销申请", "已申请", "已撤回", "EXIT-02"),
        _t("close_extinct", "主体灭失、程序终结", ("已申请", "收尾中"), "已终结", "EXIT-07"),
    ),
)

# --- Supervision incident (SUP-01, SUP-02) --------------------------------------------------
INCIDENT = Machine(
    name="incident",
    label="日常监管事项",
    initial="处理中",
    states=("处理中", "已办结", "已立案调查"),
    finals=frozenset({"已办结", "已立案调查"}),
    transitions=(
        _t("follow_up", "登记跟进", "处理中", "处理中", "SUP-01"),
        _t("close", "办结", "处理中", "已办结", "SUP-01", "SUP-02"),
        _t("escalate", "转立案调查", "处理中", "已立案调查", "SUP-02", "EXIT-04"),
    ),
)

MACHINES: tuple[Machine, ...] = (
    FILING,
    CALL,
    APPLICATION,
    NOTICE,
    RENEWAL,
    VIOLATION,
    WITHDRAWAL,
    INCIDENT,
)


def render_markdown(machines: Iterable[Machine] = MACHINES) -> str:
    """The lifecycle tables as Markdown (the body of ``docs/lifecycle.md``)."""
    out = [
        "# 生命周期 / Lifecycle",
        "",
        "Generated from `casework/domain/lifecycle.py` by `render_markdown()`; "
        "a test keeps this file in step with the code.",
        "",
    ]
    for m in machines:
        out += [
            f"## {m.label} (`{m.name}`)",
            "",
            f"初始状态：{m.initial}；终态：{'、'.join(s for s in m.states if s in m.finals)}",
            "",
            "| 动作 | action | 从 | 到 | 规则 |",
            "|---|---|---|---|---|",
        ]
        for t in m.transitions:
            out.append(
                f"| {t.label} | `{t.action}` | {'、'.join(t.sources)} | {t.target} | "
                f"{', '.join(t.rules)} |"
            )
        out.append("")
    return "\n".join(out)
