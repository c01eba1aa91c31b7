"""Time is the source of truth (EXIT-03, REN-02, REN-05): a filing whose term has ended is
ended on that day for every command and read, whether or not ``advance`` has run; ``advance``
records what time already decided, so running it late gives what running it daily gives."""

from __future__ import annotations

import tempfile
from collections.abc import Callable, Iterator
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select

from casework import registry as r
from casework.domain.terms import filing_term
from casework.errors import CaseworkError
from casework.queries.cards import filing_card
from casework.queries.catalog import catalog
from casework.registry import SYSTEM_ACTOR, scenario
from casework.store.engine import Store, open_store
from casework.store.tables import audit_log, filings, renewal_cases
from tests.backend import copy_store, store_url

from .conftest import JINAN, seed_two_cities

OFFICER = scenario.city_officer(JINAN)
PROJECTS = ("P006", "P007")
STARTS = (date(2022, 3, 1), date(2022, 5, 1), date(2022, 7, 1), date(2022, 9, 1))
"""Terms ending 2025-02-28, 2025-04-30, 2025-06-30 and 2025-08-31."""
PLAN = {p: "按方案办理" for p in ("收尾计划", "证书维护", "档案管理", "参评人员服务")}


def build(store: Store) -> dict[str, Any]:
    experts = seed_two_cities(store)[JINAN]
    ids: dict[str, Any] = {"plain": []}
    for n, start in enumerate(STARTS):
        inst = scenario.new_institution(store, JINAN, f"济南存量{n}职业培训学校", 9000 + n)
        filing = r.register_existing_filing(
            store,
            OFFICER,
            institution_id=inst,
            code=f"3701OLD{n:03d}",
            term_start=start,
            project_codes=PROJECTS,
            filed_on=start,
            source="鲁人社字〔2023〕22号试点备案",
        )
        ids["plain"].append(filing)
    # one whose renewal application is in: it outlives its term until the decision (REN-05)
    inst = scenario.new_institution(store, JINAN, "济南待续期职业培训学校", 9100)
    pending = r.register_existing_filing(
        store,
        OFFICER,
        institution_id=inst,
        code="3701OLD100",
        term_start=date(2022, 8, 1),
        project_codes=PROJECTS,
        filed_on=date(2022, 8, 1),
        source="鲁人社字〔2023〕22号试点备案",
    )
    scenario.renew(
        store,
        city_code=JINAN,
        filing_id=pending,
        term_end=filing_term(date(2022, 8, 1)).last_day,
        experts=experts,
        stop_at="已提交",
    )
    ids["pending"] = pending
    return ids


@pytest.fixture(scope="module")
def template(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, dict[str, Any]]]:
    url = store_url(tmp_path_factory.mktemp("time") / "template.db")
    store = open_store(url)
    ids = build(store)
    store.dispose()
    yield url, ids


@pytest.fixture(scope="module")
def store(template: tuple[str, dict[str, Any]]) -> Iterator[Store]:
    """One copy shared by the refusal examples: a refused command writes nothing."""
    with tempfile.TemporaryDirectory() as folder:
        shared = open_store(copy_store(template[0], Path(folder)), migrate=False)
        yield shared
        shared.dispose()


def audited(store: Store) -> int:
    with store.read() as conn:
        return int(conn.execute(select(func.count()).select_from(audit_log)).scalar_one())


def term_end_of(store: Store, filing_id: int) -> date:
    with store.read() as conn:
        return conn.execute(
            select(filings.c.term_end).where(filings.c.id == filing_id)
        ).scalar_one()


COMMANDS: dict[str, Callable[[Store, int, date], Any]] = {
    "withdraw": lambda s, f, on: r.apply_withdrawal(s, OFFICER, filing_id=f, plan=PLAN, on=on),
    "investigate": lambda s, f, on: r.open_investigation(
        s, OFFICER, filing_id=f, grounds="举报", on=on
    ),
    "remove_projects": lambda s, f, on: r.remove_projects(
        s, OFFICER, filing_id=f, project_codes=["P007"], on=on, reason="机构申请删除"
    ),
}


