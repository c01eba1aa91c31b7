"""Where dated activity falls against the filings: term, scope, suspension (ATT4-SCOPE, EXIT-04).

One vectorised answer for many rows at once, shared by the import gate (what an institution may
upload, like ``casework.registry.filing.ensure_may_assess``) and the renewal review (what it did).
"""

from __future__ import annotations

import pandas as pd

from casework.domain import lifecycle


def place(
    rows: pd.DataFrame,
    filings: pd.DataFrame,
    terms: pd.DataFrame,
    scope: pd.DataFrame,
    suspensions: pd.DataFrame,
) -> pd.DataFrame:
    """For each row (``institution_id``, ``project_code``, ``on``) the filing whose term covers
    ``on`` and whether the project was in its scope and the filing suspended on that day.

    Args:
        rows: activity to place; its index is kept.
        filings, terms, scope, suspensions: as :mod:`..frames` describes them.

    Returns:
        A frame on ``rows.index`` with ``filing_id`` (NA when no term covers the day),
        ``filing_status`` and ``filing_city`` of that filing, ``in_term``, ``in_scope``,
        ``suspended_then`` (EXIT-04 on that day) and ``suspended_now`` (the institution has a
        filing suspended today).
    """
    r = pd.DataFrame(
        {
            "_row": range(len(rows)),
            "institution_id": rows["institution_id"].to_numpy(),
            "project_code": rows["project_code"].to_numpy(),
            "on": pd.to_datetime(rows["on"]).to_numpy(),
        }
    )
    f = filings[["filing_id", "institution_id", "status", "city_code"]]
    spans = r.merge(f, on="institution_id").merge(terms, on="filing_id")
    spans = spans[(spans["first_day"] <= spans["on"]) & (spans["on"] <= spans["last_day"])]
    covering = spans.drop_duplicates("_row").set_index("_row")
    out = pd.DataFrame(index=pd.RangeIndex(len(rows)))
    out["filing_id"] = covering["filing_id"].reindex(out.index).astype("Int64")
    out["filing_status"] = covering["status"].reindex(out.index).astype("str")
    out["filing_city"] = covering["city_code"].reindex(out.index).astype("str")
    out["in_term"] = out["filing_id"].notna().to_numpy()
    placed = covering.reset_index()[["_row", "filing_id", "project_code", "on"]]
    s = placed.merge(scope, on=["filing_id", "project_code"])
    inside = (s["added_on"] <= s["on"]) & (s["removed_on"].isna() | (s["on"] < s["removed_on"]))
    out["in_scope"] = out.index.isin(s.loc[inside, "_row"])
    p = placed.merge(suspensions, on="filing_id")
    held = (p["start"] <= p["on"]) & (p["end"].isna() | (p["on"] < p["end"]))
    out["suspended_then"] = out.index.isin(p.loc[held, "_row"])
    suspended = filings.loc[filings["status"] == lifecycle.SUSPENDED, "institution_id"]
    out["suspended_now"] = r["institution_id"].isin(suspended).to_numpy()
    out.index = rows.index
    return out
