"""Who may do what: cities act on their own cases only (SUP-01), experts only on panels they
sit on after declaring no conflict of interest (SUP-03), and only the 市级负责人 may override a
quota (SEL-07). Every refusal writes nothing and is logged with the user and the command."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from casework import registry as r
from casework.errors import (
    CaseworkError,
    NotFound,
    PermissionDenied,
    QuotaExceeded,
    RuleViolation,
)
from casework.registry import scenario
from casework.registry.actors import EXPERT, INSTITUTION, SYSTEM_ACTOR, Actor
from casework.store.engine import Store, open_store
from casework.store.tables import filings, quota_overrides, refusals
from tests.backend import store_url, table_rows

from .conftest import JINAN, PROJECTS, QINGDAO, World

OFFICER, MANAGER = scenario.city_officer(JINAN), scenario.city_manager(JINAN)
STRANGER = scenario.city_officer(QINGDAO)
"""A city officer of Qingdao, acting on Jinan's cases."""
ON = date(2025, 6, 2)
PLAN = {
    "收尾计划": "在考批次年底前结束",
    "证书维护": "持续维护已发证书数据",
    "档案管理": "纸质档案保存3年、电子档案5年",
    "参评人员服务": "设专人答复查询",
}
OWN_UNIT = "济南鲁班职业培训学校"

Ids = dict[str, int]


@pytest.fixture(scope="module")
def jinan(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[World, Ids]]:
    """Jinan's cases, one of each kind."""
    path: Path = tmp_path_factory.mktemp("permissions") / "casework.db"
    store = open_store(store_url(path))
    scenario.seed_reference(store)
    experts = {}
    for city in (JINAN, QINGDAO):
        experts[city] = scenario.seed_city_users(store, city)
        for year in (2025, 2026):
            scenario.ensure_city_catalog(store, city, year, PROJECTS)
    world = World(store, experts, store.url)
    ids: Ids = {}

    def existing(name: str, serial: int, term_start: date = date(2025, 1, 1)) -> int:
        inst = scenario.new_institution(store, JINAN, name, serial)
        ids.setdefault("institution_id", inst)
        return r.register_existing_filing(
            store,
            OFFICER,
            institution_id=inst,
            code=f"3701LEGACY{serial:03d}",
            term_start=term_start,
            project_codes=["P006", "P007"],
            filed_on=term_start,
            source="试点备案",
        )

    ids["filing_id"] = existing("济南剪纸艺术有限公司", 1)
    ids["renewal_filing_id"] = existing("济南续期培训学校", 2, date(2022, 9, 1))
    ids["round_id"] = r.open_round(
        store,
        OFFICER,
        city_code=JINAN,
        expiring_from=date(2025, 8, 31),
        expiring_to=date(2025, 8, 31),
        deadline=date(2025, 6, 30),
        on=date(2025, 5, 6),
    )
    with store.read() as conn:
        from casework.store.tables import renewal_cases

        ids["renewal_id"] = conn.execute(select(renewal_cases.c.id)).scalar_one()
    investigated = existing("济南风筝坊", 3)
    ids["violation_id"] = r.open_investigation(
        store, OFFICER, filing_id=investigated, grounds="举报", on=date(2025, 5, 6)
    )
    ids["incident_id"] = r.open_incident(
        store,
        OFFICER,
        institution_id=ids["institution_id"],
        category="日常检查",
        description="例行检查",
        on=date(2025, 5, 6),
    )

    def application(name: str, serial: int, stop_at: str, project: str) -> dict[str, int]:
        inst = scenario.new_institution(store, JINAN, name, serial)
        return scenario.select_and_file(
            store,
            city_code=JINAN,
            institution_id=inst,
            project_codes=[project],
            on=date(2025, 3, 3),
            experts=experts[JINAN],
            stop_at=stop_at,
        )

    evaluating = application("济南评估中单位", 10, "评估中", "P001")
    ids |= {"call_id": evaluating["call_id"], "panel_id": evaluating["panel_id"]}
    ids["application_id"] = evaluating["application_id"]
    ids["proposed_id"] = application("济南拟备案单位", 11, "拟备案", "P002")["application_id"]
    noticed = application("济南公示中单位", 12, "公示中", "P002")
    ids |= {"notice_id": noticed["notice_id"], "noticed_id": noticed["application_id"]}
    ids["cleared_id"] = application("济南公示无异议单位", 13, "公示无异议", "P003")[
        "application_id"
    ]
    yield world, ids
    store.dispose()


