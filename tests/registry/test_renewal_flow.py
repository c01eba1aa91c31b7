"""Renewal (REN-01…REN-06) through the registry."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import select

from casework import registry as r
from casework.errors import IllegalTransition, RuleViolation
from casework.registry import scenario
from casework.store.tables import filing_projects, filing_terms, filings, incidents, renewal_cases

from .conftest import JINAN, World


def renew(world: World, ids: dict, **options: object) -> dict:
    """Drive the filing's renewal (scenario.renew) with the world's Jinan experts."""
    term_end = filing_row(world, ids["filing_id"])["term_end"]
    return scenario.renew(
        world.store,
        city_code=JINAN,
        filing_id=ids["filing_id"],
        term_end=term_end,
        experts=world.experts[JINAN],
        **options,  # type: ignore[arg-type]
    )


def filing_row(world: World, filing_id: int) -> dict:
    with world.store.read() as conn:
        return dict(conn.execute(select(filings).where(filings.c.id == filing_id)).mappings().one())


def test_a_passed_renewal_gives_a_new_term_from_the_month_after_with_the_same_code_ren_05(
    world: World,
) -> None:
    ids = world.filed("济南鲁绣艺术有限公司", ("P001", "P002"))
    before = filing_row(world, ids["filing_id"])

    out = scenario.renew(
        world.store,
        city_code=JINAN,
        filing_id=ids["filing_id"],
        term_end=before["term_end"],
        experts=world.experts[JINAN],
    )

    after = filing_row(world, ids["filing_id"])
    assert out["outcome"]["grade"] == "合格"
    assert after["code"] == before["code"]
    assert after["term_start"] == before["term_end"] + timedelta(days=1)
    assert after["status"] == "有效"
    with world.store.read() as conn:
        terms = conn.execute(
            select(filing_terms).where(filing_terms.c.filing_id == ids["filing_id"])
        ).all()
    assert len(terms) == 2


def test_a_project_without_assessment_in_the_term_is_dropped_even_when_passed_ren_05(
    world: World,
) -> None:
    ids = world.filed("济南面塑职业培训学校", ("P001", "P002"))

    out = renew(
        world,
        ids,
        assessed={"P002": 0},
    )

    assert out["outcome"]["dropped_projects"] == ["P002"]
    with world.store.read() as conn:
        live = (
            conn.execute(
                select(filing_projects.c.project_code).where(
                    filing_projects.c.filing_id == ids["filing_id"],
                    filing_projects.c.removed_on.is_(None),
                )
            )
            .scalars()
            .all()
        )
    assert live == ["P001"]


def test_composite_below_sixty_fails_the_renewal_and_the_filing_ends_at_term_end_ren_05(
    world: World,
) -> None:
    ids = world.filed("济南剪纸工作室", ("P001",))
    term_end = filing_row(world, ids["filing_id"])["term_end"]

    out = renew(
        world,
        ids,
        scores=(55, 58, 61),
    )
    r.advance(world.store, r.SYSTEM_ACTOR, today=term_end + timedelta(days=1))

    assert out["outcome"]["grade"] == "不合格"
    row = filing_row(world, ids["filing_id"])
    assert (row["status"], row["end_reason"], row["ended_on"]) == (
        "终止备案",
        "续期不合格",
        term_end,
    )


def test_a_veto_item_fails_whatever_the_score_and_opens_a_supervision_case_ren_06(
    world: World,
) -> None:
    ids = world.filed("济南泥塑有限公司", ("P001",))

    out = renew(
        world,
        ids,
        scores=(95, 96, 97),
        veto_found=("V03",),
    )

    assert out["outcome"]["grade"] == "不合格" and out["outcome"]["veto_found"]
    with world.store.read() as conn:
        opened = conn.execute(select(incidents.c.category)).scalars().all()
    assert opened == ["续期评估否决项"]


def test_a_renewal_submitted_after_the_deadline_is_refused_ren_02(world: World) -> None:
    ids = world.filed("济南糖画制作中心", ("P001",))
    term_end = filing_row(world, ids["filing_id"])["term_end"]
    case = renew(
        world,
        ids,
        stop_at="待自评",
    )

    with pytest.raises(RuleViolation) as err:
        r.submit_renewal(
            world.store,
            scenario.city_officer(JINAN),
            renewal_id=case["renewal_id"],
            application=scenario.attachment5(world.store, ids["filing_id"]),
            self_rows=scenario.renewal_rows(90),
            self_veto=scenario.veto_rows(),
            on=term_end - timedelta(days=10),
        )

    assert err.value.rule_id == "REN-02"


def test_a_filing_without_a_renewal_application_ends_as_expired_from_the_expiry_date_exit_03(
    world: World,
) -> None:
    ids = world.filed("济南葫芦烙画工作室", ("P001",))
    term_end = filing_row(world, ids["filing_id"])["term_end"]
    case = renew(
        world,
        ids,
        stop_at="待自评",
    )

    r.advance(world.store, r.SYSTEM_ACTOR, today=term_end + timedelta(days=1))

    row = filing_row(world, ids["filing_id"])
    assert (row["status"], row["end_reason"], row["ended_on"]) == ("终止备案", "到期未续", term_end)
    with world.store.read() as conn:
        status = conn.execute(
            select(renewal_cases.c.status).where(renewal_cases.c.id == case["renewal_id"])
        ).scalar_one()
    assert status == "未提交"


def test_a_renewal_group_of_two_is_refused_ren_04(world: World) -> None:
    ids = world.filed("济南木雕有限公司", ("P001",))
    term_end = filing_row(world, ids["filing_id"])["term_end"]
    case = renew(
        world,
        ids,
        stop_at="已提交",
    )

    with pytest.raises(RuleViolation) as err:
        r.constitute_group(
            world.store,
            scenario.city_officer(JINAN),
            renewal_id=case["renewal_id"],
            members=[
                {"username": e, "is_leader": i == 0} for i, e in enumerate(world.experts[JINAN][:2])
            ],
            on=term_end - timedelta(days=30),
        )

    assert err.value.rule_id == "REN-04"


def test_a_submitted_sheet_is_locked(world: World) -> None:
    ids = world.filed("济南扎染工坊", ("P001",))
    case = renew(
        world,
        ids,
        stop_at="评估中",
    )
    who = scenario.expert(world.experts[JINAN][0])
    r.declare_conflict_of_interest(world.store, who, panel_id=case["panel_id"], no_conflict=True)
    r.save_sheet(
        world.store,
        who,
        panel_id=case["panel_id"],
        rows=scenario.renewal_rows(80),
        veto=scenario.veto_rows(),
        submit=True,
    )

    with pytest.raises(RuleViolation, match="锁定"):
        r.save_sheet(
            world.store,
            who,
            panel_id=case["panel_id"],
            rows=scenario.renewal_rows(90),
            veto=scenario.veto_rows(),
        )


def test_deciding_twice_is_an_illegal_transition(world: World) -> None:
    ids = world.filed("济南香包制作社", ("P001",))
    case = renew(
        world,
        ids,
    )

    with pytest.raises(IllegalTransition):
        r.decide_renewal(
            world.store,
            scenario.city_officer(JINAN),
            renewal_id=case["renewal_id"],
            on=date(2028, 1, 5),
        )
