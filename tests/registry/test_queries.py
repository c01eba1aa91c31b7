"""The registry's read models: catalog, expiring, quota use and open deadlines.

One module-scoped store, built through the public commands, holds filings in every status,
a quota breached on both counts with the manager's reasons, an open notice, a violation case
awaiting its statement and an overdue self-evaluation. "Today" is Thursday 2025-05-15.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pandas as pd
import pytest

from casework import registry as r
from casework.queries import catalog as queries
from casework.registry import scenario
from casework.store.engine import open_store
from tests.backend import store_url

from .conftest import JINAN, PROJECTS, QINGDAO, World

TODAY = date(2025, 5, 15)
OFFICER = scenario.city_officer(JINAN)
PROJECT_REASON = "本市该项目考核需求量大，经局务会研究同意"
INSTITUTION_REASON = "该机构考核能力突出，经局务会研究同意"
PLAN = {
    "收尾计划": "在考批次年底前结束",
    "证书维护": "持续维护已发证书数据",
    "档案管理": "纸质档案保存3年、电子档案5年",
    "参评人员服务": "设专人答复查询",
}


class Registry:
    """What the store holds, by name."""

    def __init__(self, world: World) -> None:
        self.world = world
        self.store = world.store
        self.serial = 0
        self.ids: dict[str, int] = {}

    def institution(self, name: str, city: str = JINAN) -> int:
        self.serial += 1
        self.ids[name] = scenario.new_institution(self.store, city, name, self.serial)
        return self.ids[name]

    def existing(
        self, name: str, projects: tuple[str, ...], term_start: date, city: str = JINAN
    ) -> int:
        inst = self.institution(name, city)
        return int(
            r.register_existing_filing(
                self.store,
                scenario.city_officer(city),
                institution_id=inst,
                code=f"{city[:4]}LEGACY{self.serial:03d}",
                term_start=term_start,
                project_codes=projects,
                filed_on=term_start,
                source="试点备案",
            )
        )

    def selected(self, name: str, projects: tuple[str, ...], **kw: object) -> dict[str, int]:
        inst = self.ids.get(name) or self.institution(name)
        return scenario.select_and_file(
            self.store,
            city_code=JINAN,
            institution_id=inst,
            project_codes=projects,
            on=date(2025, 3, 3),
            experts=self.world.experts[JINAN],
            **kw,  # type: ignore[arg-type]
        )


def build(reg: Registry) -> None:
    store = reg.store
    # 有效, through the whole selection procedure
    reg.selected("济南鲁绣艺术有限公司", ("P001", "P002"))
    # 终止备案 (自愿撤销)
    withdrawn = reg.existing("济南蛋雕工作室", ("P001",), date(2024, 1, 1))
    case = r.apply_withdrawal(store, OFFICER, filing_id=withdrawn, plan=PLAN, on=date(2025, 4, 1))
    r.accept_withdrawal_plan(store, OFFICER, case_id=case, on=date(2025, 4, 2))
    r.complete_withdrawal(store, OFFICER, case_id=case, closing_work="已完成", on=date(2025, 4, 30))
    # 终止备案 (主体灭失), after P004 was removed from its scope
    gone = reg.existing("济南已注销培训学校", ("P003", "P004"), date(2024, 1, 1))
    r.remove_projects(
        store, OFFICER, filing_id=gone, project_codes=["P004"], on=date(2025, 3, 1), reason="停考"
    )
    r.record_extinction(
        store, OFFICER, filing_id=gone, extinct_on=date(2025, 4, 10), evidence="注销", on=TODAY
    )
    # 暂停, term ending 2025-06-30, findings served: statement due 2025-05-26 (EXIT-05)
    suspended = reg.existing("济南茶艺培训中心", ("P003",), date(2022, 7, 1))
    case = r.open_investigation(
        store, OFFICER, filing_id=suspended, grounds="举报", on=date(2025, 4, 20)
    )
    r.serve_findings(store, OFFICER, case_id=case, findings="经查……", received_on=date(2025, 4, 30))
    # 有效, term ending 2025-08-31, self-evaluation overdue since 2025-05-09 (REN-02)
    reg.existing("济南面塑职业培训学校", ("P003",), date(2022, 9, 1))
    r.open_round(
        store,
        OFFICER,
        city_code=JINAN,
        expiring_from=date(2025, 8, 1),
        expiring_to=date(2025, 8, 31),
        deadline=date(2025, 5, 9),
        on=date(2025, 4, 1),
    )
    # 终止备案 in the expiring window: not expiring any more
    early = reg.existing("济南剪纸社", ("P003",), date(2022, 8, 1))
    r.record_extinction(
        store, OFFICER, filing_id=early, extinct_on=date(2025, 4, 1), evidence="注销", on=TODAY
    )
    # SEL-07, per project: five taken-over filings of P007, a sixth filed on the manager's word
    for i in range(1, 6):
        reg.existing(f"济南第{i}风筝考核中心", ("P007",), date(2025, 1, 1))
    reg.selected("济南第6风筝考核中心", ("P007",), override_reason=PROJECT_REASON)
    # SEL-07, per institution: five projects, a sixth added on the manager's word
    reg.existing(
        "济南综合职业技能考核中心", ("P001", "P002", "P003", "P004", "P005"), date(2025, 1, 1)
    )
    reg.selected("济南综合职业技能考核中心", ("P006",), override_reason=INSTITUTION_REASON)
    # a notice from Monday 2025-05-12, ending Friday 2025-05-16 (SEL-05)
    proposed = reg.selected("济南黑陶制作有限公司", ("P002",), stop_at="拟备案")
    r.open_notice(
        store,
        OFFICER,
        city_code=JINAN,
        application_ids=[proposed["application_id"]],
        opens_on=date(2025, 5, 12),
        title="2025年第二批拟备案名单公示",
    )
    # another city: one filing, one statement due
    qingdao = reg.existing("青岛贝雕研究所", ("P001",), date(2025, 1, 1), city=QINGDAO)
    case = r.open_investigation(
        store, scenario.city_officer(QINGDAO), filing_id=qingdao, grounds="举报", on=TODAY
    )
    r.serve_findings(
        store, scenario.city_officer(QINGDAO), case_id=case, findings="经查", received_on=TODAY
    )


@pytest.fixture(scope="module")
def reg(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Registry]:
    path: Path = tmp_path_factory.mktemp("queries") / "casework.db"
    store = open_store(store_url(path))
    scenario.seed_reference(store)
    experts = {}
    for city in (JINAN, QINGDAO):
        experts[city] = scenario.seed_city_users(store, city)
        for year in (2024, 2025, 2026):
            scenario.ensure_city_catalog(store, city, year, PROJECTS)
    registry = Registry(World(store, experts, store.url))
    build(registry)
    yield registry
    store.dispose()


def row(frame: pd.DataFrame, column: str, value: object) -> pd.Series:
    found = frame[frame[column] == value]
    assert len(found) == 1, (column, value, frame)
    return found.iloc[0]


# --- catalog (EXIT-01, SEL-05) --------------------------------------------------------------
def test_the_catalog_lists_every_filing_in_every_status_exit_01(reg: Registry) -> None:
    catalog = queries.catalog(reg.store)

    assert set(catalog["status"]) == {"有效", "暂停", "终止备案"}
    assert len(catalog) == 14
    assert catalog["code"].is_unique


@pytest.mark.parametrize(
    ("institution", "reason", "ended_on"),
    [
        ("济南蛋雕工作室", "自愿撤销", date(2025, 4, 30)),
        ("济南已注销培训学校", "主体灭失", date(2025, 4, 10)),
        ("济南剪纸社", "主体灭失", date(2025, 4, 1)),
    ],
)
def test_a_terminated_filing_shows_its_reason_and_end_date_exit_01(
    reg: Registry, institution: str, reason: str, ended_on: date
) -> None:
    catalog = queries.catalog(reg.store)

    found = row(catalog, "institution", institution)

    assert (found["status"], found["end_reason"]) == ("终止备案", reason)
    assert found["ended_on"] == pd.Timestamp(ended_on)


def test_a_terminated_filing_lists_the_projects_it_ended_with_exit_01(reg: Registry) -> None:
    catalog = queries.catalog(reg.store)

    gone = row(catalog, "institution", "济南已注销培训学校")
    withdrawn = row(catalog, "institution", "济南蛋雕工作室")

    assert (gone["projects"], gone["project_count"]) == ("项目P003", 1)
    assert (withdrawn["projects"], withdrawn["project_count"]) == ("项目P001", 1)


def test_a_live_filing_shows_its_term_and_no_end_reason_att2_term(reg: Registry) -> None:
    catalog = queries.catalog(reg.store)

    live = row(catalog, "institution", "济南鲁绣艺术有限公司")

    assert live["term"] == "自2025年3月至2028年2月"
    assert (live["status"], live["end_reason"]) == ("有效", "")
    assert pd.isna(live["ended_on"])
    assert live["projects"] == "项目P001、项目P002"


def test_the_catalog_filters_by_city_and_by_status(reg: Registry) -> None:
    qingdao = queries.catalog(reg.store, city_code=QINGDAO)
    terminated = queries.catalog(reg.store, status="终止备案")

    assert list(qingdao["institution"]) == ["青岛贝雕研究所"]
    assert set(qingdao["city"]) == {"青岛"}
    assert sorted(terminated["institution"]) == sorted(
        ["济南蛋雕工作室", "济南已注销培训学校", "济南剪纸社"]
    )


# --- expiring (REN-01) ------------------------------------------------------------------------
def test_expiring_lists_live_filings_ending_in_the_window_with_days_and_renewal_ren_01(
    reg: Registry,
) -> None:
    due = queries.expiring(reg.store, first=date(2025, 6, 1), last=date(2025, 8, 31), today=TODAY)

    assert list(due["institution"]) == ["济南茶艺培训中心", "济南面塑职业培训学校"]
    assert list(due["status"]) == ["暂停", "有效"]
    assert list(due["days_left"]) == [46, 108]
    assert list(due["renewal_status"]) == ["未启动", "待自评"]


@pytest.mark.parametrize(
    ("first", "last", "expected"),
    [
        (date(2025, 7, 1), date(2025, 8, 30), []),
        (date(2025, 6, 30), date(2025, 6, 30), ["济南茶艺培训中心"]),
        (date(2025, 7, 1), date(2025, 8, 31), ["济南面塑职业培训学校"]),
        (date(2025, 7, 31), date(2025, 7, 31), []),
    ],
    ids=["between-terms", "first-day-included", "last-day-included", "terminated-left-out"],
)
def test_the_expiring_window_includes_both_ends_and_only_live_filings(
    reg: Registry, first: date, last: date, expected: list[str]
) -> None:
    due = queries.expiring(reg.store, first=first, last=last, today=TODAY)

    assert list(due["institution"]) == expected


def test_expiring_filters_by_city(reg: Registry) -> None:
    due = queries.expiring(
        reg.store, first=date(2025, 1, 1), last=date(2030, 12, 31), today=TODAY, city_code=QINGDAO
    )

    assert list(due["institution"]) == ["青岛贝雕研究所"]


# --- quota use (SEL-07) -----------------------------------------------------------------------
def test_quota_use_counts_live_institutions_per_project_sel_07(reg: Registry) -> None:
    use = queries.quota_use(reg.store, city_code=JINAN).set_index("project_code")

    assert use["institutions"].to_dict() == {
        "P001": 2,
        "P002": 2,
        "P003": 3,
        "P004": 1,
        "P005": 1,
        "P006": 1,
        "P007": 6,
    }
    assert set(use["limit"]) == {5}


def test_quota_use_shows_the_breach_with_the_managers_override_reason_sel_07(
    reg: Registry,
) -> None:
    use = queries.quota_use(reg.store, city_code=JINAN).set_index("project_code")

    assert use.loc["P007", "over"]
    assert use.loc["P007", "override_reasons"] == PROJECT_REASON
    assert not use.drop(index="P007")["over"].any()
    assert set(use.drop(index="P007")["override_reasons"]) == {""}


def test_quota_use_filters_by_city(reg: Registry) -> None:
    use = queries.quota_use(reg.store, city_code=QINGDAO)

    assert list(zip(use["city_code"], use["project_code"], use["institutions"], strict=True)) == [
        (QINGDAO, "P001", 1)
    ]


def test_institution_quota_use_counts_live_projects_per_institution_sel_07(reg: Registry) -> None:
    use = queries.institution_quota_use(reg.store, city_code=JINAN).set_index("institution")

    broad = use.loc["济南综合职业技能考核中心"]
    assert (broad["projects"], broad["limit"], broad["over"]) == (6, 5, True)
    assert broad["override_reasons"] == INSTITUTION_REASON
    assert use.loc["济南鲁绣艺术有限公司", "projects"] == 2
    assert "济南蛋雕工作室" not in use.index
    assert int(use["over"].sum()) == 1


# --- open deadlines (SEL-05, EXIT-05, REN-02) -------------------------------------------------
def test_open_deadlines_lists_notice_statement_and_self_evaluation_with_workdays_left(
    reg: Registry,
) -> None:
    deadlines = queries.open_deadlines(reg.store, today=TODAY, city_code=JINAN)

    got = deadlines[["kind", "subject", "due", "workdays_left", "overdue", "rule_id"]]
    assert got.to_dict("records") == [
        {
            "kind": "续期自评截止",
            "subject": "济南面塑职业培训学校",
            "due": pd.Timestamp(2025, 5, 9),
            "workdays_left": -4,
            "overdue": True,
            "rule_id": "REN-02",
        },
        {
            "kind": "公示期满",
            "subject": "2025年第二批拟备案名单公示",
            "due": pd.Timestamp(2025, 5, 16),
            "workdays_left": 1,
            "overdue": False,
            "rule_id": "SEL-05",
        },
        {
            "kind": "陈述申辩截止",
            "subject": "济南茶艺培训中心",
            "due": pd.Timestamp(2025, 5, 26),
            "workdays_left": 7,
            "overdue": False,
            "rule_id": "EXIT-05",
        },
    ]
    assert not deadlines["provisional"].any()


def test_a_deadline_on_today_has_no_working_day_left_and_is_not_overdue(reg: Registry) -> None:
    deadlines = queries.open_deadlines(reg.store, today=date(2025, 5, 16), city_code=JINAN)

    notice = row(deadlines, "kind", "公示期满")

    assert (notice["workdays_left"], notice["overdue"]) == (0, False)


def test_open_deadlines_filters_by_city_sup_01(reg: Registry) -> None:
    qingdao = queries.open_deadlines(reg.store, today=TODAY, city_code=QINGDAO)
    everywhere = queries.open_deadlines(reg.store, today=TODAY)

    assert list(zip(qingdao["kind"], qingdao["subject"], strict=True)) == [
        ("陈述申辩截止", "青岛贝雕研究所")
    ]
    assert row(qingdao, "kind", "陈述申辩截止")["due"] == pd.Timestamp(2025, 6, 6)
    assert len(everywhere) == 4


def test_a_deadline_in_a_year_without_an_official_schedule_is_flagged_provisional(
    world: World,
) -> None:
    inst = scenario.new_institution(world.store, JINAN, "济南远期备案培训学校", 9_000_001)
    r.register_existing_filing(
        world.store,
        OFFICER,
        institution_id=inst,
        code="3701LEGACY999",
        term_start=date(2032, 6, 1),
        project_codes=["P001"],
        filed_on=date(2032, 6, 1),
        source="试点备案",
    )
    r.open_round(
        world.store,
        OFFICER,
        city_code=JINAN,
        expiring_from=date(2035, 5, 1),
        expiring_to=date(2035, 5, 31),
        deadline=date(2035, 3, 30),
        on=date(2035, 1, 2),
    )

    deadlines = queries.open_deadlines(world.store, today=date(2035, 3, 26))

    found = row(deadlines, "kind", "续期自评截止")
    assert (found["workdays_left"], found["provisional"]) == (4, True)
