"""The lifecycle of every case, declared once as data and checked when it is defined.

Each :class:`Machine` is a table of transitions: an action moves a record from one of its
source states to a target state, citing the rules that govern the move. The registry asks a
machine before it writes (:meth:`Machine.target`), so an illegal move raises one error type,
:class:`~casework.errors.IllegalTransition`, naming the action, the current state and the
rule ID, and nothing is written. ``render_markdown()`` produces the table in
``docs/lifecycle.md``.

Every state has a name here (``FILING_VALID``, ``APPLICATION_FILED``, ``RENEWAL_PASSED`` …),
and the questions other modules ask of a state are named predicates (:func:`is_live`,
:func:`may_assess`, :func:`is_pending_filing` …), so a state is spelled once, in this module.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Final

from casework.domain import rules
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

    def is_final(self, state: str) -> bool:
        """True when ``state`` is one of this machine's final states (nothing leaves it)."""
        return state in self.finals

    def is_open(self, state: str) -> bool:
        """True when ``state`` is a declared state that is not final (the case is running)."""
        return state in self.states and state not in self.finals

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
FILING_VALID: Final = "有效"
"""EXIT-01: the filing is in force."""
FILING_SUSPENDED: Final = "暂停"
"""EXIT-04: under investigation; the institution may not assess meanwhile."""
FILING_TERMINATED: Final = rules.TERMINATED_STATUS
"""EXIT-01: 终止备案, as the catalog shows a removed institution."""
ACTIVE, SUSPENDED, TERMINATED = FILING_VALID, FILING_SUSPENDED, FILING_TERMINATED
"""The former names of the filing states (kept for the modules that use them)."""
END_REASONS = ("自愿撤销", "到期未续", "续期不合格", "违规撤销", "主体灭失")
"""EXIT-01: why a filing ended."""
_LIVE = (FILING_VALID, FILING_SUSPENDED)

FILING = Machine(
    name="filing",
    label="备案",
    initial=FILING_VALID,
    states=(FILING_VALID, FILING_SUSPENDED, FILING_TERMINATED),
    finals=frozenset({FILING_TERMINATED}),
    transitions=(
        _t("assess", "开展考核", FILING_VALID, FILING_VALID, "EXIT-04", "ATT4-SCOPE"),
        _t("adjust_scope", "调整考核范围", FILING_VALID, FILING_VALID, "SEL-06"),
        _t("renew", "备案续期", FILING_VALID, FILING_VALID, "REN-05"),
        _t("suspend", "立案调查（暂停）", FILING_VALID, FILING_SUSPENDED, "EXIT-04"),
        _t("restore", "调查结束恢复", FILING_SUSPENDED, FILING_VALID, "EXIT-06"),
        _t("withdraw", "自愿撤销", FILING_VALID, FILING_TERMINATED, "EXIT-02"),
        _t("expire", "到期未续", _LIVE, FILING_TERMINATED, "EXIT-03", "REN-02"),
        _t("fail_renewal", "续期不合格", _LIVE, FILING_TERMINATED, "REN-05"),
        _t("revoke", "违规撤销", FILING_SUSPENDED, FILING_TERMINATED, "EXIT-06"),
        _t("extinguish", "主体灭失", _LIVE, FILING_TERMINATED, "EXIT-07"),
    ),
)

# --- Call (SEL-02) --------------------------------------------------------------------------
CALL_OPEN: Final = "已发布"
"""SEL-02: the call is published and takes applications."""
CALL_CLOSED: Final = "已截止"
"""SEL-02: the call's deadline has passed."""

CALL = Machine(
    name="call",
    label="征集公告",
    initial=CALL_OPEN,
    states=(CALL_OPEN, CALL_CLOSED),
    finals=frozenset({CALL_CLOSED}),
    transitions=(
        _t("apply", "提交申请", CALL_OPEN, CALL_OPEN, "SEL-02"),
        _t("close", "截止征集", CALL_OPEN, CALL_CLOSED, "SEL-02"),
    ),
)

