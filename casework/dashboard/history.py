"""An institution's whole history (机构档案) and who may read it.

The history joins the institution's applications, each filing's dated timeline (filing, scope
changes, renewals, incidents, exit steps — :func:`casework.queries.cards.filing_timeline`),
the renewal groups' reports (Attachment 6) and the documents filed against any of them.
A city role may open only institutions of its own city (SUP-01); a request for another is
refused and logged.
"""

from __future__ import annotations

from typing import Any

import pandas as pd
import pandera.pandas as pa
from pandera.typing import DataFrame, Series
from sqlalchemy import ColumnElement, exists, func, or_, select

from casework.dashboard.filters import check_viewer
from casework.errors import NotFound, PermissionDenied
from casework.queries.cards import filing_timeline
from casework.registry.actors import PROVINCE, Actor
from casework.registry.uow import log_refusal
from casework.store.engine import Store
from casework.store.tables import (
    application_projects,
    applications,
    cities,
    documents,
    exit_cases,
    filings,
    incidents,
    institutions,
    projects,
    renewal_cases,
)

SEARCH_LIMIT = 30


class HistoryTable(pa.DataFrameModel):
    """An institution's dated events, oldest first."""

    date: Series[pd.Timestamp]
    event: Series[str]
    detail: Series[str]
    rule_id: Series[str]
    recorded_by: Series[str]

    class Config:
        strict = True
        coerce = True


HISTORY_HEADERS = {
    "date": "日期",
    "event": "事项",
    "detail": "内容",
    "rule_id": "规则",
    "recorded_by": "登记人",
}


def _in_city(city_code: str) -> ColumnElement[bool]:
    """An institution registered in the city, or filed there."""
    return or_(
        institutions.c.city_code == city_code,
        exists().where(
            filings.c.institution_id == institutions.c.id, filings.c.city_code == city_code
        ),
    )


def check_institution(store: Store, actor: Actor, institution_id: int) -> None:
    """Raise unless ``actor`` may read this institution's history (refusals are logged)."""
    check_viewer(store, actor)
    q = select(institutions.c.id).where(institutions.c.id == institution_id)
    with store.read() as conn:
        if conn.execute(q).first() is None:
            raise NotFound(f"未找到考核机构（编号{institution_id}）")
        if actor.role == PROVINCE:
            return
        mine = conn.execute(q.where(_in_city(str(actor.city_code)))).first() is not None
    if not mine:
        log_refusal(
            store,
            actor,
            "查看机构档案",
            f"界面：请求查看其他城市的考核机构（编号{institution_id}），已拒绝（SUP-01）",
        )
        raise PermissionDenied(f"{actor.label}只能查看本市考核机构的档案（SUP-01）")


def search_institutions(store: Store, actor: Actor, text: str) -> pd.DataFrame:
    """Institutions in ``actor``'s scope whose name, credit code or filing code contains
    ``text`` (at most :data:`SEARCH_LIMIT`): institution_id, name, city, codes."""
    check_viewer(store, actor)
    codes = (
        select(filings.c.institution_id, func.max(filings.c.code).label("code"))
        .group_by(filings.c.institution_id)
        .subquery()
    )
    pattern = f"%{text.strip()}%"
    q = (
        select(
            institutions.c.id.label("institution_id"),
            institutions.c.name,
            cities.c.name.label("city"),
            func.coalesce(codes.c.code, "未备案").label("code"),
        )
        .join(cities, cities.c.city_code == institutions.c.city_code)
        .outerjoin(codes, codes.c.institution_id == institutions.c.id)
        .where(
            or_(
                institutions.c.name.like(pattern),
                institutions.c.uscc.like(pattern),
                codes.c.code.like(pattern),
            )
        )
        .order_by(institutions.c.city_code, institutions.c.name)
        .limit(SEARCH_LIMIT)
    )
    if actor.role != PROVINCE:
        q = q.where(_in_city(str(actor.city_code)))
    with store.read() as conn:
        return pd.read_sql(q, conn)


