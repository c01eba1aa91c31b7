"""Archived reports of completed procedures: executed headless from their recorded parameters,
exported to self-contained HTML and to PDF, and put in the evidence archive.

``archive_procedure(store, actor, procedure, case_id)`` is what the apps call on submission and
``casework report PROCEDURE --case ID`` runs; ``reproduce`` re-executes an archived report.

The names below load lazily: the kernel that executes a report imports only ``view``.
"""

from __future__ import annotations

from importlib import import_module
from typing import Any

_EXPORTS = {
    "MadeReport": "casework.reports.archiving",
    "ReportMaker": "casework.reports.archiving",
    "archive_batch": "casework.reports.archiving",
    "archive_procedure": "casework.reports.archiving",
    "make_report": "casework.reports.archiving",
    "reproduce": "casework.reports.archiving",
    "ProcedureNotComplete": "casework.reports.content",
    "PROCEDURES": "casework.reports.procedures",
}

__all__ = sorted(_EXPORTS)


def __getattr__(name: str) -> Any:
    if name in _EXPORTS:
        return getattr(import_module(_EXPORTS[name]), name)
    raise AttributeError(name)