# --- Application (SEL-03…SEL-06) ------------------------------------------------------------
APPLICATION_SUBMITTED: Final = "已提交"
"""SEL-02: the application is in; the city has not yet checked it for completeness."""
APPLICATION_RETURNED: Final = "待补正"
"""SEL-02: returned to the applicant with the missing items listed (退回补正)."""
APPLICATION_ACCEPTED: Final = "已受理"
"""SEL-02, SEL-03: the city found it complete (受理); a selection panel may be formed."""
APPLICATION_EVALUATING: Final = "评估中"
"""SEL-03: the selection panel is evaluating."""
APPLICATION_PROPOSED: Final = "拟备案"
"""SEL-04, SEL-07: the city proposes to file it."""
APPLICATION_NOTICED: Final = "公示中"
"""SEL-05: under public notice."""
APPLICATION_CLEARED: Final = "公示无异议"
"""SEL-05: the notice ended without an upheld objection."""
APPLICATION_FILED: Final = "已备案"
"""SEL-05, ATT2-TERM: the filing receipt is issued."""
APPLICATION_REJECTED: Final = "未通过"
"""SEL-04, SEL-05: failed the evaluation, or an objection was upheld."""
APPLICATION_WITHDRAWN: Final = "已撤回"
"""SEL-02: withdrawn by the applicant."""
PENDING_FILING: Final = (APPLICATION_PROPOSED, APPLICATION_NOTICED, APPLICATION_CLEARED)
"""SEL-07: approved by the city but not yet filed (counted against the limits)."""

APPLICATION = Machine(
    name="application",
    label="备案申请",
    initial=APPLICATION_SUBMITTED,
    states=(
        APPLICATION_SUBMITTED,
        APPLICATION_RETURNED,
        APPLICATION_ACCEPTED,
        APPLICATION_EVALUATING,
        APPLICATION_PROPOSED,
        APPLICATION_NOTICED,
        APPLICATION_CLEARED,
        APPLICATION_FILED,
        APPLICATION_REJECTED,
        APPLICATION_WITHDRAWN,
    ),
    finals=frozenset({APPLICATION_FILED, APPLICATION_REJECTED, APPLICATION_WITHDRAWN}),
    transitions=(
        _t("accept", "受理申请", APPLICATION_SUBMITTED, APPLICATION_ACCEPTED, "SEL-02", "SEL-03"),
        _t(
            "return_for_correction",
            "退回补正",
            APPLICATION_SUBMITTED,
            APPLICATION_RETURNED,
            "SEL-02",
        ),
        _t("resubmit", "补正后重新提交", APPLICATION_RETURNED, APPLICATION_SUBMITTED, "SEL-02"),
        _t(
            "constitute_panel",
            "组建遴选评估组",
            APPLICATION_ACCEPTED,
            APPLICATION_EVALUATING,
            "SEL-03",
        ),
        _t(
            "submit_sheet",
            "提交评估表",
            APPLICATION_EVALUATING,
            APPLICATION_EVALUATING,
            "SEL-03",
            "SEL-04",
        ),
        _t(
            "approve",
            "研究确定拟备案",
            APPLICATION_EVALUATING,
            APPLICATION_PROPOSED,
            "SEL-04",
            "SEL-07",
        ),
        _t("reject", "评估不通过", APPLICATION_EVALUATING, APPLICATION_REJECTED, "SEL-04"),
        _t("publish_notice", "社会公示", APPLICATION_PROPOSED, APPLICATION_NOTICED, "SEL-05"),
        _t(
            "close_notice_clear",
            "公示期满无异议",
            APPLICATION_NOTICED,
            APPLICATION_CLEARED,
            "SEL-05",
        ),
        _t("uphold_objection", "异议成立", APPLICATION_NOTICED, APPLICATION_REJECTED, "SEL-05"),
        _t(
            "file",
            "出具备案回执",
            APPLICATION_CLEARED,
            APPLICATION_FILED,
            "SEL-05",
            "ATT2-TERM",
            "SEL-06",
        ),
        _t(
            "withdraw",
            "撤回申请",
            (
                APPLICATION_SUBMITTED,
                APPLICATION_RETURNED,
                APPLICATION_ACCEPTED,
                APPLICATION_EVALUATING,
                APPLICATION_PROPOSED,
            ),
            APPLICATION_WITHDRAWN,
            "SEL-02",
        ),
    ),
)

# --- Public notice (SEL-05) -----------------------------------------------------------------
NOTICE_OPEN: Final = "公示中"
"""SEL-05: the notice runs and takes objections."""
NOTICE_CLOSED: Final = "已结束"
"""SEL-05: the notice period is over."""

