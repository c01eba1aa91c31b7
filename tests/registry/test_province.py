"""The province's part: reports to the province (SEL-08, REN-08), catalog editions (SEL-09)
and the city's local project list (SEL-10)."""

from __future__ import annotations

import io
import json
from datetime import date, timedelta
from pathlib import Path

import pandas as pd
import pytest
from sqlalchemy import delete, select, update

from casework import registry as r
from casework.errors import PermissionDenied, RuleViolation
from casework.queries.province import (
    catalog_edition,
    city_project_history,
    city_projects_in,
    edition_export,
    province_reports_of,
)
from casework.registry import scenario
from casework.store.tables import audit_head, audit_log
from tests.cli_runs import in_process

from .conftest import JINAN, QINGDAO, START, World
from .test_renewal_flow import filing_row, renew

OFFICER, QINGDAO_OFFICER = scenario.city_officer(JINAN), scenario.city_officer(QINGDAO)


@pytest.fixture
def province(world: World) -> r.Actor:
    return scenario.PROVINCE_ACTOR


def test_a_city_reports_a_filing_after_a_clear_notice_and_the_province_acknowledges_sel_08(
    world: World, province: r.Actor
) -> None:
    ids = world.filed("甲职业培训学校", stop_at="公示无异议")

    report = r.report_to_province(
        world.store,
        OFFICER,
        city_code=JINAN,
        kind="备案",
        case_ids=[ids["application_id"]],
        on=date(2025, 4, 10),
    )
    r.acknowledge_province_report(world.store, province, report_id=report, on=date(2025, 4, 11))

    (sent,) = province_reports_of(world.store, JINAN)
    assert sent.institutions == ("甲职业培训学校",)
    assert sent.content[0]["projects"] == ["项目P001"]
    assert (sent.sent_on, sent.acknowledged_on) == (date(2025, 4, 10), date(2025, 4, 11))
    assert sent.acknowledged_by == province.display_name
    assert province_reports_of(world.store, QINGDAO) == []


def test_a_filing_still_in_its_notice_cannot_be_reported_sel_08(world: World) -> None:
    ids = world.filed("甲职业培训学校", stop_at="公示中")

    with pytest.raises(RuleViolation) as err:
        r.report_to_province(
            world.store,
            OFFICER,
            city_code=JINAN,
            kind="备案",
            case_ids=[ids["application_id"]],
            on=START,
        )

    assert err.value.rule_id == "SEL-08"
    assert province_reports_of(world.store) == []


def test_a_city_cannot_report_another_citys_case_and_nothing_is_reported_twice_sup_01(
    world: World,
) -> None:
    ids = world.filed("甲职业培训学校", stop_at="公示无异议")
    report = dict(
        city_code=JINAN, kind="备案", case_ids=[ids["application_id"]], on=date(2025, 5, 6)
    )

    with pytest.raises(PermissionDenied):
        r.report_to_province(world.store, QINGDAO_OFFICER, **report)
    r.report_to_province(world.store, OFFICER, **report)
    with pytest.raises(RuleViolation):
        r.report_to_province(world.store, OFFICER, **report)

    assert len(province_reports_of(world.store)) == 1


def test_renewal_results_are_reported_to_the_province_ren_08(world: World) -> None:
    filed = world.filed("甲职业培训学校")
    renewal = renew(world, filed)
    term_end = filing_row(world, filed["filing_id"])["term_start"]

    r.report_to_province(
        world.store,
        OFFICER,
        city_code=JINAN,
        kind="续期结果",
        case_ids=[renewal["renewal_id"]],
        on=term_end - timedelta(days=30),
    )

    (sent,) = [s for s in province_reports_of(world.store, JINAN) if s.kind == "续期结果"]
    assert sent.content[0]["result"] == "合格"
    assert sent.content[0]["renewal_id"] == renewal["renewal_id"]


def test_the_first_catalog_edition_lists_every_filing_as_new_sel_09(
    world: World, province: r.Actor
) -> None:
    world.filed("甲职业培训学校")
    world.filed("乙技能培训学校", city=QINGDAO)

    number = r.publish_catalog_edition(world.store, province, on=date(2025, 6, 1))

    edition = catalog_edition(world.store, number)
    assert {e["institution"] for e in edition.entries} == {"甲职业培训学校", "乙技能培训学校"}
    assert [c["change"] for c in edition.changes] == ["新增", "新增"]
    assert edition.title.startswith("山东省专项职业能力考核机构目录（第1期")


def test_a_new_edition_lists_scope_changes_and_exits_since_the_last_one_sel_09(
    world: World, province: r.Actor
) -> None:
    a = world.filed("甲职业培训学校", projects=("P001", "P002"))
    b = world.filed("乙技能培训学校")
    r.publish_catalog_edition(world.store, province, on=date(2025, 6, 1))
    r.remove_projects(
        world.store,
        OFFICER,
        filing_id=a["filing_id"],
        project_codes=["P002"],
        on=date(2025, 7, 1),
        reason="机构申请删除",
    )
    r.record_extinction(
        world.store,
        OFFICER,
        filing_id=b["filing_id"],
        extinct_on=date(2025, 7, 2),
        evidence="市场监管部门注销登记",
        on=date(2025, 7, 2),
    )

    number = r.publish_catalog_edition(world.store, province, on=date(2025, 8, 1))

    changes = {(c["institution"], c["change"]) for c in catalog_edition(world.store).changes}
    assert changes == {("甲职业培训学校", "范围调整"), ("乙技能培训学校", "终止备案")}
    assert number == 2
    with pytest.raises(RuleViolation) as err:
        r.publish_catalog_edition(world.store, province, on=date(2025, 9, 1))
    assert err.value.rule_id == "SEL-09"


