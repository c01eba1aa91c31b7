"""The city's completeness check of an application (SEL-02, SEL-03): 受理, 退回补正 with the
missing items listed, the corrected resubmission, the recorded withdrawal, and what the
applicant declares with its application (identity, supplementary conditions, integrity)."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pytest
from sqlalchemy import select

from casework import registry as r
from casework.domain import lifecycle
from casework.errors import IllegalTransition, PermissionDenied, RuleViolation
from casework.registry import scenario
from casework.registry.actors import INSTITUTION, Actor
from casework.registry.selection import INTEGRITY_DECLARATION
from casework.store.tables import application_projects, applications, institutions

from .conftest import JINAN, QINGDAO, World

ON = date(2025, 3, 5)
OFFICER = scenario.city_officer(JINAN)
APPLICANT = {
    "kind": "院校",
    "address": "济南市历下区1号",
    "contact": "张三",
    "phone": "0531-88886666",
}


def open_call(world: World, supplementary: tuple[dict[str, str], ...] = ()) -> int:
    return int(
        r.publish_call(
            world.store,
            OFFICER,
            city_code=JINAN,
            year=2025,
            title="2025年征集公告",
            project_codes=["P001", "P002", "P003"],
            opens_on=date(2025, 3, 3),
            closes_on=date(2025, 4, 3),
            published_on=date(2025, 3, 3),
            supplementary=list(supplementary),
        )
    )


def head_of(world: World, institution_id: int) -> Actor:
    actor = Actor(f"head{institution_id}", INSTITUTION, institution_id=institution_id)
    return scenario.ensure_user(world.store, actor)


def stored(world: World, application_id: int) -> dict[str, Any]:
    with world.store.read() as conn:
        row = conn.execute(select(applications).where(applications.c.id == application_id))
        return dict(row.mappings().one())


@pytest.fixture
def submitted(world: World) -> dict[str, Any]:
    inst = world.institution("济南申请技能学校", serial=11)
    call = open_call(world, ({"sub_id": "S1", "text": "具备线上考务系统"},))
    head = head_of(world, inst)
    app = r.submit_application(
        world.store,
        head,
        call_id=call,
        institution_id=inst,
        project_codes=["P001"],
        on=ON,
        applicant=APPLICANT,
        supplementary=[{"sub_id": "S1", "statement": "已建成线上考务系统"}],
        integrity=True,
    )
    return {"institution_id": inst, "call_id": call, "application_id": app, "head": head}


def test_an_application_records_who_entered_it_what_was_declared_and_the_identity_sel_02(
    world: World, submitted: dict[str, Any]
) -> None:
    app = stored(world, submitted["application_id"])
    with world.store.read() as conn:
        inst = (
            conn.execute(
                select(institutions).where(institutions.c.id == submitted["institution_id"])
            )
            .mappings()
            .one()
        )

    assert app["entered_by"] == submitted["head"].username and app["on_behalf"] is False
    assert app["declaration"] == INTEGRITY_DECLARATION and app["declared_at"] is not None
    assert app["supplementary"] == [
        {"sub_id": "S1", "text": "具备线上考务系统", "statement": "已建成线上考务系统"}
    ]
    assert app["applicant"]["phone"] == "0531-88886666" and app["applicant"]["uscc"] == inst["uscc"]
    assert (inst["kind"], inst["contact"]) == ("院校", "张三")


def test_a_paper_application_entered_by_the_city_officer_is_recorded_as_such_sel_02(
    world: World,
) -> None:
    inst = world.institution("济南纸质申请学校", serial=12)
    call = open_call(world)

    app = r.submit_application(
        world.store, OFFICER, call_id=call, institution_id=inst, project_codes=["P002"], on=ON,
        applicant=APPLICANT, integrity=True,
    )  # fmt: skip

    assert stored(world, app)["entered_by"] == OFFICER.username
    assert stored(world, app)["on_behalf"] is True


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"integrity": False}, "诚信承诺"),
        ({"applicant": {**APPLICANT, "phone": "电话号码"}}, "联系电话"),
        ({"applicant": {**APPLICANT, "contact": " "}}, "联系人"),
        ({"applicant": {**APPLICANT, "kind": "个体户"}}, "单位类型"),
        ({"supplementary": []}, "补充条件"),
        ({"supplementary": [{"sub_id": "S9", "statement": "x"}]}, "S9"),
    ],
    ids=["no-integrity", "bad-phone", "blank-contact", "unknown-kind", "no-statement", "bad-id"],
)
def test_an_application_missing_a_declaration_is_refused_naming_the_field_sel_02(
    world: World, changes: dict[str, Any], field: str
) -> None:
    inst = world.institution("济南缺项申请学校", serial=13)
    call = open_call(world, ({"sub_id": "S1", "text": "具备线上考务系统"},))
    kwargs: dict[str, Any] = {
        "applicant": APPLICANT,
        "supplementary": [{"sub_id": "S1", "statement": "具备"}],
        "integrity": True,
        **changes,
    }

    with pytest.raises(RuleViolation) as err:
        r.submit_application(
            world.store, OFFICER, call_id=call, institution_id=inst, project_codes=["P001"],
            on=ON, **kwargs,
        )  # fmt: skip

    assert field in str(err.value)
    assert err.value.rule_id in ("SEL-02", "SEL-03")


def test_a_panel_is_formed_only_after_the_application_is_accepted_sel_02_sel_03(
    world: World, submitted: dict[str, Any]
) -> None:
    app = submitted["application_id"]
    members = [{"username": e, "is_leader": i == 0} for i, e in enumerate(world.experts[JINAN][:3])]

    with pytest.raises(IllegalTransition) as err:
        r.constitute_panel(world.store, OFFICER, application_id=app, members=members, on=ON)
    r.accept_application(world.store, OFFICER, application_id=app, on=ON)
    r.constitute_panel(world.store, OFFICER, application_id=app, members=members, on=ON)

    assert lifecycle.APPLICATION_SUBMITTED in str(err.value)
    assert stored(world, app)["status"] == lifecycle.APPLICATION_EVALUATING
    assert stored(world, app)["accepted_on"] == ON


def test_a_returned_application_lists_the_missing_items_and_is_resubmitted_corrected_sel_02(
    world: World, submitted: dict[str, Any]
) -> None:
    app, head = submitted["application_id"], submitted["head"]

    r.return_application(
        world.store, OFFICER, application_id=app, missing=["人员花名册", "场地"], on=ON,
        note="花名册缺考评人员",
    )  # fmt: skip
    returned = stored(world, app)
    r.resubmit_application(
        world.store, head, application_id=app, on=ON + timedelta(days=2),
        project_codes=["P001", "P003"], integrity=True,
    )  # fmt: skip
    with world.store.read() as conn:
        codes = set(
            conn.execute(
                select(application_projects.c.project_code).where(
                    application_projects.c.application_id == app
                )
            ).scalars()
        )

    assert returned["status"] == lifecycle.APPLICATION_RETURNED
    assert returned["correction_items"] == ["人员花名册", "场地"]
    assert returned["correction_note"] == "花名册缺考评人员"
    assert stored(world, app)["status"] == lifecycle.APPLICATION_SUBMITTED
    assert stored(world, app)["resubmitted_on"] == ON + timedelta(days=2)
    assert codes == {"P001", "P003"}


def test_returning_without_listing_what_is_missing_is_refused_sel_02(
    world: World, submitted: dict[str, Any]
) -> None:
    with pytest.raises(RuleViolation) as err:
        r.return_application(
            world.store, OFFICER, application_id=submitted["application_id"], missing=[" "], on=ON
        )

    assert err.value.rule_id == "SEL-02"
    assert stored(world, submitted["application_id"])["status"] == lifecycle.APPLICATION_SUBMITTED


def test_a_corrected_project_outside_the_calls_scope_is_refused_sel_06(
    world: World, submitted: dict[str, Any]
) -> None:
    app = submitted["application_id"]
    r.return_application(world.store, OFFICER, application_id=app, missing=["场地"], on=ON)

    with pytest.raises(RuleViolation) as err:
        r.resubmit_application(
            world.store, submitted["head"], application_id=app, on=ON, project_codes=["P007"]
        )

    assert err.value.rule_id == "SEL-06"
    assert stored(world, app)["status"] == lifecycle.APPLICATION_RETURNED


def test_only_a_returned_application_is_resubmitted_and_only_a_submitted_one_accepted(
    world: World, submitted: dict[str, Any]
) -> None:
    app = submitted["application_id"]

    with pytest.raises(IllegalTransition):
        r.resubmit_application(world.store, submitted["head"], application_id=app, on=ON)
    r.accept_application(world.store, OFFICER, application_id=app, on=ON)
    with pytest.raises(IllegalTransition):
        r.return_application(world.store, OFFICER, application_id=app, missing=["场地"], on=ON)

    assert stored(world, app)["status"] == lifecycle.APPLICATION_ACCEPTED


def test_another_citys_officer_cannot_accept_or_return_sup_01(
    world: World, submitted: dict[str, Any]
) -> None:
    other = scenario.city_officer(QINGDAO)
    app = submitted["application_id"]

    with pytest.raises(PermissionDenied):
        r.accept_application(world.store, other, application_id=app, on=ON)
    with pytest.raises(PermissionDenied):
        r.return_application(world.store, other, application_id=app, missing=["场地"], on=ON)

    assert stored(world, app)["status"] == lifecycle.APPLICATION_SUBMITTED


def test_another_institution_cannot_resubmit_or_withdraw(
    world: World, submitted: dict[str, Any]
) -> None:
    stranger = head_of(world, world.institution("济南他人学校", serial=14))
    app = submitted["application_id"]
    r.return_application(world.store, OFFICER, application_id=app, missing=["场地"], on=ON)

    with pytest.raises(PermissionDenied):
        r.resubmit_application(world.store, stranger, application_id=app, on=ON)
    with pytest.raises(PermissionDenied):
        r.withdraw_application(world.store, stranger, application_id=app, on=ON)

    assert stored(world, app)["status"] == lifecycle.APPLICATION_RETURNED


def test_a_withdrawal_is_recorded_with_its_date_and_reason_sel_02(
    world: World, submitted: dict[str, Any]
) -> None:
    app = submitted["application_id"]
    r.return_application(world.store, OFFICER, application_id=app, missing=["场地"], on=ON)

    r.withdraw_application(
        world.store, submitted["head"], application_id=app, on=ON, reason="场地租赁未落实"
    )

    row = stored(world, app)
    assert row["status"] == lifecycle.APPLICATION_WITHDRAWN
    assert (row["withdrawn_on"], row["withdrawal_reason"]) == (ON, "场地租赁未落实")