def _application_events(store: Store, institution_id: int) -> pd.DataFrame:
    q = select(
        applications.c.id,
        applications.c.kind,
        applications.c.submitted_on,
        applications.c.status,
        applications.c.decided_on,
        applications.c.decision_note,
    ).where(applications.c.institution_id == institution_id)
    pq = (
        select(application_projects.c.application_id, projects.c.name)
        .join(projects, projects.c.project_code == application_projects.c.project_code)
        .join(applications, applications.c.id == application_projects.c.application_id)
        .where(applications.c.institution_id == institution_id)
        .order_by(projects.c.name)
    )
    with store.read() as conn:
        apps = pd.read_sql(q, conn)
        names = pd.read_sql(pq, conn).groupby("application_id")["name"].agg("、".join)
    listed = apps["id"].map(names).fillna("").astype(str)
    submitted = pd.DataFrame(
        {
            "date": apps["submitted_on"],
            "event": "提交备案申请（" + apps["kind"] + "）",
            "detail": "申请项目：" + listed,
            "rule_id": "SEL-02",
        }
    )
    done = apps[apps["decided_on"].notna()]
    decided = pd.DataFrame(
        {
            "date": done["decided_on"],
            "event": "遴选评估结论",
            "detail": "申请状态："
            + done["status"]
            + "　"
            + done["decision_note"].fillna("").astype(str),
            "rule_id": "SEL-04",
        }
    )
    return pd.concat([submitted, decided], ignore_index=True)


def _reports_and_documents(
    store: Store, institution_id: int, filing_ids: list[int]
) -> pd.DataFrame:
    reports_q = select(
        renewal_cases.c.decided_on.label("date"), renewal_cases.c.opinion.label("detail")
    ).where(
        renewal_cases.c.filing_id.in_(filing_ids),
        renewal_cases.c.decided_on.is_not(None),
        renewal_cases.c.opinion != "",
    )
    owners: dict[str, Any] = {
        "institution": [institution_id],
        "filing": filing_ids,
        "application": select(applications.c.id).where(
            applications.c.institution_id == institution_id
        ),
        "renewal": select(renewal_cases.c.id).where(renewal_cases.c.filing_id.in_(filing_ids)),
        "exit_case": select(exit_cases.c.id).where(exit_cases.c.filing_id.in_(filing_ids)),
        "incident": select(incidents.c.id).where(incidents.c.institution_id == institution_id),
    }
    docs_q = select(
        documents.c.created_at.label("date"),
        documents.c.kind,
        documents.c.filename,
        documents.c.created_by,
    ).where(
        or_(
            *(
                documents.c.entity.in_((name, f"{name}s")) & documents.c.entity_id.in_(ids)
                for name, ids in owners.items()
            )
        )
    )
    with store.read() as conn:
        reports = pd.read_sql(reports_q, conn)
        docs = pd.read_sql(docs_q, conn)
    reports = reports.assign(event="评估组意见反馈表（附件6）归档", rule_id="REN-04")
    docs = pd.DataFrame(
        {
            "date": pd.to_datetime(docs["date"]).dt.normalize(),
            "event": "归档文件：" + docs["kind"],
            "detail": docs["filename"],
            "rule_id": "",
            "recorded_by": docs["created_by"],
        }
    )
    return pd.concat([reports, docs], ignore_index=True)


@pa.check_types
def institution_history(store: Store, institution_id: int) -> DataFrame[HistoryTable]:
    """Everything dated about an institution, oldest first (NotFound if unknown)."""
    with store.read() as conn:
        found = conn.execute(
            select(institutions.c.id).where(institutions.c.id == institution_id)
        ).first()
        filing_ids = [
            int(i)
            for i in conn.execute(
                select(filings.c.id)
                .where(filings.c.institution_id == institution_id)
                .order_by(filings.c.id)
            ).scalars()
        ]
    if found is None:
        raise NotFound(f"未找到考核机构（编号{institution_id}）")
    parts = [
        _application_events(store, institution_id),
        *(filing_timeline(store, fid) for fid in filing_ids),
        _reports_and_documents(store, institution_id, filing_ids),
    ]
    filled = [p for p in parts if not p.empty]
    frame = pd.concat(filled, ignore_index=True) if filled else pd.DataFrame()
    frame = frame.reindex(columns=list(HISTORY_HEADERS))
    for col in ("event", "detail", "rule_id", "recorded_by"):
        frame[col] = frame[col].astype(object).fillna("").astype(str)
    frame["date"] = pd.to_datetime(frame["date"])
    # an incident after a second filing shows in both filings' timelines: keep it once
    frame = frame.drop_duplicates(subset=["date", "event", "detail"])
    return DataFrame[HistoryTable](frame.sort_values("date", kind="stable").reset_index(drop=True))
