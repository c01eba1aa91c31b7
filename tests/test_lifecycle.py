"""The lifecycle is declared once and checked when it is defined (EXIT-01)."""

from __future__ import annotations

from pathlib import Path

import pytest

from casework.domain import lifecycle
from casework.domain.lifecycle import LifecycleDefinitionError, Machine, Transition
from casework.errors import IllegalTransition

DOCS = Path(__file__).resolve().parents[1] / "docs" / "lifecycle.md"


def test_filing_states_are_active_suspended_and_terminated_exit_01() -> None:
    assert lifecycle.FILING.states == ("有效", "暂停", "终止备案")
    assert lifecycle.FILING.finals == {"终止备案"}


def test_end_reasons_are_those_of_the_notice_exit_01() -> None:
    assert lifecycle.END_REASONS == ("自愿撤销", "到期未续", "续期不合格", "违规撤销", "主体灭失")


@pytest.mark.parametrize("machine", lifecycle.MACHINES, ids=lambda m: m.name)
def test_nothing_leaves_a_final_state(machine: Machine) -> None:
    for final in machine.finals:
        assert machine.allowed(final) == ()


@pytest.mark.parametrize("machine", lifecycle.MACHINES, ids=lambda m: m.name)
def test_every_forbidden_pair_raises_illegal_transition_naming_action_and_state(
    machine: Machine,
) -> None:
    pairs = list(machine.forbidden_pairs())

    for state, action in pairs:
        with pytest.raises(IllegalTransition) as err:
            machine.target(action, state)
        assert err.value.state == state
        assert state in str(err.value)

    assert pairs, "every machine forbids something"


def test_a_machine_with_an_unreachable_state_is_refused_when_defined() -> None:
    with pytest.raises(LifecycleDefinitionError, match="不可达"):
        Machine(
            "bad",
            "坏",
            "a",
            ("a", "b", "z"),
            frozenset({"b"}),
            (Transition("go", "走", ("a",), "b"), Transition("z", "z", ("z",), "b")),
        )


def test_a_machine_with_a_dead_end_is_refused_when_defined() -> None:
    with pytest.raises(LifecycleDefinitionError, match="死胡同"):
        Machine(
            "bad",
            "坏",
            "a",
            ("a", "b", "c"),
            frozenset({"c"}),
            (Transition("go", "走", ("a",), "b"), Transition("x", "x", ("a",), "c")),
        )


def test_a_machine_leaving_a_final_state_is_refused_when_defined() -> None:
    with pytest.raises(LifecycleDefinitionError, match="终态"):
        Machine(
            "bad",
            "坏",
            "a",
            ("a", "b"),
            frozenset({"b"}),
            (Transition("go", "走", ("a",), "b"), Transition("back", "回", ("b",), "a")),
        )


def test_suspended_filing_cannot_assess_exit_04() -> None:
    with pytest.raises(IllegalTransition) as err:
        lifecycle.FILING.target("assess", lifecycle.SUSPENDED)

    assert err.value.rule_id == "EXIT-04"


def test_revocation_for_violation_only_from_a_suspended_filing_exit_06() -> None:
    assert lifecycle.FILING.transition("revoke").sources == (lifecycle.SUSPENDED,)


def test_docs_lifecycle_table_matches_the_code() -> None:
    assert DOCS.read_text(encoding="utf-8") == lifecycle.render_markdown() + "\n"


