"""One settings table: the README's 设置 table is rendered from ``casework.settings`` (datasette
style), every environment read goes through it, and the archive never depends on the working
directory (issue #13)."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

from casework import settings

REPO = Path(__file__).resolve().parents[1]
README = REPO / "README.md"

# Files that still read the environment themselves: each must move to casework.settings.
PENDING = {
    "casework/cli.py": "serve: the store URL → settings.DB",
    "casework/serve.py": "CASEWORK_TOKENS → settings.TOKENS",
}
ENV_READ = re.compile(r"os\.environ\.get\(|os\.environ\[|os\.getenv\(")


def readme_table() -> str:
    text = README.read_text(encoding="utf-8")
    section = text.split("\n## 设置\n", 1)[1].split("\n## ", 1)[0]
    return "".join(line + "\n" for line in section.splitlines() if line.startswith("|"))


def test_readme_settings_table_is_the_one_rendered_from_the_settings_module() -> None:
    rendered = settings.markdown()

    assert readme_table() == rendered, "README 设置表已过期：python -m casework.settings --markdown"


def test_markdown_option_prints_the_table() -> None:
    out = subprocess.run(
        [sys.executable, "-m", "casework.settings", "--markdown"],
        capture_output=True,
        text=True,
        check=True,
        cwd=REPO,
    ).stdout

    assert out == settings.markdown()


def test_every_setting_has_a_meaning_and_a_unique_variable() -> None:
    names = [s.env for s in settings.SETTINGS]

    assert len(names) == len(set(names))
    assert all(s.meaning and s.default_text for s in settings.SETTINGS)


@pytest.mark.parametrize("setting", settings.SETTINGS, ids=lambda s: s.env)
def test_a_setting_reads_its_variable_else_its_default(setting: settings.Setting) -> None:
    assert setting.get({}) == setting.default
    assert setting.get({setting.env: "  x  "}) == "x"


def test_no_module_reads_the_environment_except_through_settings() -> None:
    readers = {
        p.relative_to(REPO).as_posix()
        for p in (REPO / "casework").rglob("*.py")
        if ENV_READ.search(p.read_text(encoding="utf-8"))
    }

    assert readers - set(PENDING) <= {"casework/settings.py"}


# --- the archive's location (issue #13) -------------------------------------------------------
def test_archive_defaults_to_the_folder_beside_the_sqlite_database(tmp_path: Path) -> None:
    db = f"sqlite:///{tmp_path}/var/casework.db"

    assert settings.archive_dir(db, {}) == (tmp_path / "var" / "archive").resolve()


def test_relative_archive_setting_is_taken_from_the_database_folder_not_the_cwd(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    db = f"sqlite:///{tmp_path}/var/casework.db"
    monkeypatch.chdir(tmp_path)

    got = settings.archive_dir(db, {"CASEWORK_ARCHIVE": "evidence"})

    assert got == (tmp_path / "var" / "evidence").resolve()


def test_absolute_archive_setting_is_used_as_it_is(tmp_path: Path) -> None:
    env = {"CASEWORK_ARCHIVE": str(tmp_path / "a")}

    assert settings.archive_dir("postgresql+psycopg://u@h/db", env) == tmp_path / "a"


def test_server_database_archive_lives_in_the_user_data_folder(tmp_path: Path) -> None:
    env = {"XDG_DATA_HOME": str(tmp_path)}

    got = settings.archive_dir("postgresql+psycopg://u@h/db", env)

    assert got == tmp_path / "casework" / "archive"
