"""The role matrix: every role × every command, allowed or refused as the rules say.

The matrix below is the specification, written as data: for each command, the roles that may
run it (系统, the clock and the seeding scripts, may run everything). The tests check the
server-side gate of every command against it, run every refused pair for real (refused, nothing
written, a ``refusals`` row naming the user and the command), and run a representative subset of
the allowed pairs on real cases, each next to the binding that still refuses it: an expert only
on their own panel, a city only on the institutions it filed (SUP-01), an institution only on
itself; managers (省级管理) read and keep the catalog.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select

from casework import registry as r
from casework.errors import NotFound, PermissionDenied
from casework.intake.importer import store_rows
from casework.registry import scenario
from casework.registry.actors import (
    CITY_MANAGER,
    CITY_OFFICER,
    EXPERT,
    INSTITUTION,
    PROVINCE,
    ROLES,
    SYSTEM,
    Actor,
)
from casework.store.engine import Store, open_store
from casework.store.tables import audit_log, refusals
from tests.backend import store_url

from .conftest import JINAN, PROJECTS, QINGDAO

ALL_COMMANDS: tuple[Callable[..., Any], ...] = (*r.COMMANDS, store_rows)
HUMAN_ROLES = tuple(role for role in ROLES if role != SYSTEM)

CITY = (CITY_OFFICER, CITY_MANAGER)
CITY_OR_INSTITUTION = (*CITY, INSTITUTION)
EVERYONE = HUMAN_ROLES

MATRIX: dict[str, tuple[str, ...]] = {
    # reference data and users: the province keeps the catalog, a city manager its own users
    "load_cities": (PROVINCE,),
    "publish_catalog": (PROVINCE,),
    "choose_city_projects": CITY,
    "register_institution": CITY,
    "add_user": (CITY_MANAGER, PROVINCE),
    "change_user_role": (CITY_MANAGER, PROVINCE),
    "deactivate_user": (CITY_MANAGER, PROVINCE),
    # selection (SEL-*): the city runs the procedure, the applicant may submit and withdraw
    "publish_call": CITY,
    "close_call": CITY,
    "submit_application": CITY_OR_INSTITUTION,
    "withdraw_application": CITY_OR_INSTITUTION,
    "accept_application": CITY,
    "return_application": CITY,
    "resubmit_application": CITY_OR_INSTITUTION,
    "constitute_panel": CITY,
    "replace_panel_member": CITY,
    # the city keeps its expert pool (SEL-03, REN-04)
    "add_pool_expert": CITY,
    "edit_pool_expert": CITY,
    "deactivate_pool_expert": CITY,
    "declare_conflict_of_interest": (EXPERT,),
    "save_sheet": (EXPERT,),
    "submit_group_opinion": (EXPERT,),
    "decide_application": CITY,
    "open_notice": CITY,
    "record_objection": CITY,
    "resolve_objection": CITY,
    "close_notice": CITY,
    "file_application": CITY,
    "register_existing_filing": CITY,
    "remove_projects": CITY,
    # renewal (REN-*): the institution evaluates itself, experts score, the city decides
    "open_round": CITY,
    "save_self_evaluation": (INSTITUTION,),
    "save_renewal_application_draft": (INSTITUTION,),
    "submit_renewal": CITY_OR_INSTITUTION,
    "constitute_group": CITY,
    "decide_renewal": CITY,
    # exits (EXIT-*) and supervision (SUP-*)
    "apply_withdrawal": CITY_OR_INSTITUTION,
    "accept_withdrawal_plan": CITY,
    "cancel_withdrawal": CITY_OR_INSTITUTION,
    "complete_withdrawal": CITY,
    "open_investigation": CITY,
    "serve_findings": CITY,
    "record_statement": CITY,
    "confirm_violation": CITY,
    "revoke_filing": CITY,
    "restore_filing": CITY,
    "record_extinction": CITY,
    "advance": CITY,
    "open_incident": CITY,
    "follow_up_incident": CITY,
    "close_incident": CITY,
    "escalate_incident": CITY,
    # every signed-in user keeps drafts of their own forms
    "save_form_draft": EVERYONE,
    "discard_form_draft": EVERYONE,
    # data intake: a city for its institutions, an institution for itself
    "store_rows": CITY_OR_INSTITUTION,
    # the province's part (SEL-08, SEL-09, SEL-10, REN-08)
    "report_to_province": CITY,
    "acknowledge_province_report": (PROVINCE,),
    "publish_catalog_edition": (PROVINCE,),
    "adjust_city_projects": CITY,
    # certificate records (EXIT-10, SUP-04): the institution keeps its own, the city reviews
    "request_certificate_change": CITY_OR_INSTITUTION,
    "reject_certificate_change": CITY,
    "refuse_recognition": CITY,
    "record_closing_work": CITY,
}
"""Command (function name) → the roles allowed to run it, besides 系统."""

BY_NAME = {c.__name__: c for c in ALL_COMMANDS}
PAIRS = [(role, name) for name in MATRIX for role in HUMAN_ROLES]
REFUSED = [(role, name) for role, name in PAIRS if role not in MATRIX[name]]

ON = date(2025, 6, 2)
OFFICER, MANAGER = scenario.city_officer(JINAN), scenario.city_manager(JINAN)
QINGDAO_OFFICER, QINGDAO_MANAGER = scenario.city_officer(QINGDAO), scenario.city_manager(QINGDAO)


def actor_of(role: str, institution_id: int = 1) -> Actor:
    """A user of ``role`` bound as the role needs (to Jinan, or to one institution)."""
    if role in CITY:
        return Actor(f"matrix_{role}", role, city_code=JINAN)
    if role == INSTITUTION:
        return Actor(f"matrix_{role}", role, institution_id=institution_id)
    return Actor(f"matrix_{role}", role)


# --- the gate, as declared -------------------------------------------------------------------
def test_the_matrix_lists_every_command_exactly_once() -> None:
    names = [c.__name__ for c in ALL_COMMANDS]

    assert sorted(names) == sorted(MATRIX)
    assert len(set(names)) == len(names)


@pytest.mark.parametrize(("role", "name"), PAIRS, ids=[f"{n}-{ro}" for ro, n in PAIRS])
def test_every_commands_role_gate_matches_the_matrix(role: str, name: str) -> None:
    command = BY_NAME[name]

    allowed = role in command.allowed_roles  # type: ignore[attr-defined]

    assert allowed == (role in MATRIX[name])


@pytest.mark.parametrize("name", list(MATRIX))
def test_the_system_actor_may_run_every_command(name: str) -> None:
    assert SYSTEM in BY_NAME[name].allowed_roles  # type: ignore[attr-defined]


# --- every refused pair, run for real --------------------------------------------------------
@pytest.fixture(scope="module")
def bare_store(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Store]:
    store = open_store(store_url(tmp_path_factory.mktemp("matrix") / "bare.db"))
    scenario.seed_reference(store)
    yield store
    store.dispose()


def count(store: Store, table: Any) -> int:
    with store.read() as conn:
        return int(conn.execute(select(func.count()).select_from(table)).scalar_one())


def last_refusal(store: Store) -> tuple[str, str, str]:
    with store.read() as conn:
        row = conn.execute(
            select(refusals.c.actor, refusals.c.command, refusals.c.reason)
            .order_by(refusals.c.id.desc())
            .limit(1)
        ).one()
    return row.actor, row.command, row.reason


@pytest.mark.parametrize(("role", "name"), REFUSED, ids=[f"{n}-{ro}" for ro, n in REFUSED])
def test_a_role_outside_the_matrix_is_refused_writes_nothing_and_is_logged(
    bare_store: Store, role: str, name: str
) -> None:
    command, actor = BY_NAME[name], actor_of(role)
    audited, logged = count(bare_store, audit_log), count(bare_store, refusals)

    with pytest.raises(PermissionDenied) as err:
        command(bare_store, actor)

    assert "无权执行" in str(err.value)
    assert count(bare_store, audit_log) == audited
    assert count(bare_store, refusals) == logged + 1
    assert last_refusal(bare_store) == (actor.username, command.command_name, str(err.value))  # type: ignore[attr-defined]


# --- allowed pairs on real cases, next to the binding that refuses ---------------------------
@dataclass
class Cases:
    store: Store
    ids: dict[str, int]
    panel_members: list[str]
    outsider: str


@pytest.fixture(scope="module")
def cases(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Cases]:
    """Jinan: an application under evaluation, a filing due for renewal, an institution."""
    path: Path = tmp_path_factory.mktemp("matrix") / "cases.db"
    store = open_store(store_url(path))
    scenario.seed_reference(store)
    experts = {city: scenario.seed_city_users(store, city) for city in (JINAN, QINGDAO)}
    for city in (JINAN, QINGDAO):
        scenario.ensure_city_catalog(store, city, 2025, PROJECTS)
    ids: dict[str, int] = {}
    ids["institution_id"] = scenario.new_institution(store, JINAN, "济南续期培训学校", 1)
    ids["qingdao_institution_id"] = scenario.new_institution(store, QINGDAO, "青岛培训学校", 2)
    ids["filing_id"] = r.register_existing_filing(
        store,
        OFFICER,
        institution_id=ids["institution_id"],
        code="3701LEGACY001",
        term_start=date(2022, 9, 1),
        project_codes=["P006"],
        filed_on=date(2022, 9, 1),
        source="试点备案",
    )
    r.open_round(
        store,
        OFFICER,
        city_code=JINAN,
        expiring_from=date(2025, 8, 31),
        expiring_to=date(2025, 8, 31),
        deadline=date(2025, 6, 30),
        on=date(2025, 5, 6),
    )
    from casework.store.tables import renewal_cases

    with store.read() as conn:
        ids["renewal_id"] = conn.execute(select(renewal_cases.c.id)).scalar_one()
    applicant = scenario.new_institution(store, JINAN, "济南评估中单位", 3)
    evaluating = scenario.select_and_file(
        store,
        city_code=JINAN,
        institution_id=applicant,
        project_codes=["P001"],
        on=date(2025, 3, 3),
        experts=experts[JINAN],
        stop_at="评估中",
    )
    ids["panel_id"] = evaluating["panel_id"]
    yield Cases(store, ids, experts[JINAN][:3], experts[JINAN][4])
    store.dispose()


def refused_and_logged(
    store: Store, error: type[Exception], command: Callable[..., Any], actor: Actor, **kw: Any
) -> Exception:
    audited, logged = count(store, audit_log), count(store, refusals)

    with pytest.raises(error) as err:
        command(store, actor, **kw)

    assert count(store, audit_log) == audited
    assert count(store, refusals) == logged + 1
    assert last_refusal(store)[:2] == (actor.username, command.command_name)  # type: ignore[attr-defined]
    return err.value


def succeeded(store: Store, command: Callable[..., Any], actor: Actor, **kw: Any) -> Any:
    audited, logged = count(store, audit_log), count(store, refusals)

    result = command(store, actor, **kw)

    assert count(store, audit_log) == audited + 1
    assert count(store, refusals) == logged
    with store.read() as conn:
        entry = conn.execute(
            select(audit_log.c.actor, audit_log.c.command).order_by(audit_log.c.seq.desc())
        ).first()
    assert tuple(entry or ()) == (actor.username, command.command_name)  # type: ignore[attr-defined]
    return result


def test_an_expert_scores_only_their_own_panel_after_declaring_sup_03(cases: Cases) -> None:
    member, outsider = scenario.expert(cases.panel_members[0]), scenario.expert(cases.outsider)
    panel, rows = cases.ids["panel_id"], scenario.full_selection_rows()

    succeeded(cases.store, r.declare_conflict_of_interest, member, panel_id=panel, no_conflict=True)
    sheet = succeeded(cases.store, r.save_sheet, member, panel_id=panel, rows=rows)
    err = refused_and_logged(
        cases.store, PermissionDenied, r.save_sheet, outsider, panel_id=panel, rows=rows
    )

    assert sheet > 0
    assert "不是该评估组成员" in str(err)


def test_a_city_acts_on_its_own_institutions_only_sup_01(cases: Cases) -> None:
    own = {"institution_id": cases.ids["institution_id"], "category": "日常检查", "on": ON}

    incident = succeeded(cases.store, r.open_incident, OFFICER, description="检查", **own)
    err = refused_and_logged(
        cases.store, PermissionDenied, r.open_incident, QINGDAO_OFFICER, description="越权", **own
    )

    assert incident > 0
    assert getattr(err, "rule_id", None) == "SUP-01"


def test_an_institution_evaluates_only_itself(cases: Cases) -> None:
    renewal = cases.ids["renewal_id"]
    own = Actor("inst_own", INSTITUTION, institution_id=cases.ids["institution_id"])
    other = Actor("inst_other", INSTITUTION, institution_id=cases.ids["qingdao_institution_id"])
    for actor in (own, other):
        scenario.ensure_user(cases.store, actor)
    rows, veto = scenario.renewal_rows(90.0), scenario.veto_rows()

    sheet = succeeded(
        cases.store, r.save_self_evaluation, own, renewal_id=renewal, rows=rows, veto=veto
    )
    err = refused_and_logged(
        cases.store,
        PermissionDenied,
        r.save_self_evaluation,
        other,
        renewal_id=renewal,
        rows=rows,
        veto=veto,
    )

    assert sheet > 0
    assert "本机构" in str(err)


def test_the_province_keeps_the_catalog_and_adds_users(cases: Cases) -> None:
    province = scenario.PROVINCE_ACTOR
    entries = [{"project_code": "P009", "name": "项目P009", "category": ""}]

    succeeded(cases.store, r.publish_catalog, province, year=2026, entries=entries)
    added = succeeded(
        cases.store,
        r.add_user,
        province,
        username="officer_new_jinan",
        display_name="新经办",
        role=CITY_OFFICER,
        city_code=JINAN,
    )

    assert added == "officer_new_jinan"


def test_a_city_manager_adds_users_of_its_own_city_only_sup_01(cases: Cases) -> None:
    user = {"display_name": "经办", "role": CITY_OFFICER, "city_code": JINAN}

    succeeded(cases.store, r.add_user, MANAGER, username="jinan_clerk", **user)
    err = refused_and_logged(
        cases.store, PermissionDenied, r.add_user, QINGDAO_MANAGER, username="intruder", **user
    )

    assert getattr(err, "rule_id", None) == "SUP-01"


def test_every_role_keeps_drafts_of_its_own_forms(cases: Cases) -> None:
    for role in HUMAN_ROLES:
        actor = scenario.ensure_user(cases.store, actor_of(role, cases.ids["institution_id"]))

        succeeded(
            cases.store, r.save_form_draft, actor, page="matrix", case_key="1", payload={"a": 1}
        )


def test_an_expert_not_on_the_panel_cannot_even_declare_for_it(cases: Cases) -> None:
    outsider = scenario.expert(cases.outsider)

    refused_and_logged(
        cases.store,
        NotFound,
        r.declare_conflict_of_interest,
        outsider,
        panel_id=cases.ids["panel_id"],
        no_conflict=True,
    )


def test_a_city_manager_binds_users_only_to_its_own_institutions_sup_01(cases: Cases) -> None:
    user = {"display_name": "机构经办", "role": INSTITUTION}

    succeeded(
        cases.store,
        r.add_user,
        MANAGER,
        username="jinan_inst_user",
        institution_id=cases.ids["institution_id"],
        **user,
    )
    err = refused_and_logged(
        cases.store,
        PermissionDenied,
        r.add_user,
        QINGDAO_MANAGER,
        username="foreign_inst_user",
        institution_id=cases.ids["institution_id"],
        **user,
    )

    assert getattr(err, "rule_id", None) == "SUP-01"