@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(
    which=st.integers(0, len(STARTS) - 1),
    days=st.integers(1, 500),
    action=st.sampled_from(sorted(COMMANDS)),
)
def test_no_command_acts_on_a_filing_ended_by_its_date_exit_03(
    store: Store, template: tuple[str, dict[str, Any]], which: int, days: int, action: str
) -> None:
    filing = template[1]["plain"][which]
    on = term_end_of(store, filing) + timedelta(days=days)
    before = audited(store)

    with pytest.raises(CaseworkError) as err:
        COMMANDS[action](store, filing, on)

    assert err.value.rule_id == "EXIT-03"
    assert audited(store) == before


def test_the_same_command_is_accepted_on_the_last_day_of_the_term_exit_03(
    store: Store, template: tuple[str, dict[str, Any]], tmp_path: Path
) -> None:
    copy = open_store(copy_store(template[0], tmp_path), migrate=False)
    filing = template[1]["plain"][0]

    case = r.open_investigation(
        copy, OFFICER, filing_id=filing, grounds="举报", on=term_end_of(copy, filing)
    )

    assert case > 0
    copy.dispose()


def test_reads_show_a_filing_ended_by_its_date_before_advance_records_it_exit_03(
    store: Store, template: tuple[str, dict[str, Any]]
) -> None:
    ended, pending = template[1]["plain"][0], template[1]["pending"]
    on = date(2025, 8, 15)  # after both terms ended (2025-02-28 and 2025-07-31)

    card = filing_card(store, ended, on)
    shown = catalog(store, city_code=JINAN, on=on).set_index("filing_id")

    assert (card.status, card.end_reason, card.ended_on) == (
        "终止备案",
        "到期未续",
        date(2025, 2, 28),
    )
    assert shown.loc[ended, "status"] == "终止备案"
    assert shown.loc[pending, "status"] == "有效"  # its renewal is being decided (REN-05)
    assert filing_card(store, ended).status == "有效"  # what is stored, until advance records it


def states(store: Store) -> dict[str, list[tuple[Any, ...]]]:
    with store.read() as conn:
        return {
            "filings": [
                tuple(row)
                for row in conn.execute(
                    select(
                        filings.c.id, filings.c.status, filings.c.end_reason, filings.c.ended_on
                    ).order_by(filings.c.id)
                )
            ],
            "renewals": [
                tuple(row)
                for row in conn.execute(
                    select(renewal_cases.c.id, renewal_cases.c.status).order_by(renewal_cases.c.id)
                )
            ],
        }


@settings(max_examples=6, deadline=None, suppress_health_check=list(HealthCheck))
@given(last=st.integers(0, 330), step=st.integers(7, 45))
def test_advance_run_late_gives_what_advance_run_daily_gives_exit_03(
    template: tuple[str, dict[str, Any]], last: int, step: int
) -> None:
    start = date(2025, 1, 31)
    end = start + timedelta(days=last)
    with tempfile.TemporaryDirectory() as a, tempfile.TemporaryDirectory() as b:
        often = open_store(copy_store(template[0], Path(a)), migrate=False)
        once = open_store(copy_store(template[0], Path(b)), migrate=False)
        day = start
        while day < end:
            r.advance(often, SYSTEM_ACTOR, today=day)
            day += timedelta(days=step)
        r.advance(often, SYSTEM_ACTOR, today=end)

        r.advance(once, SYSTEM_ACTOR, today=end)

        assert states(often) == states(once)
        often.dispose()
        once.dispose()


def test_closing_work_is_tracked_after_expiry_until_every_part_is_done_exit_08(
    template: tuple[str, dict[str, Any]], tmp_path: Path
) -> None:
    copy = open_store(copy_store(template[0], tmp_path), migrate=False)
    filing = template[1]["plain"][0]
    r.advance(copy, SYSTEM_ACTOR, today=date(2025, 3, 1))
    parts = ("收尾计划", "证书维护", "档案管理", "参评人员服务")

    done = [
        r.record_closing_work(
            copy, OFFICER, filing_id=filing, part=p, note="已办结", on=date(2025, 4, 1)
        )
        for p in parts
    ]

    assert done == [False, False, False, True]
    with pytest.raises(CaseworkError) as err:
        r.record_closing_work(
            copy, OFFICER, filing_id=filing, part="档案管理", note="再次", on=date(2025, 4, 2)
        )
    assert err.value.rule_id == "EXIT-08"
    copy.dispose()