NOTICE = Machine(
    name="notice",
    label="公示",
    initial=NOTICE_OPEN,
    states=(NOTICE_OPEN, NOTICE_CLOSED),
    finals=frozenset({NOTICE_CLOSED}),
    transitions=(
        _t("object", "登记异议", NOTICE_OPEN, NOTICE_OPEN, "SEL-05"),
        _t("close", "结束公示", NOTICE_OPEN, NOTICE_CLOSED, "SEL-05"),
    ),
)

# --- Renewal case (REN-01…REN-06) -----------------------------------------------------------
RENEWAL_AWAITING_SELF: Final = "待自评"
"""REN-02: waiting for the institution's self-evaluation and application."""
RENEWAL_SUBMITTED: Final = "已提交"
"""REN-02: self-evaluation and application submitted."""
RENEWAL_EVALUATING: Final = "评估中"
"""REN-04: the renewal group is evaluating."""
RENEWAL_PASSED: Final = rules.GRADE_PASS
"""REN-05: renewed (合格)."""
RENEWAL_FAILED: Final = rules.GRADE_FAIL
"""REN-05, REN-06: not renewed (不合格)."""
RENEWAL_LAPSED: Final = "未提交"
"""REN-02, EXIT-03: nothing submitted in time."""
RENEWAL_CANCELLED: Final = "已终止"
"""EXIT-01: the filing ended while the renewal ran."""
RENEWAL_CONCLUDED: Final = (RENEWAL_PASSED, RENEWAL_FAILED, RENEWAL_LAPSED)
"""REN-05, REN-02: the renewal reached an outcome for the filing (as against 已终止)."""

RENEWAL = Machine(
    name="renewal",
    label="续期评估",
    initial=RENEWAL_AWAITING_SELF,
    states=(
        RENEWAL_AWAITING_SELF,
        RENEWAL_SUBMITTED,
        RENEWAL_EVALUATING,
        RENEWAL_PASSED,
        RENEWAL_FAILED,
        RENEWAL_LAPSED,
        RENEWAL_CANCELLED,
    ),
    finals=frozenset({RENEWAL_PASSED, RENEWAL_FAILED, RENEWAL_LAPSED, RENEWAL_CANCELLED}),
    transitions=(
        _t("submit", "提交自评与续期申请", RENEWAL_AWAITING_SELF, RENEWAL_SUBMITTED, "REN-02"),
        _t("lapse", "逾期未提交", RENEWAL_AWAITING_SELF, RENEWAL_LAPSED, "REN-02", "EXIT-03"),
        _t("constitute_group", "组建续期评估组", RENEWAL_SUBMITTED, RENEWAL_EVALUATING, "REN-04"),
        _t(
            "submit_sheet",
            "提交评估表",
            RENEWAL_EVALUATING,
            RENEWAL_EVALUATING,
            "REN-04",
            "REN-07",
        ),
        _t("pass", "评估合格", RENEWAL_EVALUATING, RENEWAL_PASSED, "REN-05"),
        _t("fail", "评估不合格", RENEWAL_EVALUATING, RENEWAL_FAILED, "REN-05", "REN-06"),
        _t(
            "cancel",
            "备案终止、评估终止",
            (RENEWAL_AWAITING_SELF, RENEWAL_SUBMITTED, RENEWAL_EVALUATING),
            RENEWAL_CANCELLED,
            "EXIT-01",
        ),
    ),
)

# --- Exit cases (EXIT-02…EXIT-07) -----------------------------------------------------------
VIOLATION_INVESTIGATING: Final = "调查中"
"""EXIT-04: the case is opened and the filing suspended."""
VIOLATION_NOTIFIED: Final = "已告知"
"""EXIT-05: the written findings are served; the statement period runs."""
VIOLATION_STATED: Final = "已申辩"
"""EXIT-05: the institution's statement is recorded."""
VIOLATION_WINDING_UP: Final = "收尾中"
"""EXIT-05, EXIT-06: the violation is confirmed; winding up under guidance."""
VIOLATION_REVOKED: Final = "已撤销"
"""EXIT-06: the filing is revoked."""
VIOLATION_RESTORED: Final = "已恢复"
"""EXIT-06: not revoked; the filing is restored."""
VIOLATION_CLOSED: Final = "已终结"
"""EXIT-07: the institution ceased to exist; the case is closed."""

