"""One public number per kind of case (docs/case-numbers.md, issue #13): every command's
``--case`` takes the number the pages show and refuses a number of another kind."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import select

from casework.cli import main
from casework.errors import CaseworkError, NotFound
from casework.queries import keys
from casework.store.tables import applications, exit_cases, filings, renewal_cases
from tests.documents.world import World

TABLES = {
    keys.APPLICATION: applications,
    keys.FILING: filings,
    keys.RENEWAL: renewal_cases,
    keys.EXIT: exit_cases,
}


def ids_of(world: World, kind: str) -> list[int]:
    table = TABLES[kind]
    with world.store.read() as conn:
        return list(conn.execute(select(table.c.id).order_by(table.c.id)).scalars())


@pytest.mark.parametrize("kind", keys.CASE_KINDS)
def test_every_case_is_found_again_by_its_public_number(world: World, kind: str) -> None:
    ids = ids_of(world, kind)

    numbers = keys.case_numbers(world.store, kind, ids)

    assert ids and sorted(numbers) == ids
    assert len(set(numbers.values())) == len(ids)
    assert {keys.resolve_case(world.store, kind, n) for n in numbers.values()} == set(ids)


def test_an_application_number_is_shaped_by_its_calls_city_and_year(world: World) -> None:
    first = ids_of(world, keys.APPLICATION)[0]

    number = keys.case_number_of(world.store, keys.APPLICATION, first)

    assert number == f"SQ-370100-2025-{first:04d}"


def test_a_number_of_another_kind_is_refused_naming_both_kinds(world: World) -> None:
    application = keys.case_number_of(world.store, keys.APPLICATION, ids_of(world, "备案申请")[0])

    with pytest.raises(CaseworkError) as refused:
        keys.resolve_case(world.store, keys.FILING, application)

    assert "是备案申请案件的编号" in str(refused.value)
    assert "此处需要备案案件编号" in str(refused.value)


def test_a_bare_record_number_is_refused_as_no_page_shows_it(world: World) -> None:
    with pytest.raises(CaseworkError) as refused:
        keys.resolve_case(world.store, keys.FILING, "1")

    assert "不是页面显示的编号" in str(refused.value) and "3701ZK2025001" in str(refused.value)


def test_a_number_naming_another_city_or_year_finds_nothing(world: World) -> None:
    renewal = ids_of(world, keys.RENEWAL)[0]
    number = keys.case_number_of(world.store, keys.RENEWAL, renewal)
    elsewhere = number.replace("-370100-", "-370200-")

    with pytest.raises(NotFound):
        keys.resolve_case(world.store, keys.RENEWAL, elsewhere)


def test_the_receipt_command_refuses_an_application_number_with_both_kinds_named(
    world: World, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    application = keys.case_number_of(world.store, keys.APPLICATION, ids_of(world, "备案申请")[0])

    code = main(
        ["--db", world.url, "letter", "receipt", "--case", application, "-o", str(tmp_path)]
    )

    assert code == 2
    err = capsys.readouterr().err
    assert "备案申请" in err and "此处需要备案案件编号" in err
    assert not list(tmp_path.iterdir())


def test_the_letter_command_takes_the_filing_code_and_the_document_number(
    world: World, tmp_path: Path
) -> None:
    filing = keys.case_number_of(world.store, keys.FILING, ids_of(world, keys.FILING)[0])

    code = main(
        [
            "--db",
            world.url,
            "letter",
            "receipt",
            "--case",
            filing,
            "--number",
            "7",
            "-o",
            str(tmp_path),
        ]
    )

    assert code == 0
    assert [p.suffix for p in tmp_path.iterdir()] == [".docx"]
