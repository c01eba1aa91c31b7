"""Patterns worth a question, across the whole registry (SUP-02, ATT4-SIGN).

None of these is a finding of fact; each row is a question for the city or the group:

- a large batch whose pass rate is at or near 100 % (SUP-02: 不考试就发证, 滥发证书);
- the same candidate certified by several institutions (SUP-02, Attachment 4 R40 考生身份);
- an evaluator signing in two places on the same day (ATT4-SIGN: signatures not given on site).

The thresholds are casework's, not the notice's; they are named here so a city can see them.
"""

from __future__ import annotations

from typing import Final

import pandas as pd

from casework.domain.evidence.frames import EVALUATOR_COLUMNS

LARGE_BATCH: Final = 30
"""Candidates from which a batch counts as large."""
NEAR_FULL_PASS_RATE: Final = 0.98
"""A pass rate at or above this is "at or near 100 %"."""


def high_pass_rate(batches: pd.DataFrame, results: pd.DataFrame) -> pd.DataFrame:
    """Large batches passing at or near 100 %: institution, batch, candidates, pass rate."""
    g = results.groupby("batch_id")["passed"]
    stats = pd.DataFrame({"candidates": g.size(), "passed": g.sum()})
    stats["pass_rate"] = (stats["passed"] / stats["candidates"]).round(4)
    hit = stats[(stats["candidates"] >= LARGE_BATCH) & (stats["pass_rate"] >= NEAR_FULL_PASS_RATE)]
    cols = ["batch_id", "institution_id", "batch_no", "project_code", "exam_date"]
    out = batches[cols].merge(hit.reset_index(), on="batch_id")
    return (
        out.assign(rule_id="SUP-02")
        .sort_values("pass_rate", ascending=False)
        .reset_index(drop=True)
    )


def multi_institution_candidates(
    certificates: pd.DataFrame, institutions: pd.DataFrame
) -> pd.DataFrame:
    """Candidates holding certificates from two or more institutions (same project flagged)."""
    # Only a number that repeats can hold two institutions: the groups are formed over those
    # rows alone (a province's year holds about a million numbers, nearly all once).
    repeated = certificates[certificates["id_number"].duplicated(keep=False)]
    per = repeated.groupby("id_number")["institution_id"].nunique()
    ids = per[per >= 2].index
    c = repeated[repeated["id_number"].isin(ids)]
    c = c.merge(institutions[["institution_id", "name"]], on="institution_id", how="left")
    if c.empty:
        return pd.DataFrame(
            columns=[
                "id_number",
                "institutions",
                "institution_ids",
                "projects",
                "certificates",
                "same_project",
                "rule_id",
            ]
        )
    g = c.groupby("id_number")
    same = (
        c.groupby(["id_number", "project_code"])["institution_id"]
        .nunique()
        .groupby("id_number")
        .max()
        >= 2
    )
    out = pd.DataFrame(
        {
            "institutions": g["name"].agg(lambda s: "、".join(sorted(set(s.dropna())))),
            "institution_ids": g["institution_id"].agg(lambda s: sorted(set(s))),
            "projects": g["project_code"].agg(lambda s: "、".join(sorted(set(s)))),
            "certificates": g.size(),
            "same_project": same,
        }
    )
    return out.reset_index().assign(rule_id="SUP-02")


def evaluator_clashes(
    batches: pd.DataFrame, results: pd.DataFrame, institutions: pd.DataFrame
) -> pd.DataFrame:
    """Evaluators who signed on the same exam day at two or more places (institution + site).

    Returns one row per evaluator and day: ``evaluator`` (ID number), ``exam_date``, ``places``
    (机构/场地, 、-separated), ``institution_ids`` and ``batches``.
    """
    # Each column is de-duplicated on its own before they are stacked: an evaluator signs many
    # candidates of a batch, so the three columns (a million rows each for a province's year)
    # shrink to a few hundred thousand (batch, evaluator) pairs, and three full columns are
    # never held at once.
    signed = pd.concat(
        [
            results[["batch_id", c]]
            .dropna()
            .drop_duplicates()
            .set_axis(["batch_id", "evaluator"], axis=1)
            for c in EVALUATOR_COLUMNS
        ],
        ignore_index=True,
    )
    signed = signed.drop_duplicates()
    cols = ["batch_id", "institution_id", "site_code", "exam_date", "batch_no"]
    signed = signed.merge(batches[cols], on="batch_id")
    signed["place"] = signed["institution_id"].astype(str) + "/" + signed["site_code"].astype(str)
    places = signed.groupby(["evaluator", "exam_date"])["place"].nunique()
    clashing = places[places >= 2].index
    hit = (
        signed.set_index(["evaluator", "exam_date"])
        .loc[lambda d: d.index.isin(clashing)]
        .reset_index()
    )
    if hit.empty:
        return pd.DataFrame(
            columns=["evaluator", "exam_date", "places", "institution_ids", "batches", "rule_id"]
        )
    hit = hit.merge(institutions[["institution_id", "name"]], on="institution_id", how="left")
    hit["where"] = (
        hit["name"].fillna(hit["institution_id"].astype(str)) + "/" + hit["site_code"].astype(str)
    )
    g = hit.groupby(["evaluator", "exam_date"])
    out = pd.DataFrame(
        {
            "places": g["where"].agg(lambda s: "、".join(sorted(set(s)))),
            "institution_ids": g["institution_id"].agg(lambda s: sorted(set(s))),
            "batches": g["batch_no"].agg(lambda s: "、".join(sorted(set(s)))),
        }
    )
    return out.reset_index().assign(rule_id="ATT4-SIGN")
