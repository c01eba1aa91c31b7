"""公文与归档 end to end: real Voilà, real kernel, headless Chromium.

A city officer opens the exit page of a filing under investigation, downloads each of its
documents as .docx and PDF (the suspension notice EXIT-04, the written findings EXIT-05), and
each file is the right kind and names the case's institution. Then, in the same session, an
extinction is recorded (EXIT-07), which archives the exit report; afterwards
``casework archive verify`` passes (issue #13).
"""

from __future__ import annotations

import io
import shutil
import subprocess
import sys
import zipfile
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from casework import registry as r
from casework.registry import scenario
from casework.serve import serve_env
from casework.store.engine import Store, open_store
from tests.backend import store_url

from .conftest import VoilaServer, start_voila, stop

pytestmark = pytest.mark.browser
JINAN = "370100"
INVESTIGATED = "济南鲁锦织造有限公司"
EXTINCT = "济南泉城剪纸工作室"


@pytest.fixture(scope="module")
def case_db(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, Store]]:
    path = tmp_path_factory.mktemp("e2e-documents") / "casework.db"
    db_url = store_url(path)
    store = open_store(db_url)
    scenario.seed_reference(store)
    experts = scenario.seed_city_users(store, JINAN)
    for year in (2025, 2026, 2027, 2028):
        scenario.ensure_city_catalog(store, JINAN, year, ["P001", "P002"])
    officer = scenario.city_officer(JINAN)
    filed = {}
    for serial, name in enumerate((INVESTIGATED, EXTINCT), 1):
        inst = scenario.new_institution(store, JINAN, name, serial)
        filed[name] = scenario.select_and_file(
            store,
            city_code=JINAN,
            institution_id=inst,
            project_codes=["P001"],
            on=date(2025, 3, 3),
            experts=experts,
        )
    case = r.open_investigation(
        store,
        officer,
        filing_id=filed[INVESTIGATED]["filing_id"],
        grounds="举报不考试就发证",
        on=date(2025, 6, 3),
    )
    r.serve_findings(
        store,
        officer,
        case_id=case,
        findings="经查，存在不考试就发证",
        received_on=date(2025, 6, 5),
    )
    yield db_url, store
    store.dispose()


@pytest.fixture(scope="module")
def server(
    case_db: tuple[str, Store], tmp_path_factory: pytest.TempPathFactory
) -> Iterator[VoilaServer]:
    db_url, _ = case_db
    log = tmp_path_factory.mktemp("voila") / "voila.log"
    srv = start_voila(db_url, scenario.city_officer(JINAN).username, log)
    yield srv
    stop(srv)


def open_filing(page: Any, server: VoilaServer, name: str) -> None:
    """The exits page, with the filing of ``name`` chosen in its picker."""
    page.goto(server.url("exits"), wait_until="domcontentloaded")
    picker = page.locator("select").first
    picker.wait_for(timeout=120_000)
    labels = picker.locator("option").all_text_contents()
    picker.select_option(label=next(x for x in labels if name in x))
    page.get_by_role("button", name="打开").click()
    page.locator(".cw-documents").wait_for(timeout=120_000)


def generate(page: Any, label: str, fmt: str, previous: str) -> tuple[str, bytes]:
    """Choose document ``label``, generate it as ``fmt`` and download it via its data: link."""
    box = page.locator(".cw-documents")
    box.locator("select").first.select_option(label=label)
    box.locator(f".cw-make-{fmt}").click()
    page.wait_for_function(
        """prev => {
            const el = document.querySelector('.cw-documents .cw-ok');
            return el && el.textContent.includes('已生成') && el.textContent !== prev;
        }""",
        arg=previous,
        timeout=120_000,
    )
    link = box.locator("a.cw-download")
    with page.expect_download(timeout=60_000) as info:
        link.click()
    download = info.value
    return download.suggested_filename, Path(download.path()).read_bytes()


def text_of(name: str, data: bytes, tmp: Path) -> str:
    if name.endswith(".docx"):
        with zipfile.ZipFile(io.BytesIO(data)) as z:
            return z.read("word/document.xml").decode("utf-8")
    target = tmp / name
    target.write_bytes(data)
    return subprocess.run(
        ["pdftotext", str(target), "-"], capture_output=True, text=True, check=True
    ).stdout


def test_each_document_of_the_case_downloads_as_the_right_kind_naming_its_institution(
    browser: Any, server: VoilaServer, tmp_path: Path
) -> None:
    if shutil.which("pdftotext") is None:
        pytest.skip("poppler-utils (pdftotext) is not installed (make system-deps)")
    page = browser.new_page(accept_downloads=True, locale="zh-CN")
    page.set_default_timeout(60_000)
    open_filing(page, server, INVESTIGATED)
    labels = page.locator(".cw-documents select").first.locator("option").all_text_contents()
    assert any("暂停" in x for x in labels) and any("书面核查意见" in x for x in labels)

    previous = ""
    got = []
    for label in labels:
        for fmt in ("docx", "pdf"):
            name, data = generate(page, label, fmt, previous)
            previous = page.locator(".cw-documents .cw-ok").text_content() or ""
            got.append((label, fmt, name, data))

    for label, fmt, name, data in got:
        assert name.endswith(f".{fmt}"), (label, name)
        assert data[:4] == (b"%PDF" if fmt == "pdf" else b"PK\x03\x04"), (label, name)
        assert INVESTIGATED in text_of(name, data, tmp_path).replace(" ", ""), (label, name)
        assert EXTINCT not in text_of(name, data, tmp_path), (label, name)
    page.close()


def test_after_a_session_that_archived_a_report_archive_verify_passes(
    browser: Any, server: VoilaServer, case_db: tuple[str, Store]
) -> None:
    db_url, _ = case_db
    page = browser.new_page(locale="zh-CN")
    page.set_default_timeout(60_000)
    open_filing(page, server, EXTINCT)

    page.get_by_role("button", name="登记主体灭失").click()
    page.locator("input[type=date]").last.fill("2025-06-01")
    page.locator("textarea").last.fill("市场监管部门注销登记通知书（2025）第1号")
    page.get_by_role("button", name="确认办理").click()
    page.get_by_text("已登记主体灭失").wait_for()
    page.get_by_text("归档报告已生成").wait_for(timeout=300_000)
    page.close()

    env = serve_env(scenario.city_officer(JINAN).username, db_url)
    verified = subprocess.run(
        [sys.executable, "-m", "casework", "archive", "verify"],
        capture_output=True,
        text=True,
        env=env,
        cwd="/",
    )
    assert verified.returncode == 0, verified.stderr
    assert "档案完好" in verified.stdout and "共 1 条" in verified.stdout