def test_the_lifecycle_document_lists_the_steps_outside_the_machines_with_their_rules() -> None:
    """Issue #14: 报送省厅 (SEL-08, REN-08), 目录发布 (SEL-09), 本地目录 (SEL-10), 其他期限
    (SEL-11), 证书 (EXIT-10, SUP-04), 实施中数据 (EXIT-09), 收尾 (EXIT-08), 时间 (EXIT-03)."""
    text = lifecycle.render_markdown()
    section = text.split("## 不属于状态机的步骤", 1)[-1]
    named = {r for _, ids, _ in lifecycle.OUTSIDE_MACHINES for r in ids}

    expected = {"SEL-08", "REN-08", "SEL-09", "SEL-10", "SEL-11", "EXIT-10", "SUP-04"}
    assert "## 不属于状态机的步骤" in text
    assert named == expected | {"EXIT-09", "EXIT-08", "EXIT-03"}
    assert all(f"| {step} |" in section for step, _, _ in lifecycle.OUTSIDE_MACHINES)
    assert "时间决定状态" in section and "domain.timing" in section


# --- Named states and guards ----------------------------------------------------------------
PREFIXES = {
    "filing": "FILING_",
    "call": "CALL_",
    "application": "APPLICATION_",
    "notice": "NOTICE_",
    "renewal": "RENEWAL_",
    "violation": "VIOLATION_",
    "withdrawal": "WITHDRAWAL_",
    "incident": "INCIDENT_",
}


@pytest.mark.parametrize("machine", lifecycle.MACHINES, ids=lambda m: m.name)
def test_every_state_of_a_machine_has_exactly_one_name_with_its_prefix(machine: Machine) -> None:
    prefix = PREFIXES[machine.name]
    named = {
        name: value
        for name, value in vars(lifecycle).items()
        if name.startswith(prefix) and isinstance(value, str) and name.isupper()
    }

    assert sorted(named.values()) == sorted(machine.states)


def test_named_states_spell_the_notices_words() -> None:
    """EXIT-01: 终止备案 as the catalog shows it; REN-05: 合格 / 不合格."""
    assert (lifecycle.FILING_VALID, lifecycle.FILING_SUSPENDED) == ("有效", "暂停")
    assert lifecycle.FILING_TERMINATED == "终止备案"
    assert (lifecycle.RENEWAL_PASSED, lifecycle.RENEWAL_FAILED) == ("合格", "不合格")
    assert lifecycle.PENDING_FILING == ("拟备案", "公示中", "公示无异议")


@pytest.mark.parametrize(
    ("status", "live", "assess", "suspended", "terminated"),
    [
        ("有效", True, True, False, False),
        ("暂停", True, False, True, False),
        ("终止备案", False, False, False, True),
    ],
)
def test_filing_guards_name_the_questions_asked_of_a_filing_exit_01_exit_04(
    status: str, live: bool, assess: bool, suspended: bool, terminated: bool
) -> None:
    assert lifecycle.is_live(status) is live
    assert lifecycle.may_assess(status) is assess
    assert lifecycle.is_suspended(status) is suspended
    assert lifecycle.is_terminated(status) is terminated


def test_may_assess_agrees_with_the_assess_transition_exit_04() -> None:
    for state in lifecycle.FILING.states:
        assert lifecycle.may_assess(state) == ("assess" in lifecycle.FILING.allowed(state))


def test_pending_filing_renewal_concluded_and_open_exit_guards() -> None:
    """SEL-07, REN-05, EXIT-02 … EXIT-07."""
    assert [s for s in lifecycle.APPLICATION.states if lifecycle.is_pending_filing(s)] == [
        "拟备案",
        "公示中",
        "公示无异议",
    ]
    assert [s for s in lifecycle.RENEWAL.states if lifecycle.renewal_concluded(s)] == [
        "合格",
        "不合格",
        "未提交",
    ]
    assert lifecycle.exit_open("收尾中") and lifecycle.exit_open("已申请")
    assert not lifecycle.exit_open("已撤销") and not lifecycle.exit_open("已终结")


@pytest.mark.parametrize("machine", lifecycle.MACHINES, ids=lambda m: m.name)
def test_a_state_is_open_or_final_never_both(machine: Machine) -> None:
    for state in machine.states:
        assert machine.is_open(state) != machine.is_final(state)
    assert not machine.is_open("没有这个状态")
