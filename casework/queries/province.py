"""Read side of the province's part: reports to the province (SEL-08, REN-08), catalog
editions (SEL-09) and the city's local project list history (SEL-10)."""

from __future__ import annotations

import csv
import html
import io
import json
from dataclasses import dataclass
from datetime import date
from typing import Any

import pandas as pd
from sqlalchemy import Connection, select

from casework.domain import lifecycle
from casework.errors import NotFound
from casework.store.engine import Store
from casework.store.tables import (
    catalog_editions,
    cities,
    city_project_changes,
    city_projects,
    filing_projects,
    filings,
    institutions,
    projects,
    province_reports,
    users,
)

INCLUDE, EXCLUDE = "纳入", "移出"
"""How a city changes its local project list (SEL-10)."""

EDITION_COLUMNS = {
    "code": "机构代码",
    "institution": "考核机构名称",
    "uscc": "统一社会信用代码",
    "city": "备案城市",
    "projects": "考核项目",
    "term_start": "有效期起",
    "term_end": "有效期止",
    "status": "备案状态",
    "end_reason": "终止原因",
    "ended_on": "终止日期",
}
CHANGE_COLUMNS = {
    "change": "变化",
    "code": "机构代码",
    "institution": "考核机构名称",
    "city": "备案城市",
    "detail": "说明",
}


@dataclass(frozen=True)
class ProvinceReport:
    """One report of a city to the province (SEL-08, REN-08)."""

    id: int
    city_code: str
    kind: str
    content: tuple[dict[str, Any], ...]
    sent_on: date
    sent_by: str
    acknowledged_on: date | None
    acknowledged_by: str | None
    note: str

    @property
    def institutions(self) -> tuple[str, ...]:
        return tuple(s["institution"] for s in self.content)


def _display_names(store: Store) -> dict[str, str]:
    with store.read() as conn:
        return {u: d or u for u, d in conn.execute(select(users.c.username, users.c.display_name))}


def province_reports_of(store: Store, city_code: str | None = None) -> list[ProvinceReport]:
    """Reports to the province, newest first; a city's only when ``city_code`` is given."""
    q = select(province_reports).order_by(province_reports.c.id.desc())
    if city_code is not None:
        q = q.where(province_reports.c.city_code == city_code)
    names = _display_names(store)
    with store.read() as conn:
        rows = conn.execute(q).mappings().all()
    return [
        ProvinceReport(
            id=r["id"],
            city_code=r["city_code"],
            kind=r["kind"],
            content=tuple(r["content"]),
            sent_on=r["sent_on"],
            sent_by=names.get(r["sent_by"], r["sent_by"]),
            acknowledged_on=r["acknowledged_on"],
            acknowledged_by=(
                names.get(r["acknowledged_by"], r["acknowledged_by"])
                if r["acknowledged_by"]
                else None
            ),
            note=r["note"],
        )
        for r in rows
    ]


def reported_applications(store: Store, city_code: str) -> set[int]:
    """Application ids of the city already reported to the province (SEL-08)."""
    return {
        int(s["application_id"])
        for report in province_reports_of(store, city_code)
        for s in report.content
        if "application_id" in s
    }


@dataclass(frozen=True)
class CatalogEdition:
    """One published edition of the catalog of institutions (SEL-09)."""

    number: int
    published_on: date
    published_by: str
    entries: tuple[dict[str, Any], ...]
    changes: tuple[dict[str, Any], ...]
    digest: str
    chain_heads: dict[str, Any] | None = None

    @property
    def title(self) -> str:
        return (
            f"山东省专项职业能力考核机构目录（第{self.number}期，"
            f"{self.published_on.year}年{self.published_on.month}月{self.published_on.day}日）"
        )


