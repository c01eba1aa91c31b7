"""Read models: the catalog, filings falling due, quota use and open deadlines.

Each query reads the store in SQL and returns a pandera-validated DataFrame; the few
aggregations SQL dialects spell differently are done with vectorised pandas.
"""

from __future__ import annotations

from datetime import date, timedelta

import pandas as pd
import pandera.pandas as pa
from pandera.typing import DataFrame, Series
from sqlalchemy import Connection, and_, func, select

from casework.domain import lifecycle, rules
from casework.domain.calendar import PlanningCalendar
from casework.domain.terms import FilingTerm
from casework.domain.timing import ended_by_date
from casework.queries.timing import latest_renewal_status
from casework.store.engine import Store
from casework.store.tables import (
    cities,
    exit_cases,
    filing_projects,
    filings,
    institutions,
    notices,
    projects,
    quota_overrides,
    renewal_cases,
    renewal_rounds,
)

STATUSES = (lifecycle.ACTIVE, lifecycle.SUSPENDED, lifecycle.TERMINATED)


class CatalogTable(pa.DataFrameModel):
    """考核机构目录: every filing with its status, including 终止备案 and its reason (EXIT-01)."""

    filing_id: Series[int] = pa.Field(unique=True)
    institution: Series[str]
    uscc: Series[str] = pa.Field(str_length=18)
    code: Series[str] = pa.Field(unique=True)
    city_code: Series[str] = pa.Field(str_startswith=rules.REGION_DIVISION_PREFIX)
    city: Series[str]
    projects: Series[str]
    project_count: Series[int] = pa.Field(ge=0)
    term: Series[str] = pa.Field(str_startswith="自")
    term_start: Series[pd.Timestamp]
    term_end: Series[pd.Timestamp]
    status: Series[str] = pa.Field(isin=STATUSES)
    end_reason: Series[str] = pa.Field(isin=("", *lifecycle.END_REASONS))
    ended_on: Series[pd.Timestamp] = pa.Field(nullable=True)

    @pa.dataframe_check(error="终止备案须注明原因（EXIT-01）")
    @classmethod
    def terminated_have_reason(cls, df: pd.DataFrame) -> pd.Series[bool]:
        return (df["status"] != lifecycle.TERMINATED) | (df["end_reason"] != "")

    class Config:
        strict = True
        coerce = True


CATALOG_HEADERS = {
    "institution": "考核机构名称",
    "uscc": "统一社会信用代码",
    "code": "机构代码",
    "city": "备案城市",
    "projects": "考核项目",
    "term": "有效期",
    "status": "备案状态",
    "end_reason": "终止原因",
    "ended_on": "终止日期",
}


