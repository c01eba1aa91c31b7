"""An institution's whole history (机构档案) and who may read it.

The history joins the institution's applications, each filing's dated timeline (filing, scope
changes, renewals, incidents, exit steps — :func:`casework.queries.cards.filing_timeline`),
the renewal groups' reports (Attachment 6) and the documents filed against any of them.
A city role may open only institutions of its own city (SUP-01); a request for another is
refused and logged.
"""

from __future__ import annotations

import pandas as pd
import pandera.pandas as pa
from pandera.typing import DataFrame, Series

from casework.dashboard.filters import check_viewer
from casework.errors import NotFound, PermissionDenied
from casework.queries.cards import filing_timeline
from casework.queries.history import (
    SEARCH_LIMIT,
    application_rows,
    declined_projects,
    filing_ids_of,
    group_reports,
    institution_documents,
    institution_exists,
    institution_in_city,
    search_institutions_in,
)
from casework.queries.lookup import display_names
from casework.queries.renewal_outcome import bureau_date
from casework.registry.actors import PROVINCE, Actor
from casework.registry.uow import log_refusal
from casework.store.engine import Store

__all__ = [
    "HISTORY_HEADERS",
    "SEARCH_LIMIT",
    "HistoryTable",
    "check_institution",
    "institution_history",
    "search_institutions",
]


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


def check_institution(store: Store, actor: Actor, institution_id: int) -> None:
    """Raise unless ``actor`` may read this institution's history (refusals are logged)."""
    check_viewer(store, actor)
    if not institution_exists(store, institution_id):
        raise NotFound(f"未找到考核机构（编号{institution_id}）")
    if actor.role == PROVINCE:
        return
    if not institution_in_city(store, institution_id, str(actor.city_code)):
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
    city = None if actor.role == PROVINCE else str(actor.city_code)
    return search_institutions_in(store, text, city)


def _application_events(store: Store, institution_id: int) -> pd.DataFrame:
    apps, names = application_rows(store, institution_id)
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
    refused = declined_projects(store, institution_id).to_dict()
    declined = done["id"].map(lambda i: str(refused.get(i, ""))).astype(str)
    decided = pd.DataFrame(
        {
            "date": done["decided_on"],
            "event": "遴选评估结论",
            "detail": "申请状态："
            + done["status"]
            + "　"
            + done["decision_note"].fillna("").astype(str)
            + declined.map(lambda d: f"　不予备案的项目：{d}" if d else "").astype(str),
            "rule_id": "SEL-04",
        }
    )
    return pd.concat([submitted, decided], ignore_index=True)


def _reports_and_documents(
    store: Store, institution_id: int, filing_ids: list[int]
) -> pd.DataFrame:
    reports = group_reports(store, filing_ids)
    docs = institution_documents(store, institution_id, filing_ids)
    reports = reports.assign(event="评估组意见反馈表（附件6）归档", rule_id="REN-04")
    docs = pd.DataFrame(
        {
            # a document's stored UTC timestamp, dated in Asia/Shanghai (issue #13)
            "date": pd.to_datetime(docs["date"].map(bureau_date)),
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
    if not institution_exists(store, institution_id):
        raise NotFound(f"未找到考核机构（编号{institution_id}）")
    filing_ids = filing_ids_of(store, institution_id)
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
    # who recorded it, by name (issue #13: names, never user names, on every page)
    with store.read() as conn:
        names = display_names(conn, (u for u in frame["recorded_by"] if u))
    frame["recorded_by"] = frame["recorded_by"].map(lambda u: names.get(u, u))
    frame["date"] = pd.to_datetime(frame["date"])
    # an incident after a second filing shows in both filings' timelines: keep it once
    frame = frame.drop_duplicates(subset=["date", "event", "detail"])
    return DataFrame[HistoryTable](frame.sort_values("date", kind="stable").reset_index(drop=True))