snapshot = table_rows


def refusal_rows(store: Store) -> list[tuple[str, str, str]]:
    with store.read() as conn:
        q = select(refusals.c.actor, refusals.c.command, refusals.c.reason).order_by(refusals.c.id)
        return [(row.actor, row.command, row.reason) for row in conn.execute(q)]


def refused(
    store: Store,
    error: type[CaseworkError],
    command: Callable[..., Any],
    actor: Actor,
    **kwargs: Any,
) -> CaseworkError:
    """Run a command that must be refused; check nothing was written and the refusal logged."""
    before, logged = snapshot(store), len(refusal_rows(store))

    with pytest.raises(error) as err:
        command(store, actor, **kwargs)

    assert snapshot(store) == before
    new = refusal_rows(store)[logged:]
    name = getattr(command, "command_name", None)
    assert [(a, c) for a, c, _ in new] == [(actor.username, name)]
    assert new[0][2] == str(err.value)
    return err.value


@dataclass(frozen=True)
class Id:
    """The id of one of Jinan's cases, looked up when the test runs."""

    key: str


def resolve(arguments: dict[str, Any], ids: Ids) -> dict[str, Any]:
    def one(v: Any) -> Any:
        if isinstance(v, Id):
            return ids[v.key]
        return [one(x) for x in v] if isinstance(v, list) else v

    return {k: one(v) for k, v in arguments.items()}


