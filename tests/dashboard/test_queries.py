"""The dashboards' read models agree with direct queries of the store, and a city filter is
part of every query (SUP-01)."""

from __future__ import annotations

import pandas as pd
import pytest

from casework.dashboard.filters import Filters
from casework.domain import lifecycle, rules
from casework.queries import dashboard as dq

from .conftest import JINAN, TODAY, Demo

ALL = Filters()


def test_status_counts_equal_a_direct_count_of_filings_per_city_and_status(demo: Demo) -> None:
    direct = demo.sql(
        "SELECT city_code, status, count(*) AS n FROM filings GROUP BY city_code, status"
    )

    counts = dq.status_counts(demo.store, ALL)

    merged = counts.merge(direct, on=["city_code", "status"], how="outer")
    assert len(merged) == len(direct) > 16
    assert (merged["filings"] == merged["n"]).all()


@pytest.mark.parametrize("status", dq.STATUSES)
def test_the_status_filter_keeps_only_filings_in_that_status_exit_01(
    demo: Demo, status: str
) -> None:
    expected = demo.count("SELECT count(*) FROM filings WHERE status = :s", s=status)

    counts = dq.status_counts(demo.store, Filters(status=status))

    assert set(counts["status"]) <= {status}
    assert counts["filings"].sum() == expected


def test_the_project_filter_counts_filings_holding_that_project(demo: Demo) -> None:
    code = demo.sql("SELECT project_code FROM filing_projects LIMIT 1").iloc[0, 0]
    expected = demo.count(
        "SELECT count(DISTINCT filing_id) FROM filing_projects WHERE project_code = :p"
        " AND removed_on IS NULL",
        p=code,
    )

    counts = dq.status_counts(demo.store, Filters(project_code=code))
    projects = dq.project_counts(demo.store, Filters(project_code=code))

    assert counts["filings"].sum() == expected
    assert set(projects["project_code"]) == {code}


@pytest.mark.parametrize("year", [2025, 2026, 2027])
def test_every_term_ending_in_a_year_is_in_the_pipeline_once_ren_01(demo: Demo, year: int) -> None:
    expected = demo.count(
        "SELECT count(*) FROM filing_terms t JOIN filings f ON f.id = t.filing_id"
        " WHERE t.last_day BETWEEN :first AND :last"
        " AND (f.ended_on IS NULL OR f.ended_on >= t.last_day"
        "  OR EXISTS (SELECT 1 FROM renewal_cases c WHERE c.filing_id = f.id))",
        first=f"{year}-01-01",
        last=f"{year}-12-31",
    )

    frame = dq.pipeline(demo.store, Filters(year=year))

    assert frame["filings"].sum() == expected > 0
    assert set(frame["year"]) == {year}


def test_the_pipeline_shows_each_renewal_stage_of_the_demo_ren_01_ren_02(demo: Demo) -> None:
    cases = demo.sql("SELECT status, count(*) AS n FROM renewal_cases GROUP BY status")
    n = cases.set_index("status")["n"]

    frame = dq.pipeline(demo.store, ALL).groupby("stage")["filings"].sum()

    assert frame[dq.AWAITING] == n["待自评"]
    assert frame[dq.SCORING] == n["已提交"] + n["评估中"]
    assert frame[dq.DECIDED] == n["合格"] + n["不合格"]
    assert frame[dq.MISSED] == n["未提交"]
    assert frame[dq.NOT_OPENED] > 0


def test_renewals_not_submitted_by_the_deadline_are_listed_as_missed_ren_02(demo: Demo) -> None:
    lapsed = demo.sql("SELECT id FROM renewal_cases WHERE status = '未提交'")["id"]

    missed = dq.missed_deadlines(demo.store, ALL, TODAY)

    assert len(lapsed) >= 1
    assert set(lapsed) <= set(missed["renewal_id"])
    assert (missed["deadline"] < pd.Timestamp(TODAY)).all()
    assert (missed["days_overdue"] > 0).all()


def test_outcomes_list_every_decided_renewal_and_vetoes_fail_ren_05_ren_06(demo: Demo) -> None:
    decided = demo.count("SELECT count(*) FROM renewal_cases WHERE status IN ('合格', '不合格')")

    frame = dq.outcomes(demo.store, ALL)

    assert len(frame) == decided
    passed = frame[frame["grade"] == rules.GRADE_PASS]
    assert (passed["composite"] >= rules.PASS_MARK).all()
    assert (frame.loc[frame["veto_found"], "grade"] == rules.GRADE_FAIL).all()
    assert frame["veto_found"].any()


def test_rater_spread_is_each_total_less_its_groups_mean_in_groups_of_two_or_more_ren_07(
    demo: Demo,
) -> None:
    sheets = demo.sql(
        "SELECT panel_id, author, total FROM sheets WHERE kind = '续期' AND status = '已提交'"
    )
    sheets["mean"] = sheets.groupby("panel_id")["total"].transform("mean")
    compared = sheets[sheets.groupby("panel_id")["total"].transform("size") >= 2]

    spread = dq.rater_spread(demo.store, ALL)

    merged = spread.merge(compared, left_on=["panel_id", "member"], right_on=["panel_id", "author"])
    assert len(merged) == len(spread) == len(compared) > 0
    assert (merged["deviation"] - (merged["total_x"] - merged["mean"])).abs().max() < 1e-9
    assert (spread["flagged"] == (spread["deviation"].abs() >= dq.SPREAD_POINTS)).all()


def test_exits_of_a_year_are_counted_by_reason_with_every_reason_listed_exit_01(
    demo: Demo,
) -> None:
    direct = demo.sql(
        "SELECT end_reason, count(*) AS n FROM filings WHERE status = '终止备案'"
        " AND ended_on BETWEEN '2026-01-01' AND '2026-12-31' GROUP BY end_reason"
    ).set_index("end_reason")["n"]

    frame = dq.exits_by_reason(demo.store, Filters(year=2026)).set_index("reason")["filings"]

    assert list(frame.index) == list(lifecycle.END_REASONS)
    assert frame.sum() == direct.sum() > 0
    assert (frame[direct.index] == direct).all()


def test_open_investigations_cover_every_suspended_filing_exit_04(demo: Demo) -> None:
    suspended = demo.count("SELECT count(*) FROM filings WHERE status = '暂停'")

    frame = dq.open_investigations(demo.store, ALL)

    violations = frame[frame["kind"] == "违规"]
    assert (violations["filing_status"] == lifecycle.SUSPENDED).sum() == suspended > 0
    assert not set(frame["status"]) & {"已撤销", "已恢复", "已终结", "已撤回"}


@pytest.mark.parametrize(
    "query",
    [
        dq.status_counts,
        dq.project_counts,
        dq.outcomes,
        dq.rater_spread,
        dq.open_investigations,
        dq.exits_by_reason,
    ],
    ids=lambda q: q.__name__,
)
def test_a_city_filter_returns_only_that_citys_rows_sup_01(demo: Demo, query: object) -> None:
    everything = query(demo.store, ALL)  # type: ignore[operator]

    mine = query(demo.store, Filters(city_code=JINAN))  # type: ignore[operator]

    if "city" in mine.columns:
        assert set(mine["city"]) <= {"济南"}
    if "city" in everything.columns:
        assert len(set(everything["city"])) > 1
    numeric = [c for c in ("filings", "institutions") if c in mine.columns]
    for col in numeric:
        assert mine[col].sum() < everything[col].sum()
