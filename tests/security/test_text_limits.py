"""One maximum length per text field, declared once (``casework.domain.limits``) and enforced
the same on SQLite and PostgreSQL by commands, imports and inputs; control characters refused
(INPUT-TEXT)."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import String

from casework import registry as r
from casework.domain import limits
from casework.domain.identifiers import make_uscc
from casework.errors import RuleViolation, ValidationFailed
from casework.intake import import_file
from casework.intake.kinds import KINDS
from casework.intake.storage import TABLES
from casework.store.tables import incidents, institutions

from .conftest import JINAN, OFFICER, World

USCC = make_uscc("52370100MJ0000077")
HEADER = "机构名称,统一社会信用代码,所在市,单位类型,联系电话\n"


def institutions_csv(name: str) -> bytes:
    return (HEADER + f"{name},{USCC},济南,民办非企业单位,0531-1\n").encode()


def test_a_million_character_institution_name_import_is_refused_in_chinese(world: World) -> None:
    before = world.count(institutions)

    with pytest.raises(ValidationFailed) as err:
        import_file(
            world.store, OFFICER, "institutions", institutions_csv("长" * 1_000_000), "i.csv"
        )

    problems = err.value.problems
    assert list(problems.columns) == ["行", "列", "值", "要求", "规则"]
    assert problems.iloc[0]["规则"] == limits.TEXT_RULE
    assert f"不能超过{limits.UNIT_NAME}个字符" in problems.iloc[0]["要求"]
    assert len(problems.iloc[0]["值"]) < 100  # shown by its start and its length
    assert world.count(institutions) == before


def test_a_name_one_character_over_the_column_is_refused_not_a_traceback(world: World) -> None:
    """On PostgreSQL a VARCHAR(120) overflow used to crash the import with a traceback."""
    with pytest.raises(ValidationFailed) as err:
        import_file(
            world.store,
            OFFICER,
            "institutions",
            institutions_csv("名" * (limits.UNIT_NAME + 1)),
            "i.csv",
        )

    assert err.value.problems.iloc[0]["列"] == "机构名称"


def test_a_name_of_exactly_the_limit_is_imported(world: World) -> None:
    result = import_file(
        world.store, OFFICER, "institutions", institutions_csv("名" * limits.UNIT_NAME), "i.csv"
    )

    assert result.added == 1


def test_a_control_character_in_an_imported_name_is_refused(world: World) -> None:
    with pytest.raises(ValidationFailed) as err:
        import_file(world.store, OFFICER, "institutions", institutions_csv("甲\x07乙学校"), "i.csv")

    assert "控制字符" in err.value.problems.iloc[0]["要求"]


def test_a_nine_million_character_note_through_a_command_is_refused(world: World) -> None:
    before, (audited, logged) = world.count(incidents), world.snapshot()

    with pytest.raises(RuleViolation) as err:
        r.open_incident(
            world.store,
            OFFICER,
            institution_id=world.ids["jia"],
            category="日常检查",
            description="注" * 9_000_000,
            on=date(2025, 6, 2),
        )

    assert err.value.rule_id == limits.TEXT_RULE
    assert f"不能超过{limits.LONG_TEXT}个字符" in str(err.value)
    assert world.count(incidents) == before
    assert world.snapshot() == (audited, logged + 1)


def test_a_huge_string_inside_a_json_draft_is_refused(world: World) -> None:
    with pytest.raises(RuleViolation):
        r.save_form_draft(
            world.store, OFFICER, page="p", case_key="1", payload={"note": "x" * 9_000_000}
        )


def test_a_command_refuses_a_name_over_its_column_on_every_engine(world: World) -> None:
    with pytest.raises(RuleViolation) as err:
        r.register_institution(
            world.store, OFFICER, name="名" * (limits.UNIT_NAME + 1), uscc=USCC, city_code=JINAN
        )

    assert "名称" in str(err.value)


def test_a_control_character_in_a_command_input_is_refused(world: World) -> None:
    with pytest.raises(RuleViolation) as err:
        r.register_institution(world.store, OFFICER, name="甲\x00学校", uscc=USCC, city_code=JINAN)

    assert "控制字符" in str(err.value)


@pytest.mark.parametrize("kind", list(KINDS), ids=str)
def test_every_imported_text_fits_its_store_column(kind: str) -> None:
    """The import's limit is never longer than the column it is stored in (declared once)."""
    table, schema = TABLES[kind], KINDS[kind].model.to_schema()
    limited = {
        name: int(str(check.error).rsplit(":", 1)[1])
        for name, column in schema.columns.items()
        for check in column.checks
        if str(check.error).startswith("text:")
    }

    assert "uscc" in limited
    for name, most in limited.items():
        column_type = table.c[name].type if name in table.c else None
        if isinstance(column_type, String) and column_type.length:
            assert most <= column_type.length, name
