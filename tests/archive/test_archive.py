"""The evidence archive is tamper-evident and keeps records as long as EXIT-08 requires.

Tamper tests: one changed byte, one removed file, one added file, one swapped entry, one edited
entry, the newest entry cut off — each detected, and ``casework archive verify`` exits non-zero.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import text

from casework import archive
from casework.archive import ArchivedFile, ObjectStore
from casework.cli import main
from casework.errors import RuleViolation
from casework.registry.scenario import city_manager, city_officer
from tests.documents.world import JINAN, World

WITHDRAWN_ON = date(2026, 6, 1)  # filing of institution b ended (自愿撤销)


@pytest.fixture
def root(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("CASEWORK_ARCHIVE", str(tmp_path / "archive"))
    return tmp_path / "archive"


@pytest.fixture
def entries(world: World, root: Path) -> Iterator[list[int]]:
    """Three entries with two files each; removed again after the test."""
    objects = ObjectStore(root)
    seqs = []
    for i, subject in enumerate(("filing:1", "filing:2", "filing:2")):
        files = []
        for role in ("html", "pdf"):
            d = objects.put(f"{role} report {i} 济南".encode())
            files.append(ArchivedFile(role, f"r{i}.{role}", d.sha256, d.sm3, d.size))
        seqs.append(
            archive.record_entry(
                world.store,
                city_officer(JINAN),
                procedure="filing",
                case_id=i + 1,
                city_code=JINAN,
                subject=subject,
                rubric_id="",
                parameters={"procedure": "filing", "case_id": i + 1},
                package_version="0.1.0",
                files=files,
                figures={"n": i},
                medium=archive.PAPER if i == 2 else archive.ELECTRONIC,
            )
        )
    yield seqs
    with world.store.write() as conn:
        for table in ("archive_disposals", "archive_holds", "archive_entries", "archive_head"):
            conn.execute(text(f"DELETE FROM {table}"))


def kinds(world: World, root: Path) -> list[str]:
    return [p.kind for p in archive.verify(world.store, root)]


def test_sm3_is_the_gb_t_32905_digest() -> None:
    """GB/T 32905-2016 Appendix A example 1."""
    assert archive.Digests.of(b"abc").sm3 == (
        "66c7f0f462eeedd9d1f2d46bdc10e4e24167c4875cf2f7a2297da02b8f4ba8e0"
    )


def test_an_intact_archive_verifies_and_the_cli_exits_zero(
    world: World, root: Path, entries: list[int], capsys: pytest.CaptureFixture[str]
) -> None:
    code = main(["--db", world.url, "archive", "verify"])

    assert kinds(world, root) == []
    assert code == 0 and "共 3 条归档记录" in capsys.readouterr().out


def test_one_changed_byte_is_detected_and_the_cli_exits_non_zero(
    world: World, root: Path, entries: list[int]
) -> None:
    victim = archive.entry(world.store, entries[1]).files[1]
    path = ObjectStore(root).path(victim.sha256)
    data = bytearray(path.read_bytes())
    data[0] ^= 0x01
    path.write_bytes(bytes(data))

    found = archive.verify(world.store, root)

    assert [(p.kind, p.seq) for p in found] == [("篡改", entries[1])]
    assert main(["--db", world.url, "archive", "verify"]) == 1


def test_one_removed_file_is_detected(world: World, root: Path, entries: list[int]) -> None:
    victim = archive.entry(world.store, entries[0]).files[0]
    ObjectStore(root).path(victim.sha256).unlink()

    assert kinds(world, root) == ["缺失"]


def test_one_added_file_is_detected(world: World, root: Path, entries: list[int]) -> None:
    stray = ObjectStore(root).path(hashlib.sha256(b"x").hexdigest())
    stray.parent.mkdir(parents=True, exist_ok=True)
    stray.write_bytes(b"x")

    assert kinds(world, root) == ["多出"]


def test_one_swapped_entry_is_detected(world: World, root: Path, entries: list[int]) -> None:
    a, b = entries[0], entries[1]
    with world.store.write() as conn:
        conn.execute(text("UPDATE archive_entries SET seq = -1 WHERE seq = :a"), {"a": a})
        conn.execute(text("UPDATE archive_entries SET seq = :a WHERE seq = :b"), {"a": a, "b": b})
        conn.execute(text("UPDATE archive_entries SET seq = :b WHERE seq = -1"), {"b": b})

    found = kinds(world, root)

    assert "插入或重排" in found and "篡改" in found


def test_an_edited_entry_and_a_cut_off_newest_entry_are_detected(
    world: World, root: Path, entries: list[int]
) -> None:
    with world.store.write() as conn:
        conn.execute(
            text("UPDATE archive_entries SET figures = :f WHERE seq = 1"), {"f": '{"n":9}'}
        )
        conn.execute(text("DELETE FROM archive_entries WHERE seq = :s"), {"s": entries[-1]})

    found = kinds(world, root)

    assert "篡改" in found and "截断" in found


def test_identical_files_are_stored_once(root: Path) -> None:
    objects = ObjectStore(root)

    first, second = objects.put(b"same"), objects.put(b"same")

    assert first == second and len(list(objects.files())) == 1


def test_records_of_an_open_case_cannot_be_destroyed(world: World, entries: list[int]) -> None:
    """EXIT-08: the clock starts at the case's closing; filing:1 is still live."""
    with pytest.raises(RuleViolation, match="尚未结案"):
        archive.decide_disposal(
            world.store,
            city_manager(JINAN),
            entry_seqs=[entries[0]],
            decision="销毁",
            reason="到期",
            on=date(2040, 1, 1),
        )