# --- SUP-01: 谁遴选、谁监管 -------------------------------------------------------------------
CITY_BOUND: list[tuple[str, Callable[..., Any], dict[str, Any]]] = [
    (
        "catalog",
        r.choose_city_projects,
        {"city_code": JINAN, "year": 2025, "project_codes": ["P001"]},
    ),
    (
        "institution",
        r.register_institution,
        {"name": "某单位", "uscc": "52370100MJ0000099X", "city_code": JINAN},
    ),
    (
        "user",
        r.add_user,
        {"username": "x", "display_name": "x", "role": "市级经办", "city_code": JINAN},
    ),
    (
        "call",
        r.publish_call,
        {
            "city_code": JINAN,
            "year": 2025,
            "title": "征集",
            "project_codes": ["P001"],
            "opens_on": ON,
            "closes_on": ON,
            "published_on": ON,
        },
    ),
    ("call", r.close_call, {"call_id": Id("call_id")}),
    (
        "application",
        r.submit_application,
        {
            "call_id": Id("call_id"),
            "institution_id": Id("institution_id"),
            "project_codes": ["P001"],
            "on": date(2025, 3, 5),
        },
    ),
    ("application", r.withdraw_application, {"application_id": Id("application_id")}),
    (
        "application",
        r.constitute_panel,
        {"application_id": Id("application_id"), "members": [], "on": ON},
    ),
    (
        "application",
        r.decide_application,
        {"application_id": Id("application_id"), "approve": True, "on": ON},
    ),
    (
        "notice",
        r.open_notice,
        {"city_code": JINAN, "application_ids": [Id("proposed_id")], "opens_on": ON},
    ),
    (
        "notice",
        r.record_objection,
        {
            "notice_id": Id("notice_id"),
            "application_id": Id("noticed_id"),
            "received_on": ON,
            "text": "异议",
        },
    ),
    ("notice", r.close_notice, {"notice_id": Id("notice_id"), "on": ON}),
    ("filing", r.file_application, {"application_id": Id("cleared_id"), "on": ON}),
    (
        "filing",
        r.remove_projects,
        {"filing_id": Id("filing_id"), "project_codes": ["P007"], "on": ON, "reason": "停考"},
    ),
    (
        "filing",
        r.register_existing_filing,
        {
            "institution_id": Id("institution_id"),
            "code": "X1",
            "term_start": ON,
            "project_codes": ["P001"],
            "filed_on": ON,
            "source": "试点",
        },
    ),
    (
        "renewal",
        r.open_round,
        {"city_code": JINAN, "expiring_from": ON, "expiring_to": ON, "deadline": ON, "on": ON},
    ),
    (
        "renewal",
        r.submit_renewal,
        {
            "renewal_id": Id("renewal_id"),
            "application": {},
            "self_rows": [],
            "self_veto": [],
            "on": ON,
        },
    ),
    ("renewal", r.constitute_group, {"renewal_id": Id("renewal_id"), "members": [], "on": ON}),
    ("renewal", r.decide_renewal, {"renewal_id": Id("renewal_id"), "on": ON}),
    ("exit", r.apply_withdrawal, {"filing_id": Id("filing_id"), "plan": PLAN, "on": ON}),
    ("exit", r.open_investigation, {"filing_id": Id("filing_id"), "grounds": "举报", "on": ON}),
    (
        "exit",
        r.serve_findings,
        {"case_id": Id("violation_id"), "findings": "经查", "received_on": ON},
    ),
    ("exit", r.restore_filing, {"case_id": Id("violation_id"), "reason": "不实", "on": ON}),
    (
        "exit",
        r.record_extinction,
        {"filing_id": Id("filing_id"), "extinct_on": ON, "evidence": "注销", "on": ON},
    ),
    (
        "supervision",
        r.open_incident,
        {
            "institution_id": Id("institution_id"),
            "category": "日常检查",
            "description": "检查",
            "on": ON,
        },
    ),
    (
        "supervision",
        r.follow_up_incident,
        {"incident_id": Id("incident_id"), "text": "约谈", "on": ON},
    ),
    (
        "supervision",
        r.close_incident,
        {"incident_id": Id("incident_id"), "conclusion": "办结", "on": ON},
    ),
    (
        "supervision",
        r.escalate_incident,
        {"incident_id": Id("incident_id"), "grounds": "核实", "on": ON},
    ),
]
"""One call per city-bound command, grouped by family, each aimed at a Jinan case."""


@pytest.mark.parametrize(
    ("family", "command", "arguments"),
    CITY_BOUND,
    ids=[f"{family}-{command.__name__}" for family, command, _ in CITY_BOUND],
)
def test_another_citys_officer_is_refused_on_every_city_bound_command_sup_01(
    jinan: tuple[World, Ids],
    family: str,
    command: Callable[..., Any],
    arguments: dict[str, Any],
) -> None:
    world, ids = jinan
    actor = scenario.city_manager(QINGDAO) if command is r.add_user else STRANGER

    err = refused(world.store, PermissionDenied, command, actor, **resolve(arguments, ids))

    assert err.rule_id == "SUP-01"
    assert JINAN in str(err)


def test_the_daily_clock_of_one_city_leaves_another_citys_filings_alone_sup_01(
    jinan: tuple[World, Ids],
) -> None:
    world, ids = jinan

    done = r.advance(world.store, STRANGER, today=date(2025, 12, 31))

    assert done == {"lapsed_renewals": [], "expired": [], "failed_renewal": []}
    with world.store.read() as conn:
        status = conn.execute(
            select(filings.c.status).where(filings.c.id == ids["renewal_filing_id"])
        ).scalar_one()
    assert status == "有效"


