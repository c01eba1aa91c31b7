"""ATT1-STAFF from the rosters: who counts, per institution and per project.

- 4.1 / 4.2: at least 2 full-time exam-affairs staff and 2 full-time quality supervisors;
- 4.3: per project at least 3 evaluators holding 高级工（三级） or higher, or an intermediate
  technical title, with 3 years in the trade after it — or a recognised master;
- 4.4: per project at least 2 technical-resource experts;
- 4.5: every full-time person with a labour contract of 1 year or more and social insurance
  paid for 1 year; no part-time person engaged by 3 or more units — checked across the whole
  registry (:func:`part_timers`), naming the units.
"""

from __future__ import annotations

import pandas as pd

from casework.domain import rules
from casework.domain.evidence import findings
from casework.domain.evidence import vocabulary as v

ATT1_STAFF = "ATT1-STAFF"
CONTRACT_MIN_MONTHS = rules.MIN_CONTRACT_YEARS * 12


def qualified_evaluator(staff: pd.DataFrame) -> pd.Series:
    """ATT1-STAFF: an evaluator's qualification (certificate or title, then 3 years; or master)."""
    grade = staff["level"].map(v.CERTIFICATE_GRADES).astype("float64")
    rank = staff["title"].map(v.TITLE_RANKS).astype("float64")
    certified = staff["qualification"].isin(
        (v.VOCATIONAL_QUALIFICATION, v.SKILL_LEVEL_CERTIFICATE)
    ) & (grade <= v.CERTIFICATE_MIN_GRADE)
    titled = rank >= v.TITLE_MIN_RANK
    seasoned = staff["trade_years"].fillna(0) >= rules.EVALUATOR_MIN_TRADE_YEARS
    master = staff["qualification"] == v.MASTER
    return ((certified | titled) & seasoned | master).fillna(False).astype(bool)


def employment_ok(staff: pd.DataFrame) -> pd.Series:
    """ATT1-STAFF: a full-time person's contract (≥ 1 year) and social insurance (≥ 12 months)."""
    contract = staff["contract_months"].astype("Float64").fillna(0) >= CONTRACT_MIN_MONTHS
    insured = staff["insurance_months"].astype("Float64").fillna(0) >= rules.MIN_INSURANCE_MONTHS
    return (contract & insured).astype(bool)


def _credentials(staff: pd.DataFrame) -> pd.Series:
    level = (staff["level"].astype("string") + "证书").fillna("")
    title = (staff["title"].astype("string") + "职称").fillna("")
    master = (staff["qualification"] == v.MASTER).map({True: "技能带头人", False: ""})
    years = staff["trade_years"].round(1).astype("string").str.replace(r"\.0$", "", regex=True)
    years = ("从业" + years + "年").fillna("")
    detail = (level + "，" + title + "，" + master.astype(str) + "，" + years).astype(str)
    detail = detail.str.replace("，+", "，", regex=True).str.strip("，")
    return staff["name"] + "（" + detail.where(detail != "", "无资质信息") + "）"


def _count_rows(
    keys: pd.DataFrame, counted: pd.DataFrame, by: list[str], minimum: int, label: pd.Series
) -> tuple[pd.Series, pd.Series]:
    counts = counted.groupby(by).size()
    listed = findings.names(counted, by, label) if len(counted) else pd.Series(dtype=str)
    index = pd.MultiIndex.from_frame(keys[by]) if len(by) > 1 else pd.Index(keys[by[0]])
    n = counts.reindex(index).fillna(0).astype(int).to_numpy()
    who = listed.reindex(index).astype("string").fillna("无").to_numpy()
    return pd.Series(n >= minimum, index=keys.index), pd.Series(
        [f"{k}人：{w}" for k, w in zip(n, who, strict=True)], index=keys.index
    )


