"""Archiving in batch (``casework report --all``, ``--case X Y``): one process, one warm kernel
reused for every report, the PDF printed from the static page — every completed procedure
archived once, each report whole, and the archive verifying (EXIT-08)."""

from __future__ import annotations

import json
import re
from collections import Counter
from pathlib import Path

import pytest

from casework import archive
from casework.archive.objects import ObjectStore
from casework.cli import main
from casework.queries.archivable import archivable
from casework.reports import PROCEDURES
from casework.reports.archiving import static_page
from tests.documents.world import JINAN, World

OFFICER = f"officer{JINAN}"
VIEW = re.compile(
    r'<script type="application/vnd\.jupyter\.widget-view\+json">(.*?)</script>', re.S
)
STATE = re.compile(
    r'<script type="application/vnd\.jupyter\.widget-state\+json">(.*?)</script>', re.S
)


@pytest.fixture(scope="module")
def root(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("archive")


@pytest.fixture(scope="module")
def first_run(world: World, root: Path) -> list[archive.Entry]:
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("CASEWORK_ARCHIVE", str(root))
        assert main(["--db", world.url, "report", "--all", "--as", OFFICER]) == 0
    return archive.entries(world.store)


def test_every_completed_procedure_is_archived_once(
    world: World, first_run: list[archive.Entry]
) -> None:
    archived = Counter((e.procedure, e.case_id, e.parameters.get("on")) for e in first_run)

    assert set(p for p, _, _ in archived) == set(PROCEDURES)
    assert max(archived.values()) == 1
    assert archivable(world.store, tuple(PROCEDURES)) == []
    assert (
        "filing",
        world.ids["a"]["filing_id"],
        None,
    ) in archived and ("renewal", world.ids["a"]["renewal_id"], None) in archived
    assert {("exit", world.ids[k]["filing_id"], None) for k in ("b", "c")} <= set(archived)


def test_a_second_run_archives_nothing_more(
    world: World, first_run: list[archive.Entry], root: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("CASEWORK_ARCHIVE", str(root))
        assert main(["--db", world.url, "report", "--all", "--as", OFFICER]) == 0

    assert len(archive.entries(world.store)) == len(first_run)
    assert "共归档 0 份报告" in capsys.readouterr().out


def test_the_archive_of_a_batch_verifies(
    world: World, first_run: list[archive.Entry], root: Path
) -> None:
    assert archive.verify(world.store, root) == []
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("CASEWORK_ARCHIVE", str(root))
        assert main(["--db", world.url, "archive", "verify"]) == 0


def test_each_report_of_the_reused_kernel_holds_every_widget_it_shows(
    world: World, first_run: list[archive.Entry], root: Path
) -> None:
    objects = ObjectStore(root, db_url=world.store.url)
    checked = 0
    for e in first_run:
        html_file = next(f for f in e.files if f.role == "html")
        html = objects.read(html_file.sha256).decode("utf-8")
        shown = {json.loads(v)["model_id"] for v in VIEW.findall(html)}
        states = STATE.findall(html)
        if not shown:
            continue
        state = json.loads(states[0])["state"]
        missing = set()
        for model_id in shown:  # every view and every model it points to (its layout, style)
            stack = [model_id]
            while stack:
                current = stack.pop()
                if current not in state:
                    missing.add(current)
                    continue
                refs = re.findall(r"IPY_MODEL_([0-9a-f]+)", json.dumps(state[current]))
                stack += [r for r in refs if r not in shown]
        assert missing == set(), f"{e.procedure} {e.case_id}"
        checked += 1
    assert checked >= 2


def test_a_list_of_cases_is_archived_in_one_batch_in_the_order_given(
    world: World, first_run: list[archive.Entry], root: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    codes = [_filing_code(world, k) for k in ("b", "a")]
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("CASEWORK_ARCHIVE", str(root))
        assert main(["--db", world.url, "report", "filing", "--case", *codes]) == 0

    added = archive.entries(world.store)[len(first_run) :]
    assert [(e.procedure, e.case_id) for e in added] == [
        ("filing", world.ids["b"]["filing_id"]),
        ("filing", world.ids["a"]["filing_id"]),
    ]
    out = capsys.readouterr().out
    assert all(code in out for code in codes)
    assert archive.verify(world.store, root) == []


def test_a_batch_with_an_unknown_case_is_refused_before_anything_is_written(
    world: World, first_run: list[archive.Entry], capsys: pytest.CaptureFixture[str]
) -> None:
    before = len(archive.entries(world.store))
    code = _filing_code(world, "a")

    assert main(["--db", world.url, "report", "filing", "--case", code, "3701ZK2099999"]) == 2
    assert len(archive.entries(world.store)) == before
    assert "错误" in capsys.readouterr().err


def test_the_printed_page_has_no_script_but_every_static_form() -> None:
    html = (
        '<html><head><script src="data:text/javascript,"></script></head><body>'
        '<div class="cw-static cw-form"><table><caption>评估表</caption></table></div>'
        '<script type="application/vnd.jupyter.widget-view+json">{"model_id": "1"}</script>'
        "<script>\nvar manager = 1;\n</script></body></html>"
    )

    printed = static_page(html)

    assert "<script" not in printed
    assert '<div class="cw-static cw-form"><table><caption>评估表</caption>' in printed


def _filing_code(world: World, key: str) -> str:
    from casework.queries.keys import FILING, case_number_of

    return case_number_of(world.store, FILING, world.ids[key]["filing_id"])
