"""Suggested Attachment 4 verdicts for the items the data can inform; the expert decides.

Each suggestion names its rule and the evidence behind it. Where the data shows nothing either
way the suggestion is empty (NA) and the evidence says what was found. Items are those of the
renewal rubric ``renewal-2025.1`` (:data:`ITEMS` names the words each must contain, and a test
checks them against the rubric in force).
"""

from __future__ import annotations

from typing import Final

import pandas as pd
import pandera.pandas as pa
from pandera.typing import DataFrame

from casework.domain import rules
from casework.domain.evidence import staffing
from casework.domain.evidence import vocabulary as v
from casework.domain.evidence.findings import SuggestionTable
from casework.domain.evidence.renewal import RenewalReview

PARTIAL_SHARE: Final = 0.10
"""Up to this share of failing batches, candidates or projects suggests 基本符合 rather than
不符合 (casework's suggestion threshold, not the notice's; the expert decides)."""
YES, NO = "是", "否"
ITEMS: Final = {
    "R10": ("ATT1-STAFF", "考评人员"),
    "R11": ("ATT1-STAFF", "督导人员"),
    "R12": ("ATT1-STAFF", "考务人员"),
    "R14": ("SEL-04", "题库建设"),
    "R16": ("ATT4-PLAN", "5个工作日制定考核计划"),
    "R26": ("ATT4-SIGN", "3名考评员签字"),
    "R31": ("ATT5-STATS", "证书数据"),
    "R36": ("ATT4-PUBLISH", "不少于5个工作日"),
    "R38": ("ATT4-SCOPE", "备案考核项目和地域范围"),
    "R39": ("REN-05", "全部开展考核"),
    "R40": ("SUP-02", "考生身份"),
    "V02": ("ATT4-SCOPE", "超出备案范围"),
    "V07": ("ATT4-SCOPE", "异地开展考核"),
    "V09": ("REN-05", "未开展考核"),
}
"""Item → (rule, words of its criterion in the rubric)."""
SHOWN: Final = 5


def graded(failing: pd.Series, total: pd.Series) -> pd.Series:
    """符合 with no failures, 基本符合 up to PARTIAL_SHARE, else 不符合; NA if nothing to judge."""
    share = failing / total.where(total > 0)
    out = pd.Series(rules.VERDICT_NONE, index=failing.index, dtype=object)
    out[share <= PARTIAL_SHARE] = rules.VERDICT_PARTIAL
    out[failing == 0] = rules.VERDICT_FULL
    return out.where(total > 0)


def _examples(frame: pd.DataFrame, column: str) -> pd.Series:
    if frame.empty:
        return pd.Series(dtype=str)
    g = frame.groupby("filing_id")[column]
    return g.agg(
        lambda s: "、".join(map(str, pd.unique(s)[:SHOWN])) + ("等" if s.nunique() > SHOWN else "")
    )


def _per(frame: pd.DataFrame, ids: pd.Index) -> pd.Series:
    return frame.groupby("filing_id").size().reindex(ids).fillna(0).astype(int)


def _row(ids: pd.Index, item: str, suggested: pd.Series, evidence: pd.Series) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "filing_id": ids,
            "item_id": item,
            "rule_id": ITEMS[item][0],
            "suggested": suggested.reindex(ids).astype(object).to_numpy(),
            "evidence": evidence.reindex(ids).astype(str).to_numpy(),
        }
    )