VIOLATION = Machine(
    name="violation",
    label="违规调查",
    initial=VIOLATION_INVESTIGATING,
    states=(
        VIOLATION_INVESTIGATING,
        VIOLATION_NOTIFIED,
        VIOLATION_STATED,
        VIOLATION_WINDING_UP,
        VIOLATION_REVOKED,
        VIOLATION_RESTORED,
        VIOLATION_CLOSED,
    ),
    finals=frozenset({VIOLATION_REVOKED, VIOLATION_RESTORED, VIOLATION_CLOSED}),
    transitions=(
        _t(
            "serve_findings",
            "送达书面核查意见",
            VIOLATION_INVESTIGATING,
            VIOLATION_NOTIFIED,
            "EXIT-05",
        ),
        _t("record_statement", "登记陈述申辩", VIOLATION_NOTIFIED, VIOLATION_STATED, "EXIT-05"),
        _t(
            "confirm",
            "认定违规、指导收尾",
            (VIOLATION_NOTIFIED, VIOLATION_STATED),
            VIOLATION_WINDING_UP,
            "EXIT-05",
            "EXIT-06",
        ),
        _t("revoke", "收尾完成、撤销备案", VIOLATION_WINDING_UP, VIOLATION_REVOKED, "EXIT-06"),
        _t(
            "restore",
            "不予撤销、恢复",
            (VIOLATION_INVESTIGATING, VIOLATION_NOTIFIED, VIOLATION_STATED),
            VIOLATION_RESTORED,
            "EXIT-06",
        ),
        _t(
            "close_extinct",
            "主体灭失、调查终结",
            (VIOLATION_INVESTIGATING, VIOLATION_NOTIFIED, VIOLATION_STATED, VIOLATION_WINDING_UP),
            VIOLATION_CLOSED,
            "EXIT-07",
        ),
    ),
)

WITHDRAWAL_REQUESTED: Final = "已申请"
"""EXIT-02: the institution applied to withdraw."""
WITHDRAWAL_WINDING_UP: Final = "收尾中"
"""EXIT-02: the winding-up plan is accepted; winding up under guidance."""
WITHDRAWAL_DONE: Final = "已撤销"
"""EXIT-02: the filing is withdrawn (撤销备案函 issued)."""
WITHDRAWAL_CANCELLED: Final = "已撤回"
"""EXIT-02: the institution took its application back."""
WITHDRAWAL_CLOSED: Final = "已终结"
"""EXIT-07: the institution ceased to exist; the procedure is closed."""

WITHDRAWAL = Machine(
    name="withdrawal",
    label="自愿撤销",
    initial=WITHDRAWAL_REQUESTED,
    states=(
        WITHDRAWAL_REQUESTED,
        WITHDRAWAL_WINDING_UP,
        WITHDRAWAL_DONE,
        WITHDRAWAL_CANCELLED,
        WITHDRAWAL_CLOSED,
    ),
    finals=frozenset({WITHDRAWAL_DONE, WITHDRAWAL_CANCELLED, WITHDRAWAL_CLOSED}),
    transitions=(
        _t(
            "accept_plan",
            "评估收尾方案、指导收尾",
            WITHDRAWAL_REQUESTED,
            WITHDRAWAL_WINDING_UP,
            "EXIT-02",
        ),
        _t(
            "complete",
            "收尾完成、出具撤销备案函",
            WITHDRAWAL_WINDING_UP,
            WITHDRAWAL_DONE,
            "EXIT-02",
        ),
        _t("cancel", "撤回撤销申请", WITHDRAWAL_REQUESTED, WITHDRAWAL_CANCELLED, "EXIT-02"),
        _t(
            "close_extinct",
            "主体灭失、程序终结",
            (WITHDRAWAL_REQUESTED, WITHDRAWAL_WINDING_UP),
            WITHDRAWAL_CLOSED,
            "EXIT-07",
        ),
    ),
)

# --- Supervision incident (SUP-01, SUP-02) --------------------------------------------------
INCIDENT_OPEN: Final = "处理中"
"""SUP-01: the incident is being handled."""
INCIDENT_CLOSED: Final = "已办结"
"""SUP-01, SUP-02: handled and closed."""
INCIDENT_ESCALATED: Final = "已立案调查"
"""SUP-02, EXIT-04: turned into a violation investigation."""