@pa.check_types
def catalog(
    store: Store,
    *,
    city_code: str | None = None,
    status: str | None = None,
    on: date | None = None,
) -> DataFrame[CatalogTable]:
    """考核机构目录: one row per filing; terminated filings list the projects they ended with.

    With ``on``, every filing is shown as it stands on that day (EXIT-03): one whose term ended
    before ``on`` is 终止备案 (到期未续, or 续期不合格), ended on its last day, whether or not
    the day-end job has recorded it.
    """
    q = (
        select(
            filings.c.id.label("filing_id"),
            institutions.c.name.label("institution"),
            institutions.c.uscc,
            filings.c.code,
            filings.c.city_code,
            cities.c.name.label("city"),
            filings.c.term_start,
            filings.c.term_end,
            filings.c.status,
            filings.c.end_reason,
            filings.c.ended_on,
        )
        .join(institutions, institutions.c.id == filings.c.institution_id)
        .join(cities, cities.c.city_code == filings.c.city_code)
        .order_by(filings.c.city_code, filings.c.code)
    )
    if city_code:
        q = q.where(filings.c.city_code == city_code)
    scope_q = (
        select(filing_projects.c.filing_id, projects.c.name, filings.c.status)
        .join(projects, projects.c.project_code == filing_projects.c.project_code)
        .join(filings, filings.c.id == filing_projects.c.filing_id)
        .where(
            # live filings: the current scope; ended ones: the scope they ended with
            (filing_projects.c.removed_on.is_(None))
            | (
                and_(
                    filings.c.ended_on.is_not(None),
                    filing_projects.c.removed_on > filings.c.ended_on,
                )
            )
        )
        .order_by(filing_projects.c.filing_id, projects.c.name)
    )
    with store.read() as conn:
        frame = pd.read_sql(q, conn)
        scope = pd.read_sql(scope_q, conn)
        if on is not None:
            frame = as_of(conn, frame, on)
    if status:
        frame = frame[frame["status"] == status].reset_index(drop=True)
    names = scope.groupby("filing_id")["name"].agg("、".join)
    counts = scope.groupby("filing_id")["name"].size()
    frame["projects"] = frame["filing_id"].map(names).fillna("")
    frame["project_count"] = frame["filing_id"].map(counts).fillna(0).astype(int)
    frame["end_reason"] = frame["end_reason"].fillna("")
    frame["term"] = (
        [
            FilingTerm.spanning(s, e).text
            for s, e in zip(
                pd.to_datetime(frame["term_start"]).dt.date,
                pd.to_datetime(frame["term_end"]).dt.date,
                strict=True,
            )
        ]
        if len(frame)
        else []
    )
    for col in ("term_start", "term_end", "ended_on"):
        frame[col] = pd.to_datetime(frame[col])
    columns = list(CatalogTable.to_schema().columns)
    return DataFrame[CatalogTable](frame.reindex(columns=columns))


def as_of(conn: Connection, frame: pd.DataFrame, on: date) -> pd.DataFrame:
    """Filings (rows with filing_id, status, term_end, end_reason, ended_on) as they stand on
    ``on``: a term that ended is an ended filing that day (EXIT-03, domain.timing)."""
    frame = frame.copy()
    for i, row in frame.iterrows():
        term_end = pd.Timestamp(row["term_end"]).date()
        latest = latest_renewal_status(conn, int(row["filing_id"]))
        reason = ended_by_date(row["status"], term_end, on, latest)
        if reason is not None:
            frame.at[i, "status"] = lifecycle.TERMINATED
            frame.at[i, "end_reason"] = reason
            frame.at[i, "ended_on"] = term_end
    return frame


class ExpiringTable(pa.DataFrameModel):
    filing_id: Series[int]
    institution: Series[str]
    code: Series[str]
    city_code: Series[str]
    term_end: Series[pd.Timestamp]
    status: Series[str] = pa.Field(isin=(lifecycle.ACTIVE, lifecycle.SUSPENDED))
    days_left: Series[int]
    renewal_status: Series[str]

    class Config:
        strict = True
        coerce = True


@pa.check_types
def expiring(
    store: Store, *, first: date, last: date, today: date, city_code: str | None = None
) -> DataFrame[ExpiringTable]:
    """Live filings whose term ends between ``first`` and ``last`` (REN-01)."""
    latest = (
        select(renewal_cases.c.filing_id, func.max(renewal_cases.c.id).label("case_id"))
        .group_by(renewal_cases.c.filing_id)
        .subquery()
    )
    q = (
        select(
            filings.c.id.label("filing_id"),
            institutions.c.name.label("institution"),
            filings.c.code,
            filings.c.city_code,
            filings.c.term_end,
            filings.c.status,
            renewal_cases.c.status.label("renewal_status"),
        )
        .join(institutions, institutions.c.id == filings.c.institution_id)
        .outerjoin(latest, latest.c.filing_id == filings.c.id)
        .outerjoin(renewal_cases, renewal_cases.c.id == latest.c.case_id)
        .where(
            filings.c.status.in_((lifecycle.ACTIVE, lifecycle.SUSPENDED)),
            filings.c.term_end >= first,
            filings.c.term_end <= last,
        )
        .order_by(filings.c.term_end)
    )
    if city_code:
        q = q.where(filings.c.city_code == city_code)
    with store.read() as conn:
        frame = pd.read_sql(q, conn)
    frame["term_end"] = pd.to_datetime(frame["term_end"])
    frame["days_left"] = (frame["term_end"] - pd.Timestamp(today)).dt.days.astype(int)
    frame["renewal_status"] = frame["renewal_status"].fillna("未启动")
    return DataFrame[ExpiringTable](frame[list(ExpiringTable.to_schema().columns)])


