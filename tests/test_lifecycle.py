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