INCIDENT = Machine(
    name="incident",
    label="日常监管事项",
    initial=INCIDENT_OPEN,
    states=(INCIDENT_OPEN, INCIDENT_CLOSED, INCIDENT_ESCALATED),
    finals=frozenset({INCIDENT_CLOSED, INCIDENT_ESCALATED}),
    transitions=(
        _t("follow_up", "登记跟进", INCIDENT_OPEN, INCIDENT_OPEN, "SUP-01"),
        _t("close", "办结", INCIDENT_OPEN, INCIDENT_CLOSED, "SUP-01", "SUP-02"),
        _t("escalate", "转立案调查", INCIDENT_OPEN, INCIDENT_ESCALATED, "SUP-02", "EXIT-04"),
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


# --- Guards: the questions asked of a state, by name ---------------------------------------
def is_live(filing_status: str) -> bool:
    """EXIT-01, SEL-07: the filing has not ended (有效 or 暂停); it counts against the limits."""
    return filing_status in _LIVE


def may_assess(filing_status: str) -> bool:
    """EXIT-04: only a filing in force (有效), not one under investigation, may hold exams."""
    return filing_status == FILING_VALID


def is_suspended(filing_status: str) -> bool:
    """EXIT-04: the filing is suspended while a violation case runs."""
    return filing_status == FILING_SUSPENDED


def is_terminated(filing_status: str) -> bool:
    """EXIT-01: the filing has ended (终止备案)."""
    return filing_status == FILING_TERMINATED


def is_pending_filing(application_status: str) -> bool:
    """SEL-05, SEL-07: the city approved the application and it is not yet filed."""
    return application_status in PENDING_FILING


def renewal_concluded(renewal_status: str) -> bool:
    """REN-02, REN-05: the renewal ended with an outcome for the filing (合格, 不合格, 未提交)."""
    return renewal_status in RENEWAL_CONCLUDED


def exit_open(exit_status: str) -> bool:
    """EXIT-02 … EXIT-07: a violation or withdrawal case is still running."""
    return VIOLATION.is_open(exit_status) or WITHDRAWAL.is_open(exit_status)


OUTSIDE_MACHINES: tuple[tuple[str, tuple[str, ...], str], ...] = (
    (
        "报送省厅及省厅确认",
        ("SEL-08", "REN-08"),
        "`registry.province.report_to_province`、`acknowledge_province_report`；报送省厅页面",
    ),
    ("目录发布", ("SEL-09",), "`registry.province.publish_catalog_edition`；考核机构目录页面"),
    (
        "本地考核项目目录调整",
        ("SEL-10",),
        "`registry.province.adjust_city_projects`；本地考核项目目录页面",
    ),
    (
        "有效期其他期限",
        ("SEL-11",),
        "`registry.filing.file_application`（`term_months`、`term_reason`）",
    ),
    (
        "证书更正、撤销、不予认定",
        ("EXIT-10", "SUP-04"),
        "`registry.certificates`；证书维护页面",
    ),
    (
        "立案时记录实施中的考核数据",
        ("EXIT-09",),
        "`registry.snapshots.record_data_under_way`（立案调查时）",
    ),
    (
        "到期、续期不合格、灭失后的收尾",
        ("EXIT-08",),
        "`registry.closing.record_closing_work`；退出页面、本市看板",
    ),
    (
        "时间决定状态",
        ("EXIT-03",),
        "`domain.timing`：有效期届满之日起备案即终止，所有命令和查询同日生效，"
        "不待日终处理（`casework advance` 只记录）",
    ),
)
"""Steps of the notice that are not transitions of a machine: (step, rule IDs, where they
live). Rendered in ``docs/lifecycle.md`` under 不属于状态机的步骤 (issue #14)."""


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
    out += [
        "## 不属于状态机的步骤",
        "",
        "以下步骤由命令和查询实现，不是状态转换。",
        "",
        "| 步骤 | 规则 | 所在 |",
        "|---|---|---|",
        *(f"| {step} | {', '.join(ids)} | {where} |" for step, ids, where in OUTSIDE_MACHINES),
        "",
    ]
    return "\n".join(out)