def catalog_editions_list(store: Store) -> pd.DataFrame:
    """Every edition: number, date, publisher, counts — newest first."""
    names = _display_names(store)
    with store.read() as conn:
        rows = conn.execute(
            select(catalog_editions).order_by(catalog_editions.c.id.desc())
        ).mappings()
        data = [
            {
                "期数": r["id"],
                "发布日期": r["published_on"],
                "发布人": names.get(r["published_by"], r["published_by"]),
                "机构数": len(r["entries"]),
                "变化数": len(r["changes"]),
                "摘要": r["digest"][:16],
            }
            for r in rows
        ]
    return pd.DataFrame(data, columns=["期数", "发布日期", "发布人", "机构数", "变化数", "摘要"])


def catalog_edition(store: Store, number: int | None = None) -> CatalogEdition:
    """One edition (the newest when ``number`` is None); NotFound when there is none."""
    q = select(catalog_editions)
    q = (
        q.order_by(catalog_editions.c.id.desc()).limit(1)
        if number is None
        else q.where(catalog_editions.c.id == number)
    )
    with store.read() as conn:
        row = conn.execute(q).mappings().first()
    if row is None:
        raise NotFound("尚未发布考核机构目录" if number is None else f"未找到第{number}期目录")
    names = _display_names(store)
    return CatalogEdition(
        number=row["id"],
        published_on=row["published_on"],
        published_by=names.get(row["published_by"], row["published_by"]),
        entries=tuple(row["entries"]),
        changes=tuple(row["changes"]),
        digest=row["digest"],
        chain_heads=row["chain_heads"],
    )


def _entry_frame(edition: CatalogEdition) -> pd.DataFrame:
    frame = pd.DataFrame(list(edition.entries), columns=[*EDITION_COLUMNS, "filing_id"])
    frame["projects"] = frame["projects"].map(lambda p: "、".join(p) if p else "")
    return frame[list(EDITION_COLUMNS)].rename(columns=EDITION_COLUMNS)


def _change_frame(edition: CatalogEdition) -> pd.DataFrame:
    frame = pd.DataFrame(list(edition.changes), columns=[*CHANGE_COLUMNS, "filing_id"])
    return frame[list(CHANGE_COLUMNS)].rename(columns=CHANGE_COLUMNS)


def _safe_cell(value: Any) -> Any:
    """Spreadsheet cells never start a formula (OWASP CSV injection)."""
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + value
    return value


def edition_export(edition: CatalogEdition, fmt: str) -> bytes:
    """An edition as json (for a website), csv, xlsx (目录 and 变化 sheets) or one static page."""
    if fmt == "json":
        body = {
            "title": edition.title,
            "edition": edition.number,
            "published_on": edition.published_on.isoformat(),
            "digest_sha256": edition.digest,
            "chain_heads": edition.chain_heads,
            "institutions": list(edition.entries),
            "changes": list(edition.changes),
        }
        return json.dumps(body, ensure_ascii=False, indent=1).encode("utf-8")
    entries, changes = _entry_frame(edition), _change_frame(edition)
    if fmt == "csv":
        out = io.StringIO()
        entries.map(_safe_cell).to_csv(out, index=False, quoting=csv.QUOTE_MINIMAL)
        return out.getvalue().encode("utf-8-sig")
    if fmt == "xlsx":
        buf = io.BytesIO()
        with pd.ExcelWriter(buf, engine="openpyxl") as xl:
            entries.map(_safe_cell).to_excel(xl, sheet_name="目录", index=False)
            changes.map(_safe_cell).to_excel(xl, sheet_name="本期变化", index=False)
        return buf.getvalue()
    if fmt == "html":
        title = html.escape(edition.title)
        return (
            "<!doctype html><html lang='zh-CN'><head><meta charset='utf-8'>"
            f"<title>{title}</title></head><body><h1>{title}</h1>"
            f"<p>发布日期：{edition.published_on.isoformat()}　SHA-256：{edition.digest}</p>"
            f"<h2>本期变化</h2>{changes.to_html(index=False, escape=True, na_rep='')}"
            f"<h2>目录</h2>{entries.to_html(index=False, escape=True, na_rep='')}"
            "</body></html>"
        ).encode()
    raise ValueError(f"不支持的格式：{fmt}（json、csv、xlsx、html）")


