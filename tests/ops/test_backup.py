"""``casework backup`` / ``casework restore``: made while writers write, verified, restorable.

Two writer processes keep adding users (audit entries) and archived records (manifest entries
plus files) while the backup is taken; the backup must verify, and its restore into a new store
and archive folder must pass ``audit verify`` and ``archive verify`` and hold exactly what the
backup's manifest says. Run on SQLite always and on PostgreSQL when ``CASEWORK_TEST_PG_URL``
is set.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tarfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import create_engine, func, select, text
from sqlalchemy.engine import make_url

from casework.ops.backup import BackupFailed, restore
from casework.registry.scenario import seed_reference
from casework.store.engine import open_store
from casework.store.tables import archive_entries, audit_log
from tests.cli_runs import REPO, in_process

PG_URL = os.environ.get("CASEWORK_TEST_PG_URL", "")
WRITERS = 2
WRITER = """
import itertools, sys, time
from casework import archive
from casework.archive import ArchivedFile, ObjectStore
from casework.registry import SYSTEM_ACTOR
from casework.registry.catalog import add_user
from casework.store.engine import open_store

url, tag, seconds = sys.argv[1], sys.argv[2], float(sys.argv[3])
store = open_store(url, migrate=False)
objects = ObjectStore(db_url=url)
end = time.monotonic() + seconds
for i in itertools.count():
    if time.monotonic() > end:
        break
    add_user(store, SYSTEM_ACTOR, username=f"w{tag}_{i}", display_name=f"写入{tag}号{i}",
             role="专家", city_code="370100")
    d = objects.put(f"{tag}-{i}".encode())
    archive.record_entry(
        store, SYSTEM_ACTOR, procedure="filing", case_id=i + 1, city_code="370100",
        subject=f"filing:{i + 1}", rubric_id="", parameters={}, package_version="0",
        files=[ArchivedFile("html", f"{tag}-{i}.html", d.sha256, d.sm3, d.size)], figures={},
    )
    print(i, flush=True)
"""


def _pg_database(name: str) -> Iterator[str]:
    admin = create_engine(PG_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    yield make_url(PG_URL).set(database=name).render_as_string(hide_password=False)
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


@pytest.fixture(
    params=[
        "sqlite",
        pytest.param(
            "postgresql",
            marks=[
                pytest.mark.postgres,
                pytest.mark.skipif(not PG_URL, reason="CASEWORK_TEST_PG_URL is not set"),
            ],
        ),
    ]
)
def urls(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[tuple[str, str]]:
    """(live store, restore target) URLs on one engine."""
    if request.param == "sqlite":
        yield (
            f"sqlite:///{tmp_path / 'live' / 'casework.db'}",
            f"sqlite:///{tmp_path / 'new' / 'casework.db'}",
        )
        return
    suffix = os.urandom(4).hex()
    live = _pg_database(f"cw_backup_live_{suffix}")
    target = _pg_database(f"cw_backup_new_{suffix}")
    yield next(live), next(target)
    for gen in (live, target):
        next(gen, None)


@pytest.fixture
def env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("CASEWORK_ANCHORS", str(tmp_path / "worm" / "anchors.jsonl"))
    monkeypatch.setenv("CASEWORK_ANCHOR_KEY", str(tmp_path / "keys" / "anchor.key"))
    monkeypatch.setenv("CASEWORK_ARCHIVE", str(tmp_path / "live" / "archive"))
    return tmp_path


def _count(url: str) -> tuple[int, int]:
    store = open_store(url, migrate=False)
    with store.read() as conn:
        counts = (
            int(conn.execute(select(func.count()).select_from(audit_log)).scalar_one()),
            int(conn.execute(select(func.count()).select_from(archive_entries)).scalar_one()),
        )
    store.dispose()
    return counts


def test_a_backup_taken_while_writers_write_restores_and_verifies(
    urls: tuple[str, str], env: Path
) -> None:
    live, target = urls
    (env / "live").mkdir(exist_ok=True)
    seeded = open_store(live)
    seed_reference(seeded)
    seeded.dispose()
    assert in_process("--db", live, "audit", "anchor").returncode == 0
    writers = [
        subprocess.Popen(
            [sys.executable, "-c", WRITER, live, str(i), "12"],
            cwd=REPO,
            env={**os.environ, "PYTHONPATH": str(REPO)},  # CASEWORK_ARCHIVE: the live one
            stdout=subprocess.PIPE,
            text=True,
        )
        for i in range(WRITERS)
    ]
    for w in writers:  # both are writing before the backup starts
        assert w.stdout is not None and w.stdout.readline()
    backup_file = env / "backups" / "casework.tar"

    made = in_process("backup", "--db", live, "-o", str(backup_file))
    still_writing = all(w.poll() is None for w in writers)
    for w in writers:
        assert w.wait(timeout=120) == 0
    new_root = str(env / "new" / "archive")
    restored = in_process("restore", str(backup_file), "--db", target, "--root", new_root)
    audit_ok = in_process("--db", target, "audit", "verify")
    archive_ok = in_process("--db", target, "archive", "--root", new_root, "verify")

    assert made.returncode == 0, made.stderr
    assert still_writing, "the writers finished before the backup did: the test proves nothing"
    assert restored.returncode == 0, restored.stderr
    assert audit_ok.returncode == 0, audit_ok.stderr
    assert archive_ok.returncode == 0, archive_ok.stderr
    with tarfile.open(backup_file) as tar:
        manifest = json.load(tar.extractfile("MANIFEST.json"))  # type: ignore[arg-type]
    audit_entries, manifest_entries = _count(target)
    assert (audit_entries, manifest_entries) == (manifest["audit_seq"], manifest["archive_seq"])
    assert manifest_entries > 0 and _count(live)[1] > manifest_entries


def test_a_damaged_backup_is_refused_and_nothing_is_restored(env: Path) -> None:
    live = f"sqlite:///{env / 'live' / 'casework.db'}"
    assert in_process("--db", live, "init").returncode == 0
    backup_file = env / "b.tar"
    assert in_process("--db", live, "backup", "-o", str(backup_file)).returncode == 0
    data = bytearray(backup_file.read_bytes())
    data[2048] ^= 0xFF  # inside the database member
    backup_file.write_bytes(bytes(data))
    target = env / "new" / "casework.db"
    root = env / "new" / "archive"

    with pytest.raises(BackupFailed, match="备份已损坏"):
        restore(backup_file, f"sqlite:///{target}", root=root)
    refused = in_process("restore", str(backup_file), "--db", f"sqlite:///{target}")

    assert refused.returncode == 2 and "SHA-256 与清单不符" in refused.stderr
    assert not target.exists() and not root.exists()


def test_restore_refuses_a_store_that_holds_data_without_force(env: Path) -> None:
    live = f"sqlite:///{env / 'live' / 'casework.db'}"
    assert in_process("--db", live, "init").returncode == 0
    assert in_process("--db", live, "backup", "-o", str(env / "b.tar")).returncode == 0

    refused = in_process("restore", str(env / "b.tar"), "--db", live)
    forced = in_process("restore", str(env / "b.tar"), "--db", live, "--force")

    assert refused.returncode == 2 and "--force" in refused.stderr
    assert forced.returncode == 0, forced.stderr