def test_an_edition_exports_as_json_csv_xlsx_and_one_static_page_sel_09(
    world: World, province: r.Actor
) -> None:
    world.filed("甲<b>职业</b>培训学校")
    edition = catalog_edition(
        world.store, r.publish_catalog_edition(world.store, province, on=date(2025, 6, 1))
    )

    as_json = json.loads(edition_export(edition, "json"))
    as_csv = pd.read_csv(io.BytesIO(edition_export(edition, "csv")), encoding="utf-8-sig")
    sheets = pd.read_excel(io.BytesIO(edition_export(edition, "xlsx")), sheet_name=None)
    page = edition_export(edition, "html").decode("utf-8")

    assert as_json["digest_sha256"] == edition.digest
    assert as_json["institutions"][0]["institution"] == "甲<b>职业</b>培训学校"
    assert as_csv["考核机构名称"].tolist() == ["甲<b>职业</b>培训学校"]
    assert list(sheets) == ["目录", "本期变化"]
    assert "&lt;b&gt;" in page and "<b>职业" not in page


def test_the_city_project_list_changes_on_its_date_with_a_reason_sel_10(world: World) -> None:
    before = city_projects_on_store(world, date(2025, 5, 31))

    r.adjust_city_projects(
        world.store,
        OFFICER,
        city_code=JINAN,
        exclude=["P007"],
        reason="本地已无培训需求",
        on=date(2025, 6, 1),
    )

    assert "P007" in before
    assert "P007" not in city_projects_on_store(world, date(2025, 6, 1))
    history = city_project_history(world.store, JINAN)
    assert history[["项目", "调整", "理由"]].values.tolist()[0][1:] == ["移出", "本地已无培训需求"]
    with pytest.raises(RuleViolation) as err:
        r.adjust_city_projects(
            world.store, OFFICER, city_code=JINAN, include=["P007"], reason=" ", on=START
        )
    assert err.value.rule_id == "SEL-10"


def city_projects_on_store(world: World, on: date) -> set[str]:
    with world.store.read() as conn:
        return city_projects_in(conn, JINAN, on)


def test_a_filing_is_not_reported_before_its_notice_ended_sel_05(world: World) -> None:
    ids = world.filed("甲职业培训学校", stop_at="公示无异议")

    with pytest.raises(RuleViolation) as err:
        r.report_to_province(
            world.store,
            OFFICER,
            city_code=JINAN,
            kind="备案",
            case_ids=[ids["application_id"]],
            on=START,
        )

    assert "公示期满" in str(err.value)


def test_no_receipt_is_dated_before_the_report_to_the_province_sel_08(world: World) -> None:
    ids = world.filed("甲职业培训学校", stop_at="公示无异议")
    r.report_to_province(
        world.store,
        OFFICER,
        city_code=JINAN,
        kind="备案",
        case_ids=[ids["application_id"]],
        on=date(2025, 5, 6),
    )

    with pytest.raises(RuleViolation) as err:
        r.file_application(
            world.store, OFFICER, application_id=ids["application_id"], on=date(2025, 5, 5)
        )
    filing = r.file_application(
        world.store, OFFICER, application_id=ids["application_id"], on=date(2025, 5, 6)
    )

    assert err.value.rule_id == "SEL-08" and filing > 0


def test_a_published_edition_carries_the_chain_heads_and_verify_finds_a_cut_behind_it_sel_09(
    world: World, province: r.Actor, tmp_path: Path
) -> None:
    world.filed("甲职业培训学校")
    number = r.publish_catalog_edition(world.store, province, on=date(2025, 6, 1))
    published = tmp_path / "目录.json"
    published.write_bytes(edition_export(catalog_edition(world.store, number), "json"))
    pinned = json.loads(published.read_text(encoding="utf-8"))["chain_heads"]["audit"]
    intact = in_process("--db", world.url, "audit", "verify", "--edition", str(published))

    with world.store.write() as conn:  # a forger cuts the log behind the edition
        keep = pinned["seq"] - 2
        conn.execute(delete(audit_log).where(audit_log.c.seq > keep))
        last = conn.execute(select(audit_log.c.hash).where(audit_log.c.seq == keep)).scalar_one()
        conn.execute(update(audit_head).values(seq=keep, hash=last))
    chain_only = in_process("--db", world.url, "audit", "verify")
    against = in_process("--db", world.url, "audit", "verify", "--edition", str(published))

    assert intact.returncode == 0 and chain_only.returncode == 0
    assert against.returncode == 1 and f"第{number}期考核机构目录" in against.stderr