def city_project_history(store: Store, city_code: str) -> pd.DataFrame:
    """SEL-10: every change of the city's local project list, oldest first."""
    names = _display_names(store)
    with store.read() as conn:
        project_names = dict(conn.execute(select(projects.c.project_code, projects.c.name)).all())
        rows = conn.execute(
            select(city_project_changes)
            .where(city_project_changes.c.city_code == city_code)
            .order_by(city_project_changes.c.effective_on, city_project_changes.c.id)
        ).mappings()
        data = [
            {
                "生效日期": r["effective_on"],
                "项目": project_names.get(r["project_code"], r["project_code"]),
                "调整": r["change"],
                "理由": r["reason"],
                "经办人": names.get(r["recorded_by"], r["recorded_by"]),
            }
            for r in rows
        ]
    return pd.DataFrame(data, columns=["生效日期", "项目", "调整", "理由", "经办人"])


def applications_to_report(store: Store, city_code: str) -> pd.DataFrame:
    """SEL-08: the city's applications whose notice ended without objection and that are not
    yet reported to the province (new filings and scope additions alike)."""
    from casework.domain import lifecycle
    from casework.queries.notices import city_applications

    frame = city_applications(store, city_code, [lifecycle.APPLICATION_CLEARED])
    done = reported_applications(store, city_code)
    return frame[~frame["application_id"].isin(done)].reset_index(drop=True)


def renewals_to_report(store: Store, city_code: str) -> pd.DataFrame:
    """REN-08: the city's decided renewal cases not yet reported: renewal_id, institution,
    code, status, decided_on."""
    from casework.domain import lifecycle
    from casework.store.tables import filings, institutions, renewal_cases

    done = {
        int(s["renewal_id"])
        for report in province_reports_of(store, city_code)
        for s in report.content
        if "renewal_id" in s
    }
    q = (
        select(
            renewal_cases.c.id.label("renewal_id"),
            institutions.c.name.label("institution"),
            filings.c.code,
            renewal_cases.c.status,
            renewal_cases.c.decided_on,
        )
        .join(filings, filings.c.id == renewal_cases.c.filing_id)
        .join(institutions, institutions.c.id == filings.c.institution_id)
        .where(
            filings.c.city_code == city_code,
            renewal_cases.c.status.in_((lifecycle.RENEWAL_PASSED, lifecycle.RENEWAL_FAILED)),
        )
        .order_by(renewal_cases.c.id)
    )
    with store.read() as conn:
        frame = pd.read_sql(q, conn)
    return frame[~frame["renewal_id"].isin(done)].reset_index(drop=True)


def city_projects_today(store: Store, city_code: str, on: date) -> pd.DataFrame:
    """SEL-10: the city's local project list on ``on``: project_code, name."""
    with store.read() as conn:
        codes = sorted(city_projects_in(conn, city_code, on))
        names = dict(conn.execute(select(projects.c.project_code, projects.c.name)).all())
    return pd.DataFrame(
        [{"project_code": c, "name": names.get(c, c)} for c in codes],
        columns=["project_code", "name"],
    )


def city_projects_in(conn: Connection, city_code: str, on: date) -> set[str]:
    """SEL-10: the city's local project list on a date — the projects chosen for that year,
    then every dated change up to that day (the latest change of a project wins)."""
    chosen = set(
        conn.execute(
            select(city_projects.c.project_code).where(
                city_projects.c.city_code == city_code, city_projects.c.year == on.year
            )
        ).scalars()
    )
    changes = conn.execute(
        select(city_project_changes)
        .where(
            city_project_changes.c.city_code == city_code,
            city_project_changes.c.effective_on <= on,
        )
        .order_by(city_project_changes.c.effective_on, city_project_changes.c.id)
    ).mappings()
    for change in changes:
        if change["change"] == INCLUDE:
            chosen.add(change["project_code"])
        else:
            chosen.discard(change["project_code"])
    return chosen


