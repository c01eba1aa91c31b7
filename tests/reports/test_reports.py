"""Archived reports: executed headless from recorded parameters, exported to self-contained
HTML (no code, nothing from outside) and to PDF with real Chinese text, archived with digests,
and reproducible — re-executing gives the same figures. One report is made per module."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from casework import archive
from casework.cli import main
from casework.queries.keys import APPLICATION, case_number_of
from casework.registry.scenario import city_officer
from casework.reports import ProcedureNotComplete, archive_procedure, reproduce
from casework.reports.archiving import MadeReport, ReportMaker, store_report
from casework.reports.export import widget_manager_js
from casework.reports.procedures import collect
from tests.documents.world import JINAN, World

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(
        not (shutil.which("chromium") and shutil.which("pdftotext")),
        reason="Debian chromium or poppler-utils missing (make system-deps)",
    ),
]
LOADS = re.compile(
    r"""(?:src|href|srcset|action|poster)\s*=\s*["']?\s*https?://|url\(\s*["']?https?://|@import\s+["']?https?://""",
    re.I,
)


@pytest.fixture(scope="module")
def root(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("archive")


@pytest.fixture(scope="module")
def made(world: World) -> Iterator[MadeReport]:
    maker = ReportMaker(world.store)
    params, data = maker.resolve("renewal", world.ids["a"]["renewal_id"])
    yield maker.make(params, data)


@pytest.fixture(scope="module")
def archived(world: World, made: MadeReport, root: Path) -> archive.Entry:
    return store_report(world.store, city_officer(JINAN), made, root)


def test_html_loads_nothing_from_any_outside_address(made: MadeReport) -> None:
    without_manager = made.html.replace(widget_manager_js(), "")

    assert not LOADS.search(made.html)
    assert "http://" not in without_manager and "https://" not in without_manager
    assert widget_manager_js() in made.html  # the local copy is inlined


def widget_states(html: str) -> list[dict[str, Any]]:
    found = re.search(
        r'<script type="application/vnd.jupyter.widget-state\+json">(.*?)</script>', html, re.S
    )
    assert found is not None
    return [m["state"] for m in json.loads(found[1])["state"].values()]


def test_html_has_no_code_and_keeps_the_final_state_of_the_forms(made: MadeReport) -> None:
    states = widget_states(made.html)

    chosen = {
        s["description"]: s["_options_labels"][s["index"]]
        for s in states
        if s.get("_model_name") == "DropdownModel"
    }
    assert "view.show(" not in made.html and "case_id =" not in made.html
    assert chosen["评估结果"] == "合格" and chosen["等次"] == "合格"
    assert all(s["disabled"] for s in states if "disabled" in s)


def test_pdf_text_holds_institution_term_and_form_values_in_chinese(
    made: MadeReport, tmp_path: Path
) -> None:
    """The PDF was printed after every widget rendered, with outside requests refused."""
    pdf = tmp_path / "r.pdf"
    pdf.write_bytes(made.pdf)

    text = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True).stdout

    flat = "".join(text.split())
    assert "济南鲁锦织造有限公司" in flat
    assert "有效期3年（自2028年3月至2031年2月）" in flat
    assert "评估组意见" in flat and "合格" in flat


def test_figures_of_the_executed_report_equal_the_case_as_read_here(
    world: World, made: MadeReport
) -> None:
    assert made.figures == collect(world.store, made.params).figures
    assert made.figures["composite"] == 82.33 and made.figures["grade"] == "合格"


def test_archive_entry_records_who_what_rubric_parameters_version_and_digests(
    world: World, archived: archive.Entry, root: Path
) -> None:
    assert (archived.procedure, archived.case_id, archived.actor) == (
        "renewal",
        world.ids["a"]["renewal_id"],
        "officer370100",
    )
    assert archived.rubric_id == "renewal-2025.1" and archived.package_version
    assert archived.parameters == {"procedure": "renewal", "case_id": world.ids["a"]["renewal_id"]}
    assert [f.role for f in archived.files] == ["html", "pdf"]
    assert all(len(f.sha256) == 64 and len(f.sm3) == 64 for f in archived.files)
    assert archive.verify(world.store, root) == []


def test_reexecuting_an_archived_report_gives_the_same_figures(
    world: World, archived: archive.Entry
) -> None:
    again = reproduce(world.store, archived.seq)

    assert again == archived.figures


def test_an_incomplete_procedure_is_refused_and_nothing_is_archived(
    world: World, root: Path
) -> None:
    before = len(archive.entries(world.store))

    with pytest.raises(ProcedureNotComplete, match="尚未研究确定"):
        archive_procedure(
            world.store,
            city_officer(JINAN),
            "selection",
            world.ids["d"]["application_id"],
            root=root,
        )

    assert len(archive.entries(world.store)) == before
    assert (
        main(
            [
                "--db",
                world.url,
                "report",
                "selection",
                "--case",
                case_number_of(world.store, APPLICATION, world.ids["d"]["application_id"]),
            ]
        )
        == 2
    )


def test_report_kernels_are_ready_without_waiting_for_iopub_silence(world: World) -> None:
    """Issue #17 (P4): each report's kernel client drops its kernel's start-up messages instead
    of waiting 0.2 s for them to stop (twice a report in a batch)."""
    from casework.kernel_client import PromptBlockingKernelClient

    km = ReportMaker(world.store)._kernel()
    try:
        assert isinstance(km.client(), PromptBlockingKernelClient)
    finally:
        km.shutdown_kernel(now=True)