def _staff_rows(
    ids: pd.Index, filings: pd.DataFrame, scope: pd.DataFrame, staff: pd.DataFrame
) -> list[pd.DataFrame]:
    inst = filings.set_index("filing_id")["institution_id"].reindex(ids)
    now = scope[scope["removed_on"].isna()].merge(
        filings[["filing_id", "institution_id"]], on="filing_id"
    )
    ev = staff[(staff["role"] == v.EVALUATOR)]
    good = (
        ev[staffing.qualified_evaluator(ev)]
        .groupby(["institution_id", "project_code"])["id_number"]
        .nunique()
    )
    now["qualified"] = (
        good.reindex(pd.MultiIndex.from_frame(now[["institution_id", "project_code"]]))
        .fillna(0)
        .to_numpy()
        if len(now)
        else []
    )
    short = now[now["qualified"] < rules.MIN_EVALUATORS_PER_PROJECT]
    total = now.groupby("filing_id").size().reindex(ids).fillna(0)
    failing = _per(short, ids)
    listed = _examples(
        short.assign(
            shown=short["project_code"] + "（" + short["qualified"].astype(int).astype(str) + "人）"
        ),
        "shown",
    )
    text = (
        "备案项目"
        + total.astype(int).astype(str)
        + "个，合格考评人员不足3人的项目"
        + failing.astype(str)
        + "个"
        + ("：" + listed.reindex(ids).astype("string")).fillna("")
    )
    out = [_row(ids, "R10", graded(failing, total), text)]
    full = staff[staff["employment"] == v.FULL_TIME].drop_duplicates(
        ["institution_id", "id_number", "role"]
    )
    for item, role, minimum in (
        ("R11", v.SUPERVISOR, rules.MIN_QUALITY_SUPERVISORS),
        ("R12", v.EXAM_AFFAIRS, rules.MIN_EXAM_AFFAIRS_STAFF),
    ):
        holders = full[full["role"] == role]
        n = holders.groupby("institution_id").size().reindex(inst).fillna(0).astype(int).to_numpy()
        ok = (
            holders[staffing.employment_ok(holders)]
            .groupby("institution_id")
            .size()
            .reindex(inst)
            .fillna(0)
            .astype(int)
            .to_numpy()
        )
        suggested = pd.Series(rules.VERDICT_NONE, index=ids, dtype=object)
        suggested[(n >= minimum)] = rules.VERDICT_PARTIAL
        suggested[(ok >= minimum)] = rules.VERDICT_FULL
        text = pd.Series(
            [
                f"专职{role}人员{a}人，其中劳动合同和社保均满1年的{b}人"
                for a, b in zip(n, ok, strict=True)
            ],
            index=ids,
        )
        out.append(_row(ids, item, suggested, text))
    return out


