"""``casework advance`` and ``casework catalog export`` on a store (EXIT-01, EXIT-03): the first
test runs the command as a user runs it (a new process), the others call it in this process."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pandas as pd
import pytest
from sqlalchemy import select

from casework import registry as r
from casework.queries import catalog as queries
from casework.registry import SYSTEM_ACTOR, scenario
from casework.registry.training_clock import start_training_clock
from casework.store import audit
from casework.store.engine import Store, open_store
from casework.store.tables import filings
from tests.backend import copy_store, store_url
from tests.cli_runs import in_new_process, in_process

from .conftest import JINAN, PROJECTS, QINGDAO

HEADERS = [
    "序号",
    "考核机构名称",
    "统一社会信用代码",
    "机构代码",
    "备案城市",
    "考核项目",
    "有效期",
    "备案状态",
    "终止原因",
    "终止日期",
]


@pytest.fixture(scope="module")
def template(tmp_path_factory: pytest.TempPathFactory) -> str:
    """Four filings: one live, one past its term, one terminated, one in Qingdao."""
    path = tmp_path_factory.mktemp("cli") / "template.db"
    store = open_store(store_url(path))
    scenario.seed_reference(store)
    for city in (JINAN, QINGDAO):
        scenario.seed_city_users(store, city, experts=0)
        scenario.ensure_city_catalog(store, city, 2025, PROJECTS)

    def existing(name: str, city: str, serial: int, term_start: date, codes: list[str]) -> int:
        inst = scenario.new_institution(store, city, name, serial)
        return r.register_existing_filing(
            store,
            scenario.city_officer(city),
            institution_id=inst,
            code=f"{city[:4]}LEGACY{serial:03d}",
            term_start=term_start,
            project_codes=codes,
            filed_on=term_start,
            source="鲁人社字〔2023〕22号试点备案",
        )

    existing("济南鲁绣艺术有限公司", JINAN, 1, date(2025, 1, 1), ["P001"])
    existing("济南面塑职业培训学校", JINAN, 2, date(2022, 3, 1), ["P002", "P003"])
    gone = existing("济南已注销培训学校", JINAN, 3, date(2024, 1, 1), ["P004"])
    r.record_extinction(
        store,
        scenario.city_officer(JINAN),
        filing_id=gone,
        extinct_on=date(2025, 1, 10),
        evidence="注销登记通知书",
        on=date(2025, 1, 20),
    )
    existing("青岛贝雕研究所", QINGDAO, 4, date(2025, 2, 1), ["P001"])
    store.dispose()
    return store.url


@pytest.fixture
def db(template: str, tmp_path: Path) -> str:
    """A copy of the template for one test; its URL."""
    return copy_store(template, tmp_path)


def statuses(db: str) -> dict[str, tuple[str, str | None, date | None]]:
    store = Store(db)
    with store.read() as conn:
        rows = conn.execute(
            select(filings.c.code, filings.c.status, filings.c.end_reason, filings.c.ended_on)
        ).all()
    store.dispose()
    return {code: (status, reason, ended) for code, status, reason, ended in rows}


def published(db: str, city_code: str | None = None) -> pd.DataFrame:
    """What the export must contain: ``queries.catalog`` under the Chinese headers, as text."""
    store = Store(db)
    catalog = queries.catalog(store, city_code=city_code)
    store.dispose()
    out = pd.DataFrame(
        {
            "序号": range(1, len(catalog) + 1),
            "考核机构名称": catalog["institution"],
            "统一社会信用代码": catalog["uscc"],
            "机构代码": catalog["code"],
            "备案城市": catalog["city"],
            "考核项目": catalog["projects"],
            "有效期": catalog["term"],
            "备案状态": catalog["status"],
            "终止原因": catalog["end_reason"],
            "终止日期": catalog["ended_on"].dt.strftime("%Y-%m-%d").fillna(""),
        }
    )
    return out.astype(str).reset_index(drop=True)


def test_advance_today_ends_a_filing_past_its_term_from_its_expiry_date_exit_03(
    db: str,
) -> None:
    before = statuses(db)

    done = in_new_process("--db", db, "advance", "--today", "2025-03-03")

    after = statuses(db)
    assert done.returncode == 0, done.stderr
    assert "到期未续终止备案 1 家" in done.stdout
    assert after.pop("3701LEGACY002") == ("终止备案", "到期未续", date(2025, 2, 28))
    assert before.pop("3701LEGACY002")[0] == "有效"
    assert after == before  # the live, the already terminated and Qingdao's are untouched
    store = Store(db)
    with store.read() as conn:
        assert audit.verify(conn) == []
    store.dispose()


def test_advance_on_a_demo_store_without_a_date_acts_on_its_training_clocks_day_exit_03(
    db: str,
) -> None:
    store = Store(db)
    start_training_clock(store, r.SYSTEM_ACTOR, on=date(2025, 2, 3))
    store.dispose()
    before = statuses(db)

    done = in_process("--db", db, "advance")

    assert done.returncode == 0, done.stderr
    # LEGACY002's term ends 2025-02-28: past by the real date, not by the demo's 2025-02-03
    assert "到期未续终止备案 0 家" in done.stdout
    assert statuses(db) == before


def test_advance_refuses_a_date_that_does_not_exist(db: str) -> None:
    done = in_process("--db", db, "advance", "--today", "2025-02-30")

    assert done.returncode == 2
    assert "日期格式应为 YYYY-MM-DD" in done.stderr


def test_catalog_export_csv_rows_equal_the_catalog_query_exit_01(db: str, tmp_path: Path) -> None:
    target = tmp_path / "目录.csv"

    done = in_process("--db", db, "catalog", "export", "--format", "csv", "-o", str(target))

    assert done.returncode == 0, done.stderr
    assert str(target) in done.stdout
    written = pd.read_csv(target, dtype=str, keep_default_na=False, encoding="utf-8-sig")
    assert list(written.columns) == HEADERS
    pd.testing.assert_frame_equal(written, published(db))
    assert set(written["备案状态"]) == {"有效", "终止备案"}
    assert written.set_index("机构代码").loc["3701LEGACY003", "终止原因"] == "主体灭失"


def test_catalog_export_xlsx_rows_equal_the_catalog_query_exit_01(db: str, tmp_path: Path) -> None:
    target = tmp_path / "目录.xlsx"

    done = in_process("--db", db, "catalog", "export", "--format", "xlsx", "--output", str(target))

    assert done.returncode == 0, done.stderr
    sheets = pd.read_excel(target, sheet_name=None, dtype=str, keep_default_na=False)
    assert list(sheets) == ["考核机构目录"]
    written = sheets["考核机构目录"]
    assert list(written.columns) == HEADERS
    pd.testing.assert_frame_equal(written, published(db))


def test_catalog_export_of_one_city_holds_only_its_filings(db: str, tmp_path: Path) -> None:
    target = tmp_path / "青岛.csv"

    done = in_process(
        "--db",
        db,
        "catalog",
        "export",
        "--city",
        QINGDAO,
        "--format",
        "csv",
        "-o",
        str(target),
    )

    assert done.returncode == 0, done.stderr
    written = pd.read_csv(target, dtype=str, keep_default_na=False, encoding="utf-8-sig")
    pd.testing.assert_frame_equal(written, published(db, QINGDAO))
    assert list(written["考核机构名称"]) == ["青岛贝雕研究所"]


def test_an_expired_filing_is_exported_as_terminated_after_advance_exit_01(
    db: str, tmp_path: Path
) -> None:
    target = tmp_path / "目录.csv"
    store = Store(db)
    r.advance(store, SYSTEM_ACTOR, today=date(2025, 3, 3))
    store.dispose()

    in_process("--db", db, "catalog", "export", "-o", str(target))

    written = pd.read_csv(target, dtype=str, keep_default_na=False, encoding="utf-8-sig")
    expired = written.set_index("机构代码").loc["3701LEGACY002"]
    assert (expired["备案状态"], expired["终止原因"], expired["终止日期"]) == (
        "终止备案",
        "到期未续",
        "2025-02-28",
    )
    assert expired["考核项目"] == "项目P002、项目P003"