class QuotaTable(pa.DataFrameModel):
    """SEL-07: institutions per project per city against 5, with any override reasons."""

    city_code: Series[str]
    city: Series[str]
    project_code: Series[str]
    project: Series[str]
    institutions: Series[int] = pa.Field(ge=0)
    limit: Series[int]
    over: Series[bool]
    override_reasons: Series[str]

    class Config:
        strict = True
        coerce = True


@pa.check_types
def quota_use(store: Store, *, city_code: str | None = None) -> DataFrame[QuotaTable]:
    """SEL-07: live filings per project per city; overrides and their reasons shown."""
    live = filings.c.status.in_((lifecycle.ACTIVE, lifecycle.SUSPENDED))
    q = (
        select(
            filings.c.city_code,
            cities.c.name.label("city"),
            filing_projects.c.project_code,
            projects.c.name.label("project"),
            func.count(func.distinct(filings.c.institution_id)).label("institutions"),
        )
        .join(filings, filings.c.id == filing_projects.c.filing_id)
        .join(cities, cities.c.city_code == filings.c.city_code)
        .join(projects, projects.c.project_code == filing_projects.c.project_code)
        .where(live, filing_projects.c.removed_on.is_(None))
        .group_by(
            filings.c.city_code, cities.c.name, filing_projects.c.project_code, projects.c.name
        )
        .order_by(filings.c.city_code, filing_projects.c.project_code)
    )
    oq = select(
        quota_overrides.c.city_code, quota_overrides.c.project_code, quota_overrides.c.reason
    ).where(quota_overrides.c.kind == "项目机构数")
    if city_code:
        q = q.where(filings.c.city_code == city_code)
        oq = oq.where(quota_overrides.c.city_code == city_code)
    with store.read() as conn:
        frame = pd.read_sql(q, conn)
        overrides = pd.read_sql(oq, conn)
    reasons = overrides.groupby(["city_code", "project_code"])["reason"].agg("；".join)
    key = pd.MultiIndex.from_frame(frame[["city_code", "project_code"]])
    frame["override_reasons"] = reasons.reindex(key).fillna("").to_numpy()
    frame["limit"] = rules.MAX_INSTITUTIONS_PER_PROJECT_PER_CITY
    frame["over"] = frame["institutions"] > frame["limit"]
    return DataFrame[QuotaTable](frame[list(QuotaTable.to_schema().columns)])


class InstitutionQuotaTable(pa.DataFrameModel):
    """SEL-07: filed projects per institution against 5."""

    institution_id: Series[int]
    institution: Series[str]
    city_code: Series[str]
    projects: Series[int] = pa.Field(ge=0)
    limit: Series[int]
    over: Series[bool]
    override_reasons: Series[str]

    class Config:
        strict = True
        coerce = True


@pa.check_types
def institution_quota_use(
    store: Store, *, city_code: str | None = None
) -> DataFrame[InstitutionQuotaTable]:
    q = (
        select(
            filings.c.institution_id,
            institutions.c.name.label("institution"),
            filings.c.city_code,
            func.count(filing_projects.c.id).label("projects"),
        )
        .join(filings, filings.c.id == filing_projects.c.filing_id)
        .join(institutions, institutions.c.id == filings.c.institution_id)
        .where(
            filings.c.status.in_((lifecycle.ACTIVE, lifecycle.SUSPENDED)),
            filing_projects.c.removed_on.is_(None),
        )
        .group_by(filings.c.institution_id, institutions.c.name, filings.c.city_code)
    )
    oq = select(quota_overrides.c.institution_id, quota_overrides.c.reason).where(
        quota_overrides.c.kind == "机构项目数"
    )
    if city_code:
        q = q.where(filings.c.city_code == city_code)
    with store.read() as conn:
        frame = pd.read_sql(q, conn)
        overrides = pd.read_sql(oq, conn)
    reasons = overrides.groupby("institution_id")["reason"].agg("；".join)
    frame["override_reasons"] = [reasons.get(i, "") for i in frame["institution_id"]]
    frame["limit"] = rules.MAX_PROJECTS_PER_INSTITUTION
    frame["over"] = frame["projects"] > frame["limit"]
    return DataFrame[InstitutionQuotaTable](frame[list(InstitutionQuotaTable.to_schema().columns)])