@pa.check_types
def suggest(
    rv: RenewalReview,
    filings: pd.DataFrame,
    scope: pd.DataFrame,
    staff: pd.DataFrame,
    banks: pd.DataFrame,
    *,
    clashes: pd.DataFrame | None = None,
    multi_certified: pd.DataFrame | None = None,
) -> DataFrame[SuggestionTable]:
    """Suggested verdicts (Attachment 4 items) and veto answers for every filing reviewed."""
    ids = pd.Index(filings["filing_id"], name="filing_id")
    inst = filings.set_index("filing_id")["institution_id"].reindex(ids)
    batches = _per(rv.batches, ids)
    candidates = rv.candidates.reindex(ids).fillna(0).astype(int)
    parts = _staff_rows(ids, filings, scope, staff)

    now = scope[scope["removed_on"].isna()][["filing_id", "project_code"]].merge(
        filings[["filing_id", "institution_id"]], on="filing_id"
    )
    with_bank = now.merge(banks, on=["institution_id", "project_code"], how="left")
    missing = with_bank[
        ~((with_bank["paper_sets"].fillna(0) > 0) & (with_bank["items"].fillna(0) > 0))
    ]
    bank_text = with_bank.assign(
        shown=with_bank["project_code"]
        + "：卷库"
        + with_bank["paper_sets"].astype("Int64").astype("string").fillna("0")
        + "套、题库"
        + with_bank["items"].astype("Int64").astype("string").fillna("0")
        + "道"
    )
    r14 = pd.Series(pd.NA, index=ids, dtype=object).mask(_per(missing, ids) > 0, rules.VERDICT_NONE)
    parts.append(
        _row(
            ids,
            "R14",
            r14,
            _examples(bank_text, "shown").reindex(ids).astype("string").fillna("未登记题库"),
        )
    )

    late = _per(rv.plan_late, ids)
    parts.append(
        _row(
            ids,
            "R16",
            graded(late, batches),
            "考核批次"
            + batches.astype(str)
            + "个，考前不足5个工作日制定计划的"
            + late.astype(str)
            + "个"
            + ("：" + _examples(rv.plan_late, "batch_no").reindex(ids).astype("string")).fillna(""),
        )
    )
    unsigned = _per(rv.unsigned, ids)
    clash = pd.Series(0, index=ids)
    if clashes is not None and len(clashes):
        hits = clashes.explode("institution_ids")
        per_inst = hits.groupby("institution_ids").size()
        clash = pd.Series(inst.map(per_inst).fillna(0).astype(int).to_numpy(), index=ids)
    parts.append(
        _row(
            ids,
            "R26",
            graded(unsigned, candidates),
            "考生"
            + candidates.astype(str)
            + "人次，实际操作考核不足3名考评员签字的"
            + unsigned.astype(str)
            + "人次；考评员同日在两地签字"
            + clash.astype(str)
            + "起",
        )
    )
    short = _per(rv.publish_short, ids)
    parts.append(
        _row(
            ids,
            "R36",
            graded(short, batches),
            "考核批次"
            + batches.astype(str)
            + "个，结果公示不足5个工作日或未公示的"
            + short.astype(str)
            + "个"
            + ("：" + _examples(rv.publish_short, "batch_no").reindex(ids).astype("string")).fillna(
                ""
            ),
        )
    )

    scope_rows = rv.out_of_scope
    bad = scope_rows.drop_duplicates(["filing_id", "batch_no"])
    n_bad = _per(bad, ids)
    r38 = (
        pd.Series(rules.VERDICT_FULL, index=ids, dtype=object)
        .where(batches > 0)
        .mask(n_bad > 0, rules.VERDICT_NONE)
    )
    reasons = _examples(
        scope_rows.assign(shown=scope_rows["batch_no"] + "（" + scope_rows["reason"] + "）"),
        "shown",
    )
    susp = _per(rv.suspended_certificates, ids)
    parts.append(
        _row(
            ids,
            "R38",
            r38,
            "超出备案项目、地域或在暂停期间开展的批次"
            + n_bad.astype(str)
            + "个"
            + ("：" + reasons.reindex(ids).astype("string")).fillna("")
            + "；暂停期间发证"
            + susp.astype(str)
            + "张",
        )
    )

    unassessed = _per(rv.unassessed, ids)
    scoped = _per(now, ids)
    r39 = (
        pd.Series(rules.VERDICT_FULL, index=ids, dtype=object)
        .where(scoped > 0)
        .mask(unassessed > 0, rules.VERDICT_NONE)
    )
    parts.append(
        _row(
            ids,
            "R39",
            r39,
            "备案项目"
            + scoped.astype(str)
            + "个，备案期内未开展考核的"
            + unassessed.astype(str)
            + "个"
            + (
                "：" + _examples(rv.unassessed, "project_code").reindex(ids).astype("string")
            ).fillna("")
            + "（REN-05：不予续期）",
        )
    )

    st = (
        rv.stats.groupby("filing_id")[["passed", "certified"]]
        .sum()
        .reindex(ids)
        .fillna(0)
        .astype(int)
    )
    parts.append(
        _row(
            ids,
            "R31",
            pd.Series(pd.NA, index=ids),
            "成绩合格"
            + st["passed"].astype(str)
            + "人次，发证"
            + st["certified"].astype(str)
            + "张",
        )
    )
    multi = pd.Series(0, index=ids)
    if multi_certified is not None and len(multi_certified):
        per_inst = multi_certified.explode("institution_ids").groupby("institution_ids").size()
        multi = pd.Series(inst.map(per_inst).fillna(0).astype(int).to_numpy(), index=ids)
    parts.append(
        _row(
            ids,
            "R40",
            pd.Series(pd.NA, index=ids),
            "在多家机构取证的考生" + multi.astype(str) + "人",
        )
    )

    project_out = _per(
        scope_rows[scope_rows["reason"] == "项目不在备案考核范围内"].drop_duplicates(
            ["filing_id", "batch_no"]
        ),
        ids,
    )
    v02 = pd.Series(pd.NA, index=ids, dtype=object).mask((project_out == 0) & (batches > 0), NO)
    parts.append(
        _row(
            ids,
            "V02",
            v02,
            "超出备案项目开展的批次" + project_out.astype(str) + "个（是否“严重”由评估组判断）",
        )
    )
    away = _per(
        scope_rows[scope_rows["reason"] == "考核场地不在备案所属市"].drop_duplicates(
            ["filing_id", "batch_no"]
        ),
        ids,
    )
    v07 = pd.Series(NO, index=ids, dtype=object).where(batches > 0).mask(away > 0, YES)
    parts.append(_row(ids, "V07", v07, "考核场地不在备案所属市的批次" + away.astype(str) + "个"))
    none = (batches == 0) & (candidates == 0)
    parts.append(
        _row(
            ids,
            "V09",
            pd.Series(NO, index=ids, dtype=object).mask(none, YES),
            "备案期内考核批次" + batches.astype(str) + "个、考生" + candidates.astype(str) + "人次",
        )
    )
    out = pd.concat(parts, ignore_index=True)
    return DataFrame[SuggestionTable](
        out.sort_values(["filing_id", "item_id"]).reset_index(drop=True)
    )


def unknown_items(rubric_items: pd.DataFrame, veto_items: pd.DataFrame) -> list[str]:
    """Items of :data:`ITEMS` whose criterion in the rubric does not contain their words."""
    texts = dict(zip(rubric_items["item_id"], rubric_items["criterion"], strict=True))
    texts |= dict(zip(veto_items["veto_id"], veto_items["text"], strict=True))
    return [item for item, (_, words) in ITEMS.items() if words not in texts.get(item, "")]
