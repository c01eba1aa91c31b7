"""Evidence from the institutions' data, shown to experts beside the condition or item it
supports (ATT1-STAFF, ATT1-LEASE, ATT1-REGION, ATT1-EXPERIENCE, REN-03). Hints only: the expert
still decides, and a page opens even when the data cannot be read."""

from __future__ import annotations

import logging

import pandas as pd

from casework.errors import NotFound
from casework.store.engine import Store
from casework.ui.markup import esc

log = logging.getLogger("casework.ui")
MET_LABEL = {True: "数据显示符合", False: "数据显示不符合"}


def hint_html(text: str) -> str:
    return f'<div class="cw-evidence" style="color:#555;font-size:12px">{text}</div>'


def selection_hints(store: Store, application_id: int) -> dict[str, str]:
    """sub_id → an HTML hint built from the applicant's rosters, sites and batches."""
    from casework.queries.evidence import selection_evidence_for

    try:
        found = selection_evidence_for(store, application_id)
    except Exception:
        log.exception("selection evidence failed for application %s", application_id)
        return {}
    hints: dict[str, str] = {}
    for sub_id, rows in found.groupby("sub_id", sort=False):
        parts = []
        for r in rows.to_dict("records"):
            met = r["met"]
            verdict = "待核验" if met is None or met is pd.NA else MET_LABEL[bool(met)]
            project = f"［{r['project_code']}］" if r["project_code"] else ""
            parts.append(f"{esc(project)}{verdict}：{esc(r['evidence'])}（{esc(r['rule_id'])}）")
        hints[str(sub_id)] = hint_html("数据提示：" + "；".join(parts))
    return hints


def renewal_hints(store: Store, renewal_id: int) -> dict[str, str]:
    """item_id / veto_id → an HTML hint with the suggested verdict and its evidence (REN-03)."""
    from casework.queries.evidence import renewal_evidence
    from casework.queries.renewals import renewal_case

    try:
        case = renewal_case(store, renewal_id)
        if case is None:
            raise NotFound(f"未找到续期评估案件（编号{renewal_id}）")
        suggestions = renewal_evidence(store, int(case["filing_id"])).suggestions
    except Exception:
        log.exception("renewal evidence failed for renewal case %s", renewal_id)
        return {}
    hints: dict[str, str] = {}
    for r in suggestions.to_dict("records"):
        value = r["suggested"]
        # no suggestion where the data shows nothing either way (NA, or NaN once in a record)
        missing = value is None or value is pd.NA or pd.isna(value) or not str(value).strip()
        suggested = "" if missing else f"建议“{esc(value)}”："
        hint = f"数据提示：{suggested}{esc(r['evidence'])}（{esc(r['rule_id'])}）"
        hints[str(r["item_id"])] = hint_html(hint)
    return hints
