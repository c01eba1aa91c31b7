"""Evidence from the institutions' data, for the panels and groups (pure, no storage).

- :func:`selection_evidence` — beside each Attachment 1 condition (ATT1-STAFF, ATT1-LEASE,
  ATT1-REGION, ATT1-EXPERIENCE), with the registry-wide part-timer check (:func:`part_timers`);
- :func:`review` — renewal evidence (ATT5-STATS, REN-05, ATT4-PLAN, ATT4-PUBLISH, ATT4-SIGN,
  ATT4-SCOPE, EXIT-04); :func:`suggest` — suggested Attachment 4 verdicts with their evidence;
  :func:`prefill` — Attachment 5;
- :mod:`casework.domain.evidence.anomalies` — patterns worth a question.

``casework.queries.evidence`` reads these frames from the store; it is the only module here
that touches storage and is not imported by this package.
"""

from casework.domain.evidence.anomalies import (
    evaluator_clashes,
    high_pass_rate,
    multi_institution_candidates,
)
from casework.domain.evidence.attachment5 import prefill
from casework.domain.evidence.renewal import RenewalReview, review
from casework.domain.evidence.selection import beside_conditions, selection_evidence
from casework.domain.evidence.staffing import part_timers, qualified_evaluator
from casework.domain.evidence.suggestions import suggest

__all__ = [
    "RenewalReview",
    "beside_conditions",
    "evaluator_clashes",
    "high_pass_rate",
    "multi_institution_candidates",
    "part_timers",
    "prefill",
    "qualified_evaluator",
    "review",
    "selection_evidence",
    "suggest",
]
