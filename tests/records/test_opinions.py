"""The group's Attachment 6 opinion survives the city's decision (REN-04, REN-05, issue #13):
both are kept, and each reader shows the right one under the right label."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import select

from casework import registry as r
from casework.documents import gather
from casework.queries.cards import filing_timeline
from casework.queries.decisions import renewal_record
from casework.queries.history import group_reports
from casework.registry import scenario
from casework.reports.collect_renewal import renewal as collect_renewal
from casework.store.engine import Store, open_store
from casework.store.tables import panel_members
from tests.backend import store_url

JINAN = "370100"
GROUP = "评估组现场核查：考务管理规范，建议准予续期"
CITY = "经市局研究，评估合格，准予续期"


@pytest.fixture(scope="module")
def decided(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Store, int, int]]:
    """A Jinan filing renewed: the group returned its opinion, the city decided in its words."""
    folder: Path = tmp_path_factory.mktemp("opinions")
    store = open_store(store_url(folder / "casework.db"))
    scenario.seed_reference(store)
    case = scenario.renewing(store, city_code=JINAN, name="济南鲁绣艺术有限公司", serial=1)
    panel_id, term_end = case["panel_id"], case["term_end"]
    with store.read() as conn:
        members = list(
            conn.execute(
                select(panel_members.c.username, panel_members.c.is_leader)
                .where(panel_members.c.panel_id == panel_id)
                .order_by(panel_members.c.is_leader.desc())
            )
        )
    for username, _leader in members:
        who = scenario.expert(str(username))
        r.declare_conflict_of_interest(store, who, panel_id=panel_id, no_conflict=True)
        r.save_sheet(
            store,
            who,
            panel_id=panel_id,
            rows=scenario.renewal_rows(85.0),
            veto=scenario.veto_rows(),
            submit=True,
        )
    leader = scenario.expert(str(members[0][0]))
    r.submit_group_opinion(store, leader, panel_id=panel_id, opinion=GROUP)
    r.decide_renewal(
        store,
        scenario.city_officer(JINAN),
        renewal_id=case["renewal_id"],
        on=term_end - timedelta(days=20),
        opinion=CITY,
    )
    yield store, case["renewal_id"], case["filing_id"]
    store.dispose()


def test_the_citys_decision_keeps_the_groups_opinion_ren_05(
    decided: tuple[Store, int, int],
) -> None:
    store, renewal_id, _ = decided

    record = renewal_record(store, renewal_id)

    assert record is not None
    assert record["opinion"] == GROUP
    assert record["decision_note"] == CITY


def test_attachment6_states_the_groups_opinion_not_the_citys_ren_04(
    decided: tuple[Store, int, int],
) -> None:
    store, renewal_id, _ = decided

    att6 = gather.opinion(store, renewal_id)

    assert att6.opinion == GROUP


def test_the_archived_report_labels_each_text_as_whose_it_is_ren_05(
    decided: tuple[Store, int, int],
) -> None:
    store, renewal_id, _ = decided

    data = collect_renewal(store, renewal_id)

    fields = {
        (form.title, f.label): f.value
        for section in data.sections
        for form in section.forms
        for f in form.fields
        if f.label in ("评估组意见建议", "研究确定意见")
    }
    assert fields[("附件6 续期评估组意见反馈表", "评估组意见建议")] == GROUP
    assert [v for (_, label), v in fields.items() if label == "研究确定意见"] == [CITY]


def test_the_institution_history_shows_the_groups_report_and_the_citys_decision_apart(
    decided: tuple[Store, int, int],
) -> None:
    store, _, filing_id = decided

    reports = group_reports(store, [filing_id])
    timeline = filing_timeline(store, filing_id)

    assert reports["detail"].tolist() == [GROUP]
    decisions = timeline[timeline["event"].str.startswith("续期评估")]["detail"].tolist()
    assert any(CITY in d for d in decisions)
    assert not any(GROUP in d for d in decisions)
