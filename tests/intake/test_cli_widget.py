"""``casework import`` / ``casework template`` and the upload panel, as users drive them."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import ipywidgets as widgets

from casework.intake.widget import UploadPanel, upload_panel
from casework.store.tables import candidate_results
from tests.cli_runs import in_new_process, in_process

from .conftest import OFFICER, QINGDAO_OFFICER, World
from .make_corpus import CORPUS_DIR, RESULTS_HEADER, _result_row

RESULTS = ("\n".join([RESULTS_HEADER, _result_row(0), _result_row(1)]) + "\n").encode()


def test_casework_import_refuses_a_bad_file_with_the_problems_table_and_exit_1(
    world: World,
) -> None:
    url = str(world.store.url)

    done = in_new_process("import", "results", str(CORPUS_DIR / "unknown_batch.csv"), "--db", url)

    assert done.returncode == 1
    assert "行" in done.stderr and "INTAKE-REF" in done.stderr and "B404" in done.stderr
    assert world.count(candidate_results) == 0


def test_casework_import_as_a_stored_user_imports_and_reports_counts(
    world: World, tmp_path: Path
) -> None:
    path = tmp_path / "成绩.csv"
    path.write_bytes(RESULTS)

    done = in_process("--db", str(world.store.url), "import", "results", str(path), "--as", "jia")

    assert done.returncode == 0, done.stderr
    assert "新增 2" in done.stdout


def test_casework_template_writes_the_xlsx_template(tmp_path: Path) -> None:
    target = tmp_path / "人员花名册.xlsx"

    done = in_process("template", "staff", "-o", str(target))

    assert done.returncode == 0, done.stderr
    assert target.read_bytes().startswith(b"PK")


def panel_with(
    world: World, actor: object, data: bytes, name: str, kind: str = "results"
) -> UploadPanel:
    panel = upload_panel(world.store, actor)  # type: ignore[arg-type]
    assert isinstance(panel, UploadPanel)
    panel.kind.value = kind
    panel.upload.value = (
        {
            "name": name,
            "type": "text/csv",
            "size": len(data),
            "content": memoryview(data),
            "last_modified": datetime(2025, 6, 1, tzinfo=UTC),
        },
    )
    return panel


def test_the_upload_panel_imports_the_uploaded_file_on_click(world: World) -> None:
    panel = panel_with(world, OFFICER, RESULTS, "r.csv")

    panel.button.click()

    assert "新增 2" in panel.output.value
    assert world.count(candidate_results) == 2


def test_the_upload_panel_shows_every_problem_as_a_table(world: World) -> None:
    data = (CORPUS_DIR / "duplicate_rows.csv").read_bytes()
    panel = panel_with(world, OFFICER, data, "dup.csv")

    panel.button.click()

    assert "<table" in panel.output.value and "INTAKE-UNIQUE" in panel.output.value
    assert world.count(candidate_results) == 0


def test_the_upload_panel_acts_as_the_user_it_was_built_for_sup_01(world: World) -> None:
    panel = panel_with(world, QINGDAO_OFFICER, RESULTS, "r.csv")

    panel.button.click()

    assert "未导入" in panel.output.value and "SUP-01" in panel.output.value
    assert world.count(candidate_results) == 0


def test_the_template_link_follows_the_chosen_kind(world: World) -> None:
    panel = upload_panel(world.store, OFFICER)
    assert isinstance(panel, UploadPanel)

    panel.kind.value = "sites"

    assert "场地模板.xlsx" in panel.link.value and "base64," in panel.link.value
    assert isinstance(panel, widgets.Widget)


def test_clicking_with_no_file_asks_for_one(world: World) -> None:
    panel = upload_panel(world.store, OFFICER)
    assert isinstance(panel, UploadPanel)

    panel.button.click()

    assert "请先选择" in panel.output.value
