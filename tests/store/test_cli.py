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


def test_db_is_accepted_after_the_subcommand_as_the_readme_writes_it(tmp_path: Path) -> None:
    after = tmp_path / "after.db"
    nested = tmp_path / "nested.db"

    init = in_process("init", "--db", f"sqlite:///{after}")
    verify = in_process("audit", "verify", "--db", f"sqlite:///{after}")
    deeper = in_process("--db", f"sqlite:///{tmp_path / 'unused.db'}", "init", "--db", str(nested))

    assert init.returncode == 0, init.stderr
    assert verify.returncode == 0 and "哈希链校验通过" in verify.stdout
    assert deeper.returncode == 0, deeper.stderr
    assert nested.exists() and not (tmp_path / "unused.db").exists()


def test_the_chinese_kind_names_are_accepted_for_template_and_import(tmp_path: Path) -> None:
    db = f"sqlite:///{tmp_path / 'c.db'}"
    template = tmp_path / "考生成绩模板.xlsx"
    assert in_process("--db", db, "init").returncode == 0

    made = in_process("template", "考生成绩", "-o", str(template))
    english = in_process("template", "results", "-o", str(tmp_path / "results.csv"))
    imported = in_process("import", "人员花名册", str(tmp_path / "missing.csv"), "--db", db)
    unknown = in_process("template", "花名册", "-o", str(tmp_path / "x.xlsx"))

    assert made.returncode == 0 and template.stat().st_size > 0
    assert english.returncode == 0
    assert imported.returncode == 2  # the kind was understood; the file is missing
    assert "invalid choice" not in imported.stderr and "找不到要导入的文件" in imported.stderr
    assert unknown.returncode == 2 and "invalid choice" in unknown.stderr
