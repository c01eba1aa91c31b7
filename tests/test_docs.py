"""Executable documentation: every CLI command, setting and rule ID is documented or cited
(after datasette's tests/test_docs.py)."""

from __future__ import annotations

import argparse
import re
from pathlib import Path

import pytest

from casework.cli import build_parser

REPO = Path(__file__).resolve().parents[1]
README = (REPO / "README.md").read_text(encoding="utf-8")
RULES = REPO.parent / "shared" / "regulation" / "RULES.md"


def subcommands() -> list[str]:
    parser = build_parser()
    action = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
    return sorted(action.choices)


def settings() -> list[str]:
    names: set[str] = set()
    for path in (REPO / "casework").rglob("*.py"):
        names |= set(re.findall(r"\"(CASEWORK_[A-Z_]+)\"", path.read_text(encoding="utf-8")))
    return sorted(names)


def rule_ids() -> list[str]:
    if not RULES.exists():
        return []
    return sorted(
        set(re.findall(r"\*\*([A-Z0-9]+-[A-Z0-9]+)\*\*", RULES.read_text(encoding="utf-8")))
    )


def cited_in(folder: str, rule_id: str) -> bool:
    pattern = re.compile(rf"\b{re.escape(rule_id)}\b")
    return any(
        pattern.search(p.read_text(encoding="utf-8", errors="ignore"))
        for p in (REPO / folder).rglob("*")
        if p.is_file() and p.suffix in {".py", ".yaml", ".md"}
    )


@pytest.mark.parametrize("command", subcommands())
def test_every_cli_command_is_documented_in_the_readme(command: str) -> None:
    assert f"casework {command}" in README


@pytest.mark.parametrize("setting", settings())
def test_every_setting_is_documented_in_the_readme(setting: str) -> None:
    assert f"`{setting}`" in README


@pytest.mark.skipif(
    not RULES.exists(), reason="../shared/regulation/RULES.md is not beside the repo"
)
@pytest.mark.parametrize("rule_id", rule_ids())
def test_every_rule_id_is_cited_by_the_code_and_by_a_test(rule_id: str) -> None:
    assert cited_in("casework", rule_id) or cited_in("schemas", rule_id)
    assert cited_in("tests", rule_id)
