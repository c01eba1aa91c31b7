"""``casework init`` and ``casework audit verify``: once as a user runs them (a new process),
then in this process for the other behaviours."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from tests.cli_runs import in_new_process, in_process

EXPECTED_CITIES = 16


def test_init_then_audit_verify_reports_an_intact_log(db_path: Path, db_url: str) -> None:
    init = in_new_process("--db", db_url, "init")

    verify = in_new_process("--db", db_url, "audit", "verify")

    raw = sqlite3.connect(db_path)
    cities = raw.execute("SELECT count(*) FROM cities").fetchone()[0]
    entries = raw.execute("SELECT count(*) FROM audit_log").fetchone()[0]
    raw.close()
    assert init.returncode == 0, init.stderr
    assert "数据库已就绪" in init.stdout
    assert cities == EXPECTED_CITIES
    assert verify.returncode == 0, verify.stderr
    assert f"共 {entries} 条记录，哈希链校验通过" in verify.stdout


def test_audit_verify_exits_1_naming_the_entry_after_a_byte_is_changed(
    db_path: Path, db_url: str
) -> None:
    assert in_process("--db", db_url, "init").returncode == 0
    raw = sqlite3.connect(db_path)
    raw.execute("UPDATE audit_log SET changes = replace(changes, '370100', '370199') WHERE seq = 1")
    raw.commit()
    raw.close()

    verify = in_process("--db", db_url, "audit", "verify")

    assert verify.returncode == 1
    assert "[篡改] 第1条审计记录" in verify.stderr
    assert "审计日志校验失败：1 处问题" in verify.stderr


def test_a_plain_file_path_is_accepted_for_db(tmp_path: Path) -> None:
    path = tmp_path / "nested" / "store.db"

    init = in_process("--db", str(path), "init")

    assert init.returncode == 0, init.stderr
    assert path.exists()