class DeadlinesTable(pa.DataFrameModel):
    """Open deadlines with working days left; overdue items have a negative count."""

    kind: Series[str] = pa.Field(isin=("公示期满", "陈述申辩截止", "续期自评截止"))
    city_code: Series[str]
    subject: Series[str]
    case_id: Series[int]
    due: Series[pd.Timestamp]
    workdays_left: Series[int]
    overdue: Series[bool]
    provisional: Series[bool]
    rule_id: Series[str]

    class Config:
        strict = True
        coerce = True


@pa.check_types
def open_deadlines(
    store: Store, *, today: date, city_code: str | None = None
) -> DataFrame[DeadlinesTable]:
    """Notices ending, statements due in violation cases, self-evaluation deadlines.

    Working days left come from the official calendar; where a year's schedule is not yet
    configured the planning calendar's weekends-only estimate is used and flagged provisional.
    """
    nq = select(
        notices.c.id.label("case_id"),
        notices.c.city_code,
        notices.c.title.label("subject"),
        notices.c.ends_on.label("due"),
    ).where(notices.c.status == lifecycle.NOTICE_OPEN)
    sq = (
        select(
            exit_cases.c.id.label("case_id"),
            filings.c.city_code,
            institutions.c.name.label("subject"),
            exit_cases.c.statement_due.label("due"),
        )
        .join(filings, filings.c.id == exit_cases.c.filing_id)
        .join(institutions, institutions.c.id == filings.c.institution_id)
        .where(exit_cases.c.status == lifecycle.VIOLATION_NOTIFIED)
    )
    rq = (
        select(
            renewal_cases.c.id.label("case_id"),
            filings.c.city_code,
            institutions.c.name.label("subject"),
            renewal_rounds.c.deadline.label("due"),
        )
        .join(renewal_rounds, renewal_rounds.c.id == renewal_cases.c.round_id)
        .join(filings, filings.c.id == renewal_cases.c.filing_id)
        .join(institutions, institutions.c.id == filings.c.institution_id)
        .where(renewal_cases.c.status == lifecycle.RENEWAL_AWAITING_SELF)
    )
    parts = []
    with store.read() as conn:
        for kind, query, rule_id in (
            ("公示期满", nq, "SEL-05"),
            ("陈述申辩截止", sq, "EXIT-05"),
            ("续期自评截止", rq, "REN-02"),
        ):
            if city_code:
                query = query.where(query.selected_columns.city_code == city_code)
            part = pd.read_sql(query, conn)
            part["kind"], part["rule_id"] = kind, rule_id
            parts.append(part)
    frame = pd.concat(parts, ignore_index=True)
    planner = PlanningCalendar()
    dues = pd.to_datetime(frame["due"]).dt.date
    # one calendar look-up per distinct due date, not per row
    answers = {
        d: planner.workdays_left(today, d)
        if d >= today
        else planner.count_workdays(d + timedelta(days=1), today)
        for d in set(dues)
    }
    sign = {d: 1 if d >= today else -1 for d in answers}
    frame["workdays_left"] = [sign[d] * answers[d].value for d in dues]
    frame["provisional"] = [answers[d].provisional for d in dues]
    frame["due"] = pd.to_datetime(frame["due"])
    frame["overdue"] = frame["due"] < pd.Timestamp(today)
    frame = frame.sort_values(["due", "kind"]).reset_index(drop=True)
    return DataFrame[DeadlinesTable](frame[list(DeadlinesTable.to_schema().columns)])