# --- roles ------------------------------------------------------------------------------------
AS_CITY: list[tuple[Callable[..., Any], dict[str, Any]]] = [
    (
        r.publish_call,
        {
            "city_code": JINAN,
            "year": 2025,
            "title": "征集",
            "project_codes": ["P001"],
            "opens_on": ON,
            "closes_on": ON,
            "published_on": ON,
        },
    ),
    (r.constitute_panel, {"application_id": Id("application_id"), "members": [], "on": ON}),
    (r.decide_application, {"application_id": Id("application_id"), "approve": True, "on": ON}),
    (r.file_application, {"application_id": Id("cleared_id"), "on": ON}),
    (r.open_investigation, {"filing_id": Id("filing_id"), "grounds": "举报", "on": ON}),
    (r.decide_renewal, {"renewal_id": Id("renewal_id"), "on": ON}),
    (r.advance, {"today": ON}),
]


@pytest.mark.parametrize(("command", "arguments"), AS_CITY, ids=[c.__name__ for c, _ in AS_CITY])
def test_an_expert_cannot_act_as_the_city(
    jinan: tuple[World, Ids],
    command: Callable[..., Any],
    arguments: dict[str, Any],
) -> None:
    world, ids = jinan
    expert = scenario.expert(world.experts[JINAN][0])

    err = refused(world.store, PermissionDenied, command, expert, **resolve(arguments, ids))

    assert "无权执行" in str(err)


def test_an_institution_cannot_act_for_another_institution(jinan: tuple[World, Ids]) -> None:
    world, ids = jinan
    elsewhere = scenario.new_institution(world.store, JINAN, "济南另一培训学校", 77)
    other = scenario.ensure_user(
        world.store, Actor("inst_other", INSTITUTION, institution_id=elsewhere)
    )

    err = refused(
        world.store,
        PermissionDenied,
        r.apply_withdrawal,
        other,
        filing_id=ids["filing_id"],
        plan=PLAN,
        on=ON,
    )

    assert "本机构" in str(err)


# --- SUP-03: experts ----------------------------------------------------------------------------
def test_an_expert_not_on_the_panel_cannot_save_a_sheet(jinan: tuple[World, Ids]) -> None:
    world, ids = jinan
    outsider = scenario.expert(world.experts[JINAN][4])

    err = refused(
        world.store,
        PermissionDenied,
        r.save_sheet,
        outsider,
        panel_id=ids["panel_id"],
        rows=scenario.full_selection_rows(),
    )

    assert "不是该评估组成员" in str(err)


def test_an_expert_not_on_the_panel_cannot_declare_for_it(jinan: tuple[World, Ids]) -> None:
    world, ids = jinan
    outsider = scenario.expert(world.experts[JINAN][4])

    refused(
        world.store,
        NotFound,
        r.declare_conflict_of_interest,
        outsider,
        panel_id=ids["panel_id"],
        no_conflict=True,
    )


def test_an_expert_must_declare_no_conflict_of_interest_before_the_first_sheet_sup_03(
    jinan: tuple[World, Ids],
) -> None:
    world, ids = jinan
    member = scenario.expert(world.experts[JINAN][1])
    rows = scenario.full_selection_rows()

    err = refused(
        world.store, RuleViolation, r.save_sheet, member, panel_id=ids["panel_id"], rows=rows
    )
    r.declare_conflict_of_interest(world.store, member, panel_id=ids["panel_id"], no_conflict=True)
    sheet = r.save_sheet(world.store, member, panel_id=ids["panel_id"], rows=rows)

    assert err.rule_id == "SUP-03"
    assert sheet > 0


def test_an_expert_with_a_conflict_of_interest_cannot_take_part_sup_03(
    jinan: tuple[World, Ids],
) -> None:
    world, ids = jinan
    member = scenario.expert(world.experts[JINAN][2])

    err = refused(
        world.store,
        RuleViolation,
        r.declare_conflict_of_interest,
        member,
        panel_id=ids["panel_id"],
        no_conflict=False,
    )

    assert err.rule_id == "SUP-03"


