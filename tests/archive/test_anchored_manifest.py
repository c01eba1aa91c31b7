"""The archive manifest checked against heads anchored outside the database (issue #16 item 5).

Someone who can write the database can re-chain the manifest (edit an entry, recompute every
hash after it and the head) or cut its newest entries and move the head: the chain alone still
verifies, the anchors written by ``casework audit anchor`` do not.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import text

from casework import archive
from casework.archive import ArchivedFile, ObjectStore
from casework.archive.manifest import entry_hash
from casework.cli import main
from casework.registry.scenario import city_officer
from tests.documents.world import JINAN, World


@pytest.fixture
def root(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("CASEWORK_ARCHIVE", str(tmp_path / "archive"))
    monkeypatch.setenv("CASEWORK_ANCHORS", str(tmp_path / "worm" / "anchors.jsonl"))
    monkeypatch.setenv("CASEWORK_ANCHOR_KEY", str(tmp_path / "keys" / "anchor.key"))
    return tmp_path / "archive"


@pytest.fixture
def entries(world: World, root: Path) -> Iterator[list[int]]:
    """Three entries of one file each, anchored; removed again after the test."""
    objects = ObjectStore(root)
    seqs = []
    for i in range(3):
        d = objects.put(f"report {i} 济南".encode())
        seqs.append(
            archive.record_entry(
                world.store,
                city_officer(JINAN),
                procedure="filing",
                case_id=i + 1,
                city_code=JINAN,
                subject=f"filing:{i + 1}",
                rubric_id="",
                parameters={"procedure": "filing", "case_id": i + 1},
                package_version="0.1.0",
                files=[ArchivedFile("html", f"r{i}.html", d.sha256, d.sm3, d.size)],
                figures={"n": i},
            )
        )
    assert main(["--db", world.url, "audit", "anchor"]) == 0
    yield seqs
    with world.store.write() as conn:
        for table in ("archive_disposals", "archive_holds", "archive_entries", "archive_head"):
            conn.execute(text(f"DELETE FROM {table}"))


def _rechain(world: World, from_seq: int) -> None:
    """Recompute every hash from ``from_seq`` on and move the head, as a forger would."""
    with world.store.write() as conn:
        rows = conn.execute(text("SELECT * FROM archive_entries ORDER BY seq")).mappings().all()
        prev = rows[from_seq - 2]["hash"] if from_seq > 1 else "0" * 64
        for row in rows[from_seq - 1 :]:
            new = entry_hash(prev, dict(row))
            conn.execute(
                text("UPDATE archive_entries SET prev_hash = :p, hash = :h WHERE seq = :s"),
                {"p": prev, "h": new, "s": row["seq"]},
            )
            prev = new
        conn.execute(
            text("UPDATE archive_head SET seq = :s, hash = :h"), {"s": rows[-1]["seq"], "h": prev}
        )


def _chain_only(world: World, root: Path, tmp_path: Path) -> list[str]:
    return [p.kind for p in archive.verify(world.store, root, tmp_path / "no-anchors.jsonl")]


def test_a_rechained_manifest_passes_its_own_chain_but_not_the_anchor(
    world: World, root: Path, entries: list[int], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    with world.store.write() as conn:
        conn.execute(
            text("UPDATE archive_entries SET subject = 'filing:9' WHERE seq = :s"),
            {"s": entries[1]},
        )
    _rechain(world, entries[1])

    found = archive.verify(world.store, root)
    code = main(["--db", world.url, "archive", "verify"])

    assert _chain_only(world, root, tmp_path) == []
    assert [(p.kind, p.seq) for p in found] == [("重算（锚定）", entries[2])]
    assert f"第1至{entries[2]}号归档记录中有记录被改动后重新计算了哈希链" in found[0].message
    assert code == 1 and "第1号锚定" in capsys.readouterr().err


def test_a_manifest_cut_short_with_its_head_moved_is_found_naming_the_entry(
    world: World, root: Path, entries: list[int], tmp_path: Path
) -> None:
    last = entries[-1]
    with world.store.write() as conn:
        conn.execute(text("DELETE FROM archive_entries WHERE seq = :s"), {"s": last})
        row = conn.execute(text("SELECT seq, hash FROM archive_entries ORDER BY seq DESC")).first()
        conn.execute(
            text("UPDATE archive_head SET seq = :s, hash = :h"), {"s": row.seq, "h": row.hash}
        )
    d = ObjectStore(root)
    for f in (e.files for e in archive.entries(world.store)):
        assert d.exists(f[0].sha256)
    stray = [
        p
        for p in d.files()
        if p.name not in {e.files[0].sha256 for e in archive.entries(world.store)}
    ]
    for p in stray:  # the cut entry's file would be reported as extra; a careful forger removes it
        p.unlink()

    found = archive.verify(world.store, root)

    assert _chain_only(world, root, tmp_path) == []
    assert [(p.kind, p.seq) for p in found] == [("截断（锚定）", last)]
    assert f"第{last}号归档记录缺失" in found[0].message
