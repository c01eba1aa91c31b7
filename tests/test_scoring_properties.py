"""Properties of renewal scoring that hold for every sheet (REN-04, REN-07).

Examples per test come from the hypothesis profile chosen in ``tests/conftest.py``
(``HYPOTHESIS_PROFILE``: ``ci`` by default, ``dev`` for a longer run).
"""

from __future__ import annotations

import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

from casework.domain import rubrics, rules, scoring
from casework.domain.scoring import renewal as renewal_scoring
from casework.domain.scoring import selection as selection_scoring
from casework.errors import SheetInvalid

pytestmark = pytest.mark.slow  # each property runs the scoring dozens of times

RUBRIC = rubrics.load(rubrics.RENEWAL, "2025.1")
SELECTION = rubrics.load(rubrics.SELECTION, "2025.1")
ITEMS = list(RUBRIC.item_points)
RANK = {verdict: rank for rank, verdict in enumerate(reversed(rules.VERDICTS))}
"""不符合 0 < 基本符合 1 < 符合 2."""
ALLOWED = {
    (item, verdict): scoring.allowed_points(RUBRIC, item, verdict)
    for item in ITEMS
    for verdict in rules.VERDICTS
}


def valid_verdicts(item: str) -> list[str]:
    return [v for v in rules.VERDICTS if ALLOWED[(item, v)]]


@st.composite
def scored(draw: st.DrawFn, item: str, at_least: str = rules.VERDICT_NONE) -> tuple[str, float]:
    """A verdict on ``item`` no worse than ``at_least``, with points it allows."""
    verdicts = [v for v in valid_verdicts(item) if RANK[v] >= RANK[at_least]]
    verdict = draw(st.sampled_from(verdicts))
    return verdict, draw(st.sampled_from(ALLOWED[(item, verdict)]))


Scores = dict[str, tuple[str, float]]
"""item_id → (verdict, points) of one member."""


@st.composite
def scores(draw: st.DrawFn) -> Scores:
    return {item: draw(scored(item)) for item in ITEMS}


def sheet_of(marks: Scores, member: str = "张三") -> pd.DataFrame:
    rows = [(member, item, verdict, points) for item, (verdict, points) in marks.items()]
    return pd.DataFrame(rows, columns=["member", "item_id", "verdict", "points"])


complete_sheet = scores().map(sheet_of)
member_total = st.decimals(min_value=0, max_value=100, places=2).map(float)


def total(sheet: pd.DataFrame) -> float:
    return float(scoring.member_totals(RUBRIC, sheet).iloc[0])


@given(complete_sheet)
def test_ren07_a_member_total_lies_between_0_and_100(sheet: pd.DataFrame) -> None:
    assert 0 <= total(sheet) <= rules.MAX_SCORE


@given(scores(), st.sampled_from(ITEMS), st.data())
def test_ren07_a_better_verdict_on_one_item_never_lowers_the_total(
    marks: Scores, item: str, data: st.DataObject
) -> None:
    verdict = marks[item][0]
    better = [v for v in valid_verdicts(item) if RANK[v] > RANK[verdict]]
    if better:
        verdict = data.draw(st.sampled_from(better))
    improved = {**marks, item: (verdict, data.draw(st.sampled_from(ALLOWED[(item, verdict)])))}

    assert total(sheet_of(improved)) >= total(sheet_of(marks))


@pytest.mark.parametrize("method", scoring.COMPOSITE_METHODS)
@given(totals=st.lists(member_total, min_size=rules.GROUP_MIN, max_size=rules.GROUP_MAX))
def test_ren04_composite_lies_between_the_lowest_and_highest_member_total(
    method: str, totals: list[float]
) -> None:
    assert min(totals) <= scoring.composite(totals, method) <= max(totals)


@given(st.lists(complete_sheet, min_size=1, max_size=3), st.data())
def test_running_total_equals_member_totals_for_complete_sheets(
    sheets: list[pd.DataFrame], data: st.DataObject
) -> None:
    members = [f"成员{k}" for k in range(len(sheets))]
    sheets = [s.assign(member=m) for s, m in zip(sheets, members, strict=True)]
    order = data.draw(st.permutations(range(len(ITEMS))))
    shuffled = [s.iloc[list(order)] for s in sheets]

    assert scoring.running_total(RUBRIC, shuffled).equals(scoring.member_totals(RUBRIC, sheets))


@given(complete_sheet, st.sets(st.integers(0, len(ITEMS) - 1)))
def test_running_total_of_a_partial_sheet_never_exceeds_the_complete_total(
    sheet: pd.DataFrame, filled: set[int]
) -> None:
    partial = sheet.iloc[sorted(filled)]

    running = scoring.running_total(RUBRIC, partial).get("张三", 0.0)

    assert 0 <= running <= total(sheet)


typed_text = st.one_of(
    st.none(),
    st.sampled_from(["", " R01 ", "R43", "V01", "1.1", "S1", "张三"]),
    st.text(max_size=4),
)
typed_number = st.one_of(
    st.none(), st.floats(allow_nan=True), st.integers(-5, 50), st.sampled_from(["两分", "1.5"])
)
typed_verdict = st.one_of(st.none(), st.sampled_from([*rules.VERDICTS, "优秀", " 符合 "]))
typed_answer = st.one_of(st.none(), st.booleans(), st.sampled_from(["是", "否", "也许", 2]))


