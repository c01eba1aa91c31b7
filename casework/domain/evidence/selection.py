"""Evidence for selection (Attachment 1), shown to the panel beside each condition.

Computed from the registry's data on the applicant: its registration (ATT1-REGION, 1.1), its
sites (ATT1-LEASE 2.1; area for 2.2), its rosters (ATT1-STAFF 4.1–4.5, see
:mod:`casework.domain.evidence.staffing`), its question banks (5.1), its past assessment batches
(ATT1-EXPERIENCE 6.2) and its staff's honours (priority condition 8.1).
"""

from __future__ import annotations

from datetime import date

import pandas as pd
import pandera.pandas as pa
from pandera.typing import DataFrame

from casework.domain import rules
from casework.domain.evidence import findings, staffing
from casework.domain.evidence import vocabulary as v
from casework.domain.evidence.findings import SelectionEvidenceTable

DAYS_PER_YEAR = 365.25


def lease_required_end(start: date) -> pd.Timestamp:
    """ATT1-LEASE: from the filing start the lease must run at least 3 years."""
    return pd.Timestamp(start) + pd.DateOffset(years=rules.LEASE_MIN_YEARS) - pd.Timedelta(days=1)


def region_rows(institutions: pd.DataFrame) -> pd.DataFrame:
    """ATT1-REGION (1.1): registered in Shandong — the USCC's division code begins with 37."""
    division = institutions["uscc"].str.slice(2, 8)
    met = division.str.startswith(rules.REGION_DIVISION_PREFIX)
    where = met.map({True: "山东省", False: "非山东省"})
    text = (
        "统一社会信用代码"
        + institutions["uscc"]
        + "，登记管理机关行政区划码"
        + division
        + "（"
        + where
        + "）"
    )
    return findings.rows(institutions.assign(project_code=""), "1.1", "ATT1-REGION", met, text)


def lease_rows(institutions: pd.DataFrame, sites: pd.DataFrame, start: date) -> pd.DataFrame:
    """ATT1-LEASE (2.1): every leased site leased until at least 3 years after the start."""
    inst = institutions[["institution_id"]].drop_duplicates().assign(project_code="")
    need = lease_required_end(start)
    leased = sites["tenure"] == v.LEASED
    short = leased & ~(sites["lease_end"] >= need)
    end = sites["lease_end"].dt.strftime("%Y-%m-%d").fillna("未填")
    label = (
        sites["address"]
        + "（"
        + sites["tenure"]
        + end.where(leased, "").radd("，租期至").where(leased, "")
        + "）"
    )
    listed = findings.names(sites, ["institution_id"], label)
    bad = sites.loc[short, "institution_id"]
    has = inst["institution_id"].isin(sites["institution_id"])
    met = has & ~inst["institution_id"].isin(bad)
    text = (
        f"租赁场地租期应至{need:%Y-%m-%d}（备案开始{start:%Y-%m-%d}起不少于{rules.LEASE_MIN_YEARS}年）；场地："
        + inst["institution_id"].map(listed).astype("string").fillna("未登记场地")
    )
    return findings.rows(inst, "2.1", "ATT1-LEASE", met, text)


def area_rows(
    institutions: pd.DataFrame, sites: pd.DataFrame, applied: pd.DataFrame
) -> pd.DataFrame:
    """2.2: the total area beside the number of projects applied for; the panel judges."""
    inst = institutions[["institution_id"]].drop_duplicates().assign(project_code="")
    area = sites.groupby("institution_id")["area"].sum()
    count = sites.groupby("institution_id").size()
    projects = applied.groupby("institution_id")["project_code"].nunique()
    ids = inst["institution_id"]
    text = (
        "场地"
        + ids.map(count).fillna(0).astype(int).astype(str)
        + "处，总面积"
        + ids.map(area).fillna(0).round(1).astype(str)
        + "平方米；申报项目"
        + ids.map(projects).fillna(0).astype(int).astype(str)
        + "个"
    )
    return findings.rows(inst, "2.2", "ATT1-LEASE", pd.Series(pd.NA, index=inst.index), text)


def bank_rows(applied: pd.DataFrame, banks: pd.DataFrame) -> pd.DataFrame:
    """5.1: each project applied for has a question bank (卷库 sets and 题库 items)."""
    keyed = applied[["institution_id", "project_code"]].drop_duplicates()
    joined = keyed.merge(banks, on=["institution_id", "project_code"], how="left")
    met = (joined["paper_sets"].fillna(0) > 0) & (joined["items"].fillna(0) > 0)
    text = (
        "卷库"
        + joined["paper_sets"].astype("Int64").astype("string")
        + "套，题库"
        + joined["items"].astype("Int64").astype("string")
        + "道"
    ).fillna("未登记题库")
    return findings.rows(joined, "5.1", "SEL-04", met, text)


