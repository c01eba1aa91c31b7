"""Crafted files are refused before they are parsed, quickly and in bounded memory, with a
Chinese message naming the limit (INTAKE-FORMAT); nothing is written.

Each file is read in a fresh subprocess whose peak resident memory (``resource.getrusage``)
is compared before and after: a bound on behaviour, not a timing."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from casework.errors import ValidationFailed
from casework.intake import import_file
from casework.intake.kinds import kind_of
from casework.intake.readers import ImportLimits, read_table
from casework.store.tables import intake_imports

from .conftest import OFFICER, World

REPO = Path(__file__).resolve().parents[2]
GROWTH_MB = 200
"""The most a refused file may add to the reader's peak memory (the attacks reached 2.5–20 GB)."""

PROBE = """
import json, resource, sys
sys.path.insert(0, {repo!r})
from casework.errors import ValidationFailed
from casework.intake.kinds import kind_of
from casework.intake.readers import read_table
from tests.security import malicious
data = malicious.BUILDERS[{name!r}]()
kind = kind_of("results")
before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
try:
    read_table(data, "crafted.xlsx", kind)
    message = None
except ValidationFailed as exc:
    message = str(exc)
after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
print(json.dumps({{"message": message, "growth_mb": (after - before) / 1024}}))
"""

CASES = [
    ("million_rows", "数据行数"),
    ("lying_dimension", "数据行数"),
    ("huge_shared_strings", "共享字符串数"),
    ("zip_bomb", "解压后的总大小"),
    ("ratio_bomb", "压缩比"),
]


@pytest.mark.parametrize(("name", "limit"), CASES, ids=[c for c, _ in CASES])
def test_a_crafted_workbook_is_refused_in_bounded_memory(name: str, limit: str) -> None:
    code = PROBE.format(repo=str(REPO), name=name)

    run = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=300, check=True
    )

    result = json.loads(run.stdout.strip().splitlines()[-1])
    assert result["message"] is not None, "the file was read"
    assert "超过导入上限" in result["message"] and limit in result["message"]
    assert result["growth_mb"] < GROWTH_MB


def test_a_file_over_the_upload_size_is_refused_unread(tmp_path: Path) -> None:
    path = tmp_path / "big.csv"
    path.write_bytes(b"x" * 2048)

    with pytest.raises(ValidationFailed) as err:
        read_table(path, "big.csv", kind_of("results"), limits=ImportLimits(max_bytes=1024))

    assert "文件大小" in str(err.value)


def test_a_csv_with_too_many_columns_is_refused_before_parsing() -> None:
    data = ("," * 1_000_000 + "\n").encode()

    with pytest.raises(ValidationFailed) as err:
        read_table(data, "wide.csv", kind_of("results"))

    assert "列数" in str(err.value)


def test_a_csv_with_too_many_rows_is_refused() -> None:
    data = ("批次号\n" + "B1\n" * 50).encode()

    with pytest.raises(ValidationFailed) as err:
        read_table(data, "long.csv", kind_of("results"), limits=ImportLimits(max_rows=10))

    assert "数据行数不能超过10行" in str(err.value)


def test_a_refused_file_writes_nothing_but_the_refusal(world: World) -> None:
    from tests.security import malicious

    imports, (audited, logged) = world.count(intake_imports), world.snapshot()

    with pytest.raises(ValidationFailed) as err:
        import_file(world.store, OFFICER, "results", malicious.million_rows(), "crafted.xlsx")

    problem = err.value.problems.iloc[0]
    assert (problem["行"], problem["规则"]) == ("—", "INTAKE-FORMAT")
    assert world.count(intake_imports) == imports
    assert world.snapshot() == (audited, logged + 1)