def staff_evidence(
    institutions: pd.DataFrame, staff: pd.DataFrame, applied: pd.DataFrame, part_time: pd.DataFrame
) -> pd.DataFrame:
    """Selection evidence rows for sub-conditions 4.1–4.5 (ATT1-STAFF)."""
    inst = institutions[["institution_id"]].drop_duplicates().assign(project_code="")
    full = staff[staff["employment"] == v.FULL_TIME]
    parts = []
    for sub_id, role, minimum in (
        ("4.1", v.EXAM_AFFAIRS, rules.MIN_EXAM_AFFAIRS_STAFF),
        ("4.2", v.SUPERVISOR, rules.MIN_QUALITY_SUPERVISORS),
    ):
        holders = full[full["role"] == role].drop_duplicates(["institution_id", "id_number"])
        met, text = _count_rows(inst, holders, ["institution_id"], minimum, holders["name"])
        parts.append(findings.rows(inst, sub_id, ATT1_STAFF, met, f"专职{role}人员" + text))
    per_project = applied[["institution_id", "project_code"]].drop_duplicates()
    evaluators = staff[staff["role"] == v.EVALUATOR]
    good = evaluators[qualified_evaluator(evaluators)]
    bad = evaluators[~qualified_evaluator(evaluators)]
    met, text = _count_rows(
        per_project,
        good,
        ["institution_id", "project_code"],
        rules.MIN_EVALUATORS_PER_PROJECT,
        _credentials(good),
    )
    _, lacking = _count_rows(
        per_project, bad, ["institution_id", "project_code"], 0, _credentials(bad)
    )
    text = "符合条件的考评人员" + text + "；不符合条件的" + lacking
    parts.append(findings.rows(per_project, "4.3", ATT1_STAFF, met, text))
    experts = staff[staff["role"] == v.TECH_EXPERT]
    met, text = _count_rows(
        per_project,
        experts,
        ["institution_id", "project_code"],
        rules.MIN_TECH_EXPERTS_PER_PROJECT,
        experts["name"] + "（" + experts["employment"] + "）",
    )
    parts.append(findings.rows(per_project, "4.4", ATT1_STAFF, met, "技术资源建设专家" + text))
    parts.append(_employment_rows(inst, full, part_time))
    return findings.stack(parts, findings.SELECTION_COLUMNS)


def _employment_rows(
    inst: pd.DataFrame, full: pd.DataFrame, part_time: pd.DataFrame
) -> pd.DataFrame:
    people = full.drop_duplicates(["institution_id", "id_number"])
    short = people[~employment_ok(people)]
    shown = (
        short["name"]
        + "（合同"
        + short["contract_months"].astype("string").fillna("未填")
        + "个月，社保"
        + short["insurance_months"].astype("string").fillna("未填")
        + "个月）"
    )
    _, short_text = _count_rows(inst, short, ["institution_id"], 0, shown)
    over = part_time.loc[part_time["flagged"].astype(bool)]
    over_shown = over["name"] + "（" + over["units"] + "）"
    _, over_text = _count_rows(inst, over, ["institution_id"], 0, over_shown)
    met = ~inst["institution_id"].isin(short["institution_id"]) & ~inst["institution_id"].isin(
        over["institution_id"]
    )
    text = (
        "合同或社保不足1年的专职人员"
        + short_text
        + "；与3家及以上单位有供职或聘用关系的兼职人员"
        + over_text
    )
    return findings.rows(inst, "4.5", ATT1_STAFF, met, text)


def part_timers(staff: pd.DataFrame, institutions: pd.DataFrame) -> pd.DataFrame:
    """ATT1-STAFF across the registry: each part-time person's units and whether they are 3+.

    A person's units are every institution whose roster lists them (full- or part-time) and
    the other units they declare; a part-time person with 3 or more is flagged.

    Returns:
        One row per institution and part-time person: ``institution_id``, ``id_number``,
        ``name``, ``units`` (the units named, 、-separated), ``unit_count``, ``flagged``.
    """
    columns = ["institution_id", "id_number", "name", "units", "unit_count", "flagged"]
    if staff.empty:
        return pd.DataFrame({c: pd.Series(dtype=object) for c in columns}).astype({"flagged": bool})
    named = staff.merge(
        institutions[["institution_id", "name"]].rename(columns={"name": "unit"}),
        on="institution_id",
        how="left",
    )
    rostered = named[["id_number", "unit"]].dropna()
    declared = named[["id_number", "other_units"]].dropna()
    declared = declared.assign(unit=declared["other_units"].str.split("、")).explode("unit")[
        ["id_number", "unit"]
    ]
    units = pd.concat([rostered, declared]).drop_duplicates()
    units = units[units["unit"].astype(str).str.strip() != ""]
    listed = units.groupby("id_number")["unit"].agg(lambda s: "、".join(sorted(s)))
    count = units.groupby("id_number").size()
    part = staff[staff["employment"] == v.PART_TIME].drop_duplicates(
        ["institution_id", "id_number"]
    )
    out = part[["institution_id", "id_number", "name"]].copy()
    out["units"] = out["id_number"].map(listed).astype("string").fillna("")
    out["unit_count"] = out["id_number"].map(count).fillna(0).astype(int)
    out["flagged"] = out["unit_count"] > rules.MAX_UNITS_PER_PART_TIMER
    return out.reset_index(drop=True)[columns]
