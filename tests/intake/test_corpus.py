"""The corpus of bad files: each refused with the right message and nothing stored; the files
that only look odd (merged headers, aliases, full-width digits, GBK, text dates) imported."""

from __future__ import annotations

from pathlib import Path

import pytest

from casework.errors import ValidationFailed
from casework.intake import import_file
from casework.intake.storage import TABLES

from .conftest import OFFICER, World
from .make_corpus import CORPUS_DIR, files

CASES = files()
REFUSED = sorted(name for name, (_, case) in CASES.items() if case.rule)
READ = sorted(name for name, (_, case) in CASES.items() if not case.rule)


def stored_rows(world: World) -> dict[str, int]:
    return {kind: world.count(table) for kind, table in TABLES.items()}


def test_the_committed_corpus_is_what_make_corpus_writes() -> None:
    on_disk = {p.name: p.read_bytes() for p in CORPUS_DIR.iterdir() if p.is_file()}

    assert set(on_disk) == set(CASES)
    assert all(on_disk[n] == c for n, (c, _) in CASES.items() if not n.endswith(".xlsx"))


@pytest.mark.parametrize("name", REFUSED)
def test_a_bad_file_is_refused_with_its_rule_and_message_and_nothing_is_stored(
    world: World, name: str
) -> None:
    case = CASES[name][1]
    before, audit_before = stored_rows(world), world.audit_entries()

    with pytest.raises(ValidationFailed) as refused:
        import_file(world.store, OFFICER, case.kind, CORPUS_DIR / name)

    problems = refused.value.problems
    shown = refused.value.message + problems.to_string()
    assert list(problems.columns) == ["行", "列", "值", "要求", "规则"]
    assert case.rule in set(problems["规则"]), shown
    assert case.words in shown
    assert "Traceback" not in shown and "Error" not in shown
    assert stored_rows(world) == before
    assert world.audit_entries() == audit_before
    assert any(name in reason for reason in world.refusals())


@pytest.mark.parametrize("name", READ)
def test_a_file_that_only_looks_odd_is_read_correctly(world: World, name: str) -> None:
    case = CASES[name][1]

    result = import_file(world.store, OFFICER, case.kind, CORPUS_DIR / name)

    assert result.added == int(case.words)


def test_a_merged_two_row_header_with_a_title_row_reads_dates_of_every_spelling(
    world: World,
) -> None:
    from casework.queries.evidence import load_frames

    import_file(world.store, OFFICER, "batches", CORPUS_DIR / "merged_header.xlsx")

    batches = load_frames(world.store, with_results=False).batches.set_index("batch_no")
    b2 = batches.loc["B2"]
    assert (str(b2.plan_date.date()), str(b2.exam_date.date())) == ("2025-04-01", "2025-04-20")
    assert (str(b2.publish_start.date()), str(b2.publish_end.date())) == (
        "2025-04-25",
        "2025-04-30",
    )


def test_a_half_bad_file_names_only_the_bad_row(world: World) -> None:
    with pytest.raises(ValidationFailed) as refused:
        import_file(world.store, OFFICER, "staff", Path(CORPUS_DIR / "half_bad.csv"))

    assert list(refused.value.problems["行"]) == [4]