def typed_rows(**columns: st.SearchStrategy[object]) -> st.SearchStrategy[pd.DataFrame]:
    """Tables as a person might type them: right columns, any values."""
    row = st.fixed_dictionaries(columns)
    return st.lists(row, max_size=8).map(lambda rows: pd.DataFrame(rows, columns=list(columns)))


@given(
    typed_rows(member=typed_text, item_id=typed_text, verdict=typed_verdict, points=typed_number),
    typed_rows(member=typed_text, veto_id=typed_text, found=typed_answer),
)
def test_ren07_any_typed_sheet_is_accepted_or_refused_with_a_problems_table(
    sheet: pd.DataFrame, veto: pd.DataFrame
) -> None:
    try:
        scoring.validate_renewal_sheet(RUBRIC, sheet, veto)
    except SheetInvalid as refused:
        assert not refused.problems.empty
        assert refused.problems["规则"].isin(["REN-04", "REN-06", "REN-07"]).all()


@given(scoring.SelectionSheetTable.strategy(size=6))
def test_sel04_any_schema_valid_checklist_is_judged_or_refused_with_a_problems_table(
    sheet: pd.DataFrame,
) -> None:
    try:
        verdict = scoring.evaluate_selection(SELECTION, sheet)
    except SheetInvalid as refused:
        assert refused.problems["代码"].notna().all()
    else:
        assert verdict.eligible == (not verdict.unmet)


# --- the plain-Python fast path agrees with the pandera path (issue #17) -------------------

VETO_IDS = list(RUBRIC.veto_items.veto_id)


def veto_of(found: dict[str, bool], member: str = "张三") -> pd.DataFrame:
    rows = [(member, veto_id, hit) for veto_id, hit in found.items()]
    return pd.DataFrame(rows, columns=["member", "veto_id", "found"])


veto_answers = st.fixed_dictionaries({v: st.booleans() for v in VETO_IDS})


@given(st.lists(st.tuples(scores(), veto_answers), min_size=1, max_size=4))
def test_ren06_ren07_plainly_valid_sheets_read_the_same_as_through_pandera(
    group: list[tuple[Scores, dict[str, bool]]],
) -> None:
    members = [f"成员{i}" for i in range(len(group))]
    sheets = [sheet_of(marks, m) for (marks, _), m in zip(group, members, strict=True)]
    vetoes = [veto_of(found, m) for (_, found), m in zip(group, members, strict=True)]

    plain = renewal_scoring._plainly_valid(RUBRIC, sheets, vetoes)
    full = renewal_scoring._fully_validated(RUBRIC, sheets, vetoes)

    assert plain is not None
    pd.testing.assert_frame_equal(plain[0], full[0])
    assert full[1] is not None and plain[1] is not None
    pd.testing.assert_frame_equal(plain[1], full[1])


@given(
    typed_rows(member=typed_text, item_id=typed_text, verdict=typed_verdict, points=typed_number),
    typed_rows(member=typed_text, veto_id=typed_text, found=typed_answer),
)
def test_ren07_the_fast_path_accepts_only_what_pandera_accepts(
    sheet: pd.DataFrame, veto: pd.DataFrame
) -> None:
    plain = renewal_scoring._plainly_valid(RUBRIC, sheet, veto)
    try:
        full = renewal_scoring._fully_validated(RUBRIC, sheet, veto)
    except SheetInvalid:
        assert plain is None
    else:
        if plain is not None:
            pd.testing.assert_frame_equal(plain[0], full[0])


@given(
    st.lists(
        st.fixed_dictionaries(
            {sub: st.booleans() for sub in SELECTION.conditions.sub_id},
        ),
        min_size=rules.PANEL_MIN - 1,
        max_size=rules.PANEL_MAX + 1,
    ),
    st.sampled_from([None, [], ["P1"], ["P1", "P2"]]),
    st.sampled_from([None, float("nan")]),
)
def test_sel03_sel04_plainly_valid_checklists_are_judged_as_through_pandera(
    panel: list[dict[str, bool]], projects: list[str] | None, blank: object
) -> None:
    sheets = [
        pd.DataFrame(
            [(f"成员{i}", sub, met, "", blank) for sub, met in ticks.items()],
            columns=["member", "sub_id", "met", "note", "project_code"],
        )
        for i, ticks in enumerate(panel)
    ]
    conditions, _ = selection_scoring._conditions(SELECTION, None)
    split = set(SELECTION.per_project)
    plain = selection_scoring._plainly_valid(sheets, conditions, split, projects)
    try:
        full = selection_scoring._checked(sheets, conditions, split, projects, [])
    except SheetInvalid:
        assert plain is None  # SEL-03: a panel of the wrong size
        return
    assert plain is not None
    assert plain[1:] == full[1:]
    shown = plain[0].assign(project_code=plain[0]["project_code"].astype("str"))
    pd.testing.assert_frame_equal(shown.astype({"met": bool}), full[0].astype({"met": bool}))