def catalog_entries_in(conn: Connection, on: date) -> list[dict[str, Any]]:
    """Every filing made by ``on`` as the province lists it: institution, code, city, projects
    in scope that day, term, status, end reason."""
    names = dict(conn.execute(select(projects.c.project_code, projects.c.name)).all())
    city_names = dict(conn.execute(select(cities.c.city_code, cities.c.name)).all())
    scope: dict[int, list[str]] = {}
    for row in conn.execute(
        select(filing_projects)
        .where(
            filing_projects.c.added_on <= on,
            (filing_projects.c.removed_on.is_(None)) | (filing_projects.c.removed_on > on),
        )
        .order_by(filing_projects.c.project_code)
    ).mappings():
        scope.setdefault(row["filing_id"], []).append(names.get(row["project_code"], ""))
    # Why a project left a filing's scope (SEL-09: an edition says a renewal drop, REN-05).
    removed: dict[int, dict[str, str]] = {}
    for row in conn.execute(
        select(filing_projects)
        .where(filing_projects.c.removed_on.is_not(None), filing_projects.c.removed_on <= on)
        .order_by(filing_projects.c.id)
    ).mappings():
        name = names.get(row["project_code"], "")
        removed.setdefault(row["filing_id"], {})[name] = row["removal_reason"] or ""
    rows = conn.execute(
        select(filings, institutions.c.name.label("institution"), institutions.c.uscc)
        .join(institutions, institutions.c.id == filings.c.institution_id)
        .where(filings.c.filed_on <= on)
        .order_by(filings.c.city_code, filings.c.code)
    ).mappings()
    entries = []
    for r in rows:
        ended = r["ended_on"] is not None and r["ended_on"] <= on
        entries.append(
            {
                "filing_id": r["id"],
                "code": r["code"],
                "institution": r["institution"],
                "uscc": r["uscc"],
                "city": city_names.get(r["city_code"], r["city_code"]),
                "projects": scope.get(r["id"], []),
                "removed": removed.get(r["id"], {}),
                "term_start": r["term_start"].isoformat(),
                "term_end": r["term_end"].isoformat(),
                "status": lifecycle.TERMINATED if ended else r["status"],
                "end_reason": (r["end_reason"] or "") if ended else "",
                "ended_on": r["ended_on"].isoformat() if ended else "",
            }
        )
    return entries


def preview_changes(store: Store, on: date) -> list[dict[str, Any]]:
    """SEL-09: what a new edition published on ``on`` would list as changed."""
    from casework.domain.catalog_editions import edition_changes

    with store.read() as conn:
        last = conn.execute(
            select(catalog_editions.c.entries).order_by(catalog_editions.c.id.desc()).limit(1)
        ).scalar()
        return edition_changes(last or [], catalog_entries_in(conn, on))


def year_catalog(store: Store, year: int) -> pd.DataFrame:
    """SEL-01: the province's catalog of projects for ``year``: project_code, name."""
    from casework.store.tables import catalog_entries

    with store.read() as conn:
        rows = conn.execute(
            select(projects.c.project_code, projects.c.name)
            .join(catalog_entries, catalog_entries.c.project_code == projects.c.project_code)
            .where(catalog_entries.c.year == year)
            .order_by(projects.c.project_code)
        ).all()
    return pd.DataFrame([tuple(r) for r in rows], columns=["project_code", "name"])


def city_year_projects(store: Store, city_code: str, year: int) -> set[str]:
    """SEL-01: the projects a city chose for ``year`` from the province's catalog."""
    with store.read() as conn:
        return set(
            conn.execute(
                select(city_projects.c.project_code).where(
                    city_projects.c.city_code == city_code, city_projects.c.year == year
                )
            ).scalars()
        )