@pytest.mark.parametrize(
    ("index", "too_early", "due"),
    [(1, date(2031, 5, 31), date(2031, 6, 1)), (2, date(2029, 5, 31), date(2029, 6, 1))],
    ids=["electronic-5-years", "paper-3-years"],
)
def test_destruction_before_the_retention_period_is_refused_and_allowed_after(
    world: World, root: Path, entries: list[int], index: int, too_early: date, due: date
) -> None:
    """EXIT-08: electronic ≥ 5 years, paper ≥ 3 years from the closing (2026-06-01)."""
    manager = city_manager(JINAN)
    seq = entries[index]

    with pytest.raises(RuleViolation, match="不得销毁"):
        archive.destroy(world.store, manager, [seq], reason="期满", on=too_early, root=root)
    removed = archive.destroy(world.store, manager, [seq], reason="期满", on=due, root=root)

    table = archive.retention_table(world.store, due).set_index("seq")
    assert table.loc[seq, "status"] == "已销毁"
    assert table.loc[seq, "keep_until"] == due
    assert len(removed) == 2 and archive.verify(world.store, root) == []


def test_a_legal_hold_blocks_destruction_until_released(
    world: World, root: Path, entries: list[int]
) -> None:
    manager, later = city_manager(JINAN), date(2035, 1, 1)
    hold = archive.place_hold(world.store, manager, subject="filing:2", reason="诉讼未决")

    with pytest.raises(RuleViolation, match="法律保全"):
        archive.destroy(world.store, manager, [entries[1]], reason="期满", on=later, root=root)
    held = archive.expired(world.store, later)
    archive.release_hold(world.store, manager, hold_id=hold, reason="诉讼已结")

    assert held.empty
    assert list(archive.expired(world.store, later)["seq"]) == [entries[1], entries[2]]


def test_a_decision_to_keep_is_recorded_and_the_files_stay(
    world: World, root: Path, entries: list[int]
) -> None:
    archive.decide_disposal(
        world.store,
        city_manager(JINAN),
        entry_seqs=[entries[1]],
        decision="继续保存",
        reason="仍有参考价值",
        on=date(2032, 1, 1),
    )

    with world.store.read() as conn:
        rows = conn.execute(text("SELECT decision, decided_by FROM archive_disposals")).all()
    assert [tuple(r) for r in rows] == [("继续保存", "manager370100")]
    assert archive.verify(world.store, root) == []


def test_only_managers_may_decide_on_destruction(world: World, entries: list[int]) -> None:
    from casework.errors import PermissionDenied

    with pytest.raises(PermissionDenied):
        archive.place_hold(world.store, city_officer(JINAN), subject="filing:2", reason="x")


QINGDAO = "370200"


def holds_and_refusals(world: World) -> tuple[int, int]:
    with world.store.read() as conn:
        holds = conn.execute(text("SELECT count(*) FROM archive_holds")).scalar_one()
        refused = conn.execute(text("SELECT count(*) FROM refusals")).scalar_one()
    return int(holds), int(refused)


def test_another_citys_manager_cannot_hold_a_record_nothing_is_written_and_it_is_logged_sup_01(
    world: World,
) -> None:
    """SUP-01, EXIT-08: place_hold re-checks the held record's city, whatever a page offered."""
    from casework.errors import PermissionDenied
    from casework.registry.scenario import ensure_user

    qingdao = ensure_user(world.store, city_manager(QINGDAO))
    before = holds_and_refusals(world)

    with pytest.raises(PermissionDenied, match="其他城市"):
        archive.place_hold(world.store, qingdao, subject="filing:2", reason="诉讼未决")

    holds, refused = holds_and_refusals(world)
    assert holds == before[0] and refused == before[1] + 1


def test_another_citys_manager_cannot_release_a_hold_sup_01(world: World) -> None:
    from casework.errors import PermissionDenied
    from casework.registry.scenario import ensure_user

    hold = archive.place_hold(world.store, city_manager(JINAN), subject="filing:2", reason="诉讼")
    qingdao = ensure_user(world.store, city_manager(QINGDAO))
    refused = holds_and_refusals(world)[1]

    with pytest.raises(PermissionDenied, match="其他城市"):
        archive.release_hold(world.store, qingdao, hold_id=hold, reason="诉讼已结")

    with world.store.read() as conn:
        released = conn.execute(
            text("SELECT released_at FROM archive_holds WHERE id = :i"), {"i": hold}
        ).scalar()
    archive.release_hold(world.store, city_manager(JINAN), hold_id=hold, reason="诉讼已结")
    assert released is None and holds_and_refusals(world)[1] == refused + 1


def test_a_province_manager_may_hold_any_citys_record_and_an_unknown_one_is_refused(
    world: World,
) -> None:
    from casework.errors import NotFound
    from casework.registry.scenario import PROVINCE_ACTOR

    hold = archive.place_hold(world.store, PROVINCE_ACTOR, subject="filing:2", reason="审计")
    archive.release_hold(world.store, PROVINCE_ACTOR, hold_id=hold, reason="审计结束")

    with pytest.raises(NotFound, match="filing:999"):
        archive.place_hold(world.store, PROVINCE_ACTOR, subject="filing:999", reason="审计")
    assert hold > 0
