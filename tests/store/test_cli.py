"""``casework init`` and ``casework audit verify`` run as a user runs them: a new process."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import casework

REPO = Path(casework.__file__).resolve().parent.parent
EXPECTED_CITIES = 16


def casework_cli(*args: str) -> subprocess.CompletedProcess[str]:
    env = {
        **os.environ,
        "PYTHONPATH": os.pathsep.join(filter(None, [str(REPO), os.environ.get("PYTHONPATH")])),
    }
    env.pop("CASEWORK_DB", None)
    return subprocess.run(
        [sys.executable, "-m", "casework.cli", *args],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
        check=False,
    )


def test_init_then_audit_verify_reports_an_intact_log(db_path: Path, db_url: str) -> None:
    init = casework_cli("--db", db_url, "init")

    verify = casework_cli("--db", db_url, "audit", "verify")

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
    assert casework_cli("--db", db_url, "init").returncode == 0
    raw = sqlite3.connect(db_path)
    raw.execute("UPDATE audit_log SET changes = replace(changes, '370100', '370199') WHERE seq = 1")
    raw.commit()
    raw.close()

    verify = casework_cli("--db", db_url, "audit", "verify")

    assert verify.returncode == 1
    assert "[篡改] 第1条审计记录" in verify.stderr
    assert "审计日志校验失败：1 处问题" in verify.stderr


def test_a_plain_file_path_is_accepted_for_db(tmp_path: Path) -> None:
    path = tmp_path / "nested" / "store.db"

    init = casework_cli("--db", str(path), "init")

    assert init.returncode == 0, init.stderr
    assert path.exists()