def test_an_expert_from_the_applicants_own_unit_cannot_sit_on_its_panel_sup_03(
    world: World,
) -> None:
    inst = scenario.new_institution(world.store, JINAN, OWN_UNIT, 42)
    ids = scenario.select_and_file(
        world.store,
        city_code=JINAN,
        institution_id=inst,
        project_codes=["P001"],
        on=date(2025, 3, 3),
        experts=world.experts[JINAN],
        stop_at="已提交",
    )
    r.add_user(
        world.store,
        SYSTEM_ACTOR,
        username="expert_own_unit",
        display_name="鲁班学校专家",
        role=EXPERT,
        unit=OWN_UNIT,
    )
    members = [
        {"username": "expert_own_unit", "is_leader": True},
        *({"username": e} for e in world.experts[JINAN][:2]),
    ]

    err = refused(
        world.store,
        PermissionDenied,
        r.constitute_panel,
        OFFICER,
        application_id=ids["application_id"],
        members=members,
        on=date(2025, 3, 5),
    )

    assert err.rule_id == "SUP-03"
    assert OWN_UNIT in str(err)


# --- SEL-07: who may override a quota ------------------------------------------------------------
def test_only_the_city_manager_may_override_a_quota_sel_07(world: World) -> None:
    for serial in range(1, 6):
        inst = scenario.new_institution(world.store, JINAN, f"济南第{serial}面塑考核中心", serial)
        r.register_existing_filing(
            world.store,
            OFFICER,
            institution_id=inst,
            code=f"3701LEGACY{serial:03d}",
            term_start=date(2025, 1, 1),
            project_codes=["P005"],
            filed_on=date(2025, 1, 1),
            source="试点备案",
        )
    sixth = scenario.new_institution(world.store, JINAN, "济南第6面塑考核中心", 6)
    ids = scenario.select_and_file(
        world.store,
        city_code=JINAN,
        institution_id=sixth,
        project_codes=["P005"],
        on=date(2025, 3, 3),
        experts=world.experts[JINAN],
        stop_at="评估中",
    )
    for name in world.experts[JINAN][:3]:
        who = scenario.expert(name)
        r.declare_conflict_of_interest(world.store, who, panel_id=ids["panel_id"], no_conflict=True)
        r.save_sheet(
            world.store,
            who,
            panel_id=ids["panel_id"],
            rows=scenario.full_selection_rows(),
            submit=True,
        )
    decision = {"application_id": ids["application_id"], "approve": True, "on": ON}
    reason = "本市该项目考核需求量大，经局务会研究同意"

    unexplained = refused(world.store, QuotaExceeded, r.decide_application, OFFICER, **decision)
    by_officer = refused(
        world.store,
        PermissionDenied,
        r.decide_application,
        OFFICER,
        override_reason=reason,
        **decision,
    )
    r.decide_application(world.store, MANAGER, override_reason=reason, **decision)

    assert (unexplained.rule_id, by_officer.rule_id) == ("SEL-07", "SEL-07")
    assert "市级负责人" in str(by_officer)
    with world.store.read() as conn:
        recorded = conn.execute(
            select(
                quota_overrides.c.kind,
                quota_overrides.c.project_code,
                quota_overrides.c.count_after,
                quota_overrides.c.officer,
                quota_overrides.c.reason,
            )
        ).all()
    assert [tuple(x) for x in recorded] == [("项目机构数", "P005", 6, MANAGER.username, reason)]


def test_every_refusal_is_logged_with_user_command_and_reason(jinan: tuple[World, Ids]) -> None:
    world, ids = jinan
    before = len(refusal_rows(world.store))

    with pytest.raises(PermissionDenied):
        r.open_investigation(
            world.store, STRANGER, filing_id=ids["filing_id"], grounds="举报", on=ON
        )
    with pytest.raises(CaseworkError):
        r.close_incident(world.store, OFFICER, incident_id=ids["incident_id"], conclusion="", on=ON)

    logged = refusal_rows(world.store)[before:]
    assert [(actor, command) for actor, command, _ in logged] == [
        (STRANGER.username, "立案调查"),
        (OFFICER.username, "监管事项办结"),
    ]
    assert "SUP-01" in logged[0][2]
    assert "办结意见" in logged[1][2]
