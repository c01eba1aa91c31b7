"""Peak memory of reading the largest legal import file, as a ratio to the file's size.

Builds a 考生成绩 workbook of ``ImportLimits.max_rows`` data rows (the largest a city may
import, under every other limit too), then reads it with ``casework.intake.readers.read_table``
in a fresh process: the zip directory, dimensions and shared strings are measured first, then
the sheet is streamed (openpyxl ``read_only``). Peak memory = the reading process's peak RSS
above its baseline after loading the file's bytes. A crafted file is refused before this cost
(see ``tests/security/test_import_limits.py``).

    .venv/bin/python bench/bench_import_limits.py [--rows 200000]
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

READ = """
import json, resource, sys, time
sys.path.insert(0, {repo!r})
from casework.intake.kinds import kind_of
from casework.intake.readers import read_table
data = open({path!r}, "rb").read()
before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
start = time.perf_counter()
table = read_table(data, "largest.xlsx", kind_of("results"))
seconds = time.perf_counter() - start
after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
print(json.dumps({{"rows": len(table.frame), "peak_kb": after - before, "seconds": seconds}}))
"""


def build(path: Path, rows: int) -> None:
    """A results workbook of ``rows`` distinct, plausible rows (write-only, low memory)."""
    from openpyxl import Workbook

    from casework.domain.identifiers import make_resident_id, make_uscc
    from casework.intake.kinds import kind_of

    kind = kind_of("results")
    book = Workbook(write_only=True)
    sheet = book.create_sheet(kind.label)
    sheet.append([f.header for f in kind.fields])
    uscc = make_uscc("52370100MJ0000001")
    evaluator = make_resident_id("37010219700101001")
    for i in range(rows):
        person = make_resident_id(f"370102198{i % 10}0101{i % 1000:03d}")
        gender = "男" if int(person[16]) % 2 else "女"
        values = {
            "uscc": uscc,
            "batch_no": f"B{i // 50:05d}",
            "id_number": person,
            "gender": gender,
            "age": 40,
            "score": 60 + i % 40,
            "passed": "是",
            "evaluator_1": evaluator,
        }
        sheet.append([values.get(f.name) for f in kind.fields])
    book.save(path)


def main() -> None:
    from casework.intake.readers import LIMITS

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=LIMITS.max_rows)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "largest.xlsx"
        start = time.perf_counter()
        build(path, args.rows)
        built = time.perf_counter() - start
        size = path.stat().st_size
        out = subprocess.run(
            [sys.executable, "-c", READ.format(repo=str(REPO), path=str(path))],
            capture_output=True,
            text=True,
            check=True,
        )
    result = json.loads(out.stdout.strip().splitlines()[-1])
    peak = result["peak_kb"] * 1024
    print(f"rows read            {result['rows']:>12,}  (built in {built:.1f} s)")
    print(f"file size            {size / 2**20:>12.1f} MB")
    print(f"peak memory (read)   {peak / 2**20:>12.1f} MB  in {result['seconds']:.1f} s")
    print(f"ratio peak / size    {peak / size:>12.1f}")


if __name__ == "__main__":
    main()
