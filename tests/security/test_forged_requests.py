"""Forged requests (a disabled button clicked, a value outside a field's options) are logged
as forged, apart from ordinary input errors; a taken-over filing's code is checked (SEL-05)."""

from __future__ import annotations

from datetime import date
from typing import Any

import ipywidgets as w
import pytest

from casework import registry as r
from casework.domain import limits
from casework.domain.identifiers import make_uscc
from casework.errors import RuleViolation
from casework.ui.context import AppContext
from casework.ui.kit import (
    FORGED,
    INVALID_INPUT,
    GuardedDropdown,
    GuardedTextarea,
    Messages,
    guard,
    guarded,
)

from .conftest import OFFICER, World


def context(world: World) -> AppContext:
    return AppContext(world.store, OFFICER, date(2025, 6, 2))


def test_a_click_on_a_disabled_button_is_logged_as_forged(world: World) -> None:
    button, ran = w.Button(disabled=True), []
    click = guarded(context(world), Messages(), "测试操作", lambda _b: ran.append(1))

    click(button)

    assert ran == []
    actor, command, reason = world.refusals()[-1]
    assert (actor, command) == (OFFICER.username, FORGED)
    assert "已禁用的按钮" in reason and "测试操作" in reason


def test_a_value_outside_the_options_is_logged_as_forged(world: World) -> None:
    dropdown = guard(
        GuardedDropdown(options=[("甲", 1), ("乙", 2)], value=1), context(world), "案件"
    )

    dropdown.set_state({"index": 7})

    assert dropdown.value == 1
    assert world.refusals()[-1][1] == FORGED


def test_an_overlong_text_is_an_ordinary_input_error_not_forged(world: World) -> None:
    area = guard(GuardedTextarea(value="原文"), context(world), "情况说明")
    sent: list[Any] = []
    area.send_state = lambda key=None: sent.append(key)  # type: ignore[method-assign]

    area.set_state({"value": "长" * (limits.LONG_TEXT + 1)})

    assert area.value == "原文"
    assert sent == ["value"]  # the browser is told the value it keeps
    _, command, reason = world.refusals()[-1]
    assert command == INVALID_INPUT and "情况说明" in reason


def test_a_control_character_typed_into_a_text_is_refused(world: World) -> None:
    area = guard(GuardedTextarea(value=""), context(world), "情况说明")
    area.send_state = lambda key=None: None  # type: ignore[method-assign]

    area.set_state({"value": "甲\x1b乙"})

    assert area.value == ""


def test_a_text_within_its_limit_is_taken(world: World) -> None:
    area = guard(GuardedTextarea(value=""), context(world), "情况说明")

    area.set_state({"value": "整改完成"})

    assert area.value == "整改完成"
    assert world.refusals() == []


@pytest.mark.parametrize(
    "code",
    ["", "3701 LEGACY", "3702LEGACY001", "abc", "3701LEGACY001;DROP", "3701" + "X" * 60],
    ids=repr,
)
def test_a_taken_over_filing_with_a_malformed_code_is_refused_sel_05(
    world: World, code: str
) -> None:
    institution = r.register_institution(
        world.store,
        OFFICER,
        name="乙学校",
        uscc=make_uscc("52370100MJ0000033"),
        city_code="370100",
    )

    with pytest.raises(RuleViolation) as err:
        r.register_existing_filing(
            world.store,
            OFFICER,
            institution_id=institution,
            code=code,
            term_start=date(2024, 3, 1),
            project_codes=["P001"],
            filed_on=date(2024, 3, 1),
            source="试点备案",
        )

    assert err.value.rule_id == "SEL-05"