def experience_rows(applied: pd.DataFrame, batches: pd.DataFrame, start: date) -> pd.DataFrame:
    """ATT1-EXPERIENCE (6.2): 2 years or more of assessment in the project before the start.

    Only assessment batches on record count; none on record leaves the condition to the
    panel's check of the application (NA), it does not fail it.
    """
    keyed = applied[["institution_id", "project_code"]].drop_duplicates()
    before = batches[batches["exam_date"] <= pd.Timestamp(start)]
    g = before.groupby(["institution_id", "project_code"])
    summary = pd.DataFrame({"first": g["exam_date"].min(), "batches": g.size()}).reset_index()
    joined = keyed.merge(summary, on=["institution_id", "project_code"], how="left")
    years = (pd.Timestamp(start) - joined["first"]).dt.days / DAYS_PER_YEAR
    met = (years >= rules.MIN_EXPERIENCE_YEARS).astype("boolean").mask(joined["first"].isna())
    text = (
        "首次考核"
        + joined["first"].dt.strftime("%Y-%m-%d")
        + "，至"
        + f"{start:%Y-%m-%d}"
        + "已"
        + years.round(1).astype(str)
        + "年，共"
        + joined["batches"].astype("Int64").astype("string")
        + "个批次"
    ).fillna("系统中无该项目考核批次记录，请核验申报材料")
    return findings.rows(joined, "6.2", "ATT1-EXPERIENCE", met, text)


def honours_rows(institutions: pd.DataFrame, staff: pd.DataFrame) -> pd.DataFrame:
    """8.1 (priority): evaluators or experts with honours such as 齐鲁工匠."""
    inst = institutions[["institution_id"]].drop_duplicates().assign(project_code="")
    honoured = staff[staff["honours"].notna() & (staff["honours"].astype(str).str.strip() != "")]
    honoured = honoured.drop_duplicates(["institution_id", "id_number"])
    listed = findings.names(
        honoured, ["institution_id"], honoured["name"] + "（" + honoured["honours"] + "）"
    )
    has = inst["institution_id"].isin(honoured["institution_id"])
    text = inst["institution_id"].map(listed).astype("string").fillna("花名册中无荣誉称号记录")
    return findings.rows(inst, "8.1", "SEL-04", has.astype("boolean").where(has, pd.NA), text)


@pa.check_types
def selection_evidence(
    institutions: pd.DataFrame,
    staff: pd.DataFrame,
    sites: pd.DataFrame,
    banks: pd.DataFrame,
    batches: pd.DataFrame,
    applied: pd.DataFrame,
    *,
    start: date,
    registry_staff: pd.DataFrame | None = None,
    registry_institutions: pd.DataFrame | None = None,
) -> DataFrame[SelectionEvidenceTable]:
    """Evidence beside each Attachment 1 condition for the institutions in ``institutions``.

    Args:
        institutions, staff, sites, banks, batches: frames of
            :mod:`casework.domain.evidence.frames` for the applicants.
        applied: ``institution_id``, ``project_code`` — the projects each one applies for.
        start: the intended filing start (ATT1-LEASE counts 3 years from it; ATT1-EXPERIENCE
            counts 2 years up to it).
        registry_staff, registry_institutions: the whole registry, for the part-timer check
            (ATT1-STAFF); default the applicants' own frames.
    """
    everyone = staff if registry_staff is None else registry_staff
    units = institutions if registry_institutions is None else registry_institutions
    part_time = staffing.part_timers(everyone, units)
    part_time = part_time[part_time["institution_id"].isin(institutions["institution_id"])]
    parts = [
        region_rows(institutions),
        lease_rows(institutions, sites, start),
        area_rows(institutions, sites, applied),
        staffing.staff_evidence(institutions, staff, applied, part_time),
        bank_rows(applied, banks),
        experience_rows(applied, batches, start),
        honours_rows(institutions, staff),
    ]
    out = findings.stack(parts, findings.SELECTION_COLUMNS)
    order = out["sub_id"].str.split(".", expand=True).astype(int) if len(out) else None
    if order is not None:
        out = out.assign(_a=order[0], _b=order[1]).sort_values(
            ["institution_id", "_a", "_b", "project_code"]
        )
        out = out.drop(columns=["_a", "_b"]).reset_index(drop=True)
    return DataFrame[SelectionEvidenceTable](out)


def beside_conditions(conditions: pd.DataFrame, evidence: pd.DataFrame) -> pd.DataFrame:
    """The rubric's conditions (``sub_id``, ``text`` …) with the evidence joined beside them."""
    return conditions.merge(evidence, on="sub_id", how="left")
