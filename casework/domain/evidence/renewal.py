"""Evidence for renewal (REN-03): what the institution's data shows about its term.

For each filing under review, over its current term up to ``as_of``:

- ATT5-STATS — per project 考核人次 (candidate results), 取证人次 (certificates issued) and
  通过率 (certificates / candidates), for Attachment 5;
- REN-05 — projects in scope with no assessment in the term (not renewed);
- ATT4-PLAN — batches whose plan came less than 5 working days before the exam;
- ATT4-PUBLISH — batches whose results were shown for fewer than 5 working days (or not yet,
  once :data:`PUBLICATION_GRACE_DAYS` have passed since the exam);
- ATT4-SIGN — candidates without three (distinct) evaluator signatures;
- ATT4-SCOPE / EXIT-04 — batches outside the filed projects or city, or held while the filing
  was suspended, and certificates issued while it was.

Whole columns at a time: a million candidate records is one pass of numpy and pandas.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Final

import numpy as np
import pandas as pd

from casework.domain import calendar, rules
from casework.domain.evidence.frames import EVALUATOR_COLUMNS
from casework.domain.evidence.scope import place

PUBLICATION_GRACE_DAYS: Final = 30
"""A batch examined within this many days of ``as_of`` may not have published results yet; it is
not counted as unpublished (casework's allowance, not a figure of the notice)."""


@dataclass(frozen=True)
class RenewalReview:
    """Every renewal finding, each a table carrying ``filing_id``."""

    batches: pd.DataFrame
    """The batches in the reviewed terms, with their placement, lead and publication days."""
    stats: pd.DataFrame
    unassessed: pd.DataFrame
    plan_late: pd.DataFrame
    publish_short: pd.DataFrame
    unsigned: pd.DataFrame
    out_of_scope: pd.DataFrame
    suspended_certificates: pd.DataFrame
    candidates: pd.Series
    """Candidates assessed per filing."""
    provisional_note: str = ""
    """Set when a working-day count used a year whose official schedule is not configured."""


def signatures(results: pd.DataFrame) -> pd.Series:
    """ATT4-SIGN: distinct evaluators who signed each candidate's practical exam."""
    e1, e2, e3 = (results[c] for c in EVALUATOR_COLUMNS)
    n = e1.notna().astype(int)
    n += (e2.notna() & (e2 != e1).fillna(True)).astype(int)
    n += (e3.notna() & (e3 != e1).fillna(True) & (e3 != e2).fillna(True)).astype(int)
    return n


def _workdays(first: pd.Series, last: pd.Series) -> tuple[np.ndarray, str]:
    if not len(first):
        return np.zeros(0, dtype=np.int64), ""
    planned = calendar.planning_calendar().count_workdays_many(first, last)
    return planned.value, (planned.note if planned.provisional else "")


def _windowed(
    filings: pd.DataFrame, frame: pd.DataFrame, column: str, as_of: pd.Timestamp
) -> pd.DataFrame:
    f = filings[["filing_id", "institution_id", "city_code", "term_start", "term_end"]]
    joined = frame.merge(f, on="institution_id")
    end = joined["term_end"].where(joined["term_end"] <= as_of, as_of)
    inside = (joined[column] >= joined["term_start"]) & (joined[column] <= end)
    return joined[inside].assign(window_end=end[inside])


def review(
    filings: pd.DataFrame,
    terms: pd.DataFrame,
    scope: pd.DataFrame,
    suspensions: pd.DataFrame,
    sites: pd.DataFrame,
    batches: pd.DataFrame,
    results: pd.DataFrame,
    certificates: pd.DataFrame,
    *,
    as_of: date | None = None,
) -> RenewalReview:
    """The renewal findings for every filing in ``filings`` (frames of ``evidence.frames``)."""
    cutoff = pd.Timestamp(as_of or date.today())
    fb = _windowed(filings, batches, "exam_date", cutoff).reset_index(drop=True)
    lead, note1 = _workdays(fb["plan_date"], fb["exam_date"] - pd.Timedelta(days=1))
    fb["lead_workdays"] = lead
    published = fb["publish_start"].notna() & fb["publish_end"].notna()
    shown, note2 = _workdays(fb.loc[published, "publish_start"], fb.loc[published, "publish_end"])
    fb["publish_workdays"] = (
        pd.Series(shown, index=fb.index[published]).reindex(fb.index).astype("Int64")
    )
    placed = place(fb.assign(on=fb["exam_date"]), filings, terms, scope, suspensions)[
        ["in_scope", "suspended_then"]
    ]
    fb = pd.concat([fb, placed], axis=1)
    site_city = sites.set_index(["institution_id", "site_code"])["city_code"]
    keys = pd.MultiIndex.from_frame(fb[["institution_id", "site_code"]])
    fb["site_city"] = site_city.reindex(keys).to_numpy() if len(fb) else []

    plan_late = fb[fb["lead_workdays"] < rules.PLAN_LEAD_WORKDAYS]
    due = fb["exam_date"] <= fb["window_end"] - pd.Timedelta(days=PUBLICATION_GRACE_DAYS)
    publish_short = fb[
        (published & (fb["publish_workdays"] < rules.RESULT_PUBLISH_WORKDAYS)) | (~published & due)
    ]

    # A million candidates are not joined to their batches row by row: the unsigned ones (a
    # few) are, and the rest is counted per batch first (ATT5-STATS), so no column of strings
    # is copied to every row.
    per_batch = fb[["batch_id", "filing_id", "batch_no", "project_code"]]
    sig = signatures(results)
    low = sig < rules.SIGNATURES_PER_CANDIDATE
    unsigned = (
        results.loc[low, ["batch_id", "id_number"]]
        .assign(signatures=sig[low].to_numpy())
        .merge(per_batch, on="batch_id")[
            ["filing_id", "batch_no", "project_code", "id_number", "signatures"]
        ]
    )
    counted = (
        results.groupby("batch_id", sort=False)["passed"]
        .agg(["size", "sum"])
        .set_axis(["assessed", "passed"], axis=1)
        .reset_index()
        .merge(per_batch[["batch_id", "filing_id", "project_code"]], on="batch_id")
    )

    certs = _windowed(filings, certificates, "issued_on", cutoff)
    stats = _stats(filings, scope, counted, certs, cutoff)
    in_scope_now = scope[scope["removed_on"].isna()][["filing_id", "project_code"]]
    assessed = stats.set_index(["filing_id", "project_code"])["assessed"]
    now = in_scope_now.merge(filings[["filing_id"]], on="filing_id")
    counts: np.ndarray = (
        assessed.reindex(pd.MultiIndex.from_frame(now)).fillna(0).to_numpy()
        if len(now)
        else np.zeros(0)
    )
    unassessed = now[np.asarray(counts) == 0].reset_index(drop=True)

    out = _out_of_scope(fb)
    s_cert = place(certs.assign(on=certs["issued_on"]), filings, terms, scope, suspensions)
    suspended_certs = certs[s_cert["suspended_then"].to_numpy()] if len(certs) else certs
    return RenewalReview(
        batches=fb,
        stats=stats,
        unassessed=unassessed,
        plan_late=plan_late.reset_index(drop=True),
        publish_short=publish_short.reset_index(drop=True),
        unsigned=unsigned.reset_index(drop=True),
        out_of_scope=out,
        suspended_certificates=suspended_certs[
            ["filing_id", "cert_no", "id_number", "project_code", "issued_on"]
        ].reset_index(drop=True),
        candidates=counted.groupby("filing_id")["assessed"].sum().rename(None),
        provisional_note=note1 or note2,
    )


def _stats(
    filings: pd.DataFrame,
    scope: pd.DataFrame,
    counted: pd.DataFrame,
    certs: pd.DataFrame,
    cutoff: pd.Timestamp,
) -> pd.DataFrame:
    """ATT5-STATS per filing and project: 考核人次, 取证人次, 通过率 (and passes, first exam).

    ``counted``: candidates assessed and passed per batch, with its filing and project.
    """
    f = filings[["filing_id", "term_start", "term_end"]]
    s = scope.merge(f, on="filing_id")
    during = (s["added_on"] <= s["term_end"].where(s["term_end"] <= cutoff, cutoff)) & (
        s["removed_on"].isna() | (s["removed_on"] > s["term_start"])
    )
    keys = pd.concat(
        [
            s.loc[during, ["filing_id", "project_code"]],
            counted[["filing_id", "project_code"]],
            certs[["filing_id", "project_code"]],
        ]
    ).drop_duplicates()
    g = counted.groupby(["filing_id", "project_code"])
    assessed = g["assessed"].sum().rename("assessed")
    passed = g["passed"].sum().rename("passed")
    certified = certs.groupby(["filing_id", "project_code"]).size().rename("certified")
    out = keys.merge(assessed, on=["filing_id", "project_code"], how="left")
    out = out.merge(passed, on=["filing_id", "project_code"], how="left")
    out = out.merge(certified, on=["filing_id", "project_code"], how="left")
    for column in ("assessed", "passed", "certified"):
        out[column] = out[column].fillna(0).astype(int)
    out["pass_rate"] = (out["certified"] / out["assessed"].where(out["assessed"] > 0)).round(4)
    return out.sort_values(["filing_id", "project_code"]).reset_index(drop=True)


def _out_of_scope(fb: pd.DataFrame) -> pd.DataFrame:
    """ATT4-SCOPE / EXIT-04: one row per batch and reason."""
    reasons = [
        (~fb["in_scope"], "项目不在备案考核范围内", "ATT4-SCOPE"),
        (
            fb["site_city"].notna() & (fb["site_city"] != fb["city_code"]),
            "考核场地不在备案所属市",
            "ATT4-SCOPE",
        ),
        (fb["suspended_then"], "备案暂停（立案调查）期间开展考核", "EXIT-04"),
    ]
    parts = [
        fb.loc[
            mask.astype(bool),
            [
                "filing_id",
                "batch_no",
                "project_code",
                "exam_date",
                "site_code",
                "site_city",
                "city_code",
            ],
        ].assign(reason=text, rule_id=rule)
        for mask, text, rule in reasons
    ]
    return pd.concat(parts, ignore_index=True)
