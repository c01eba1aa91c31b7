"""Archived reports of completed procedures: executed headless from their recorded parameters,
exported to self-contained HTML and to PDF, and put in the evidence archive.

``archive_procedure(store, actor, procedure, case_id)`` is what the apps call on submission and
``casework report PROCEDURE --case ID`` runs; ``reproduce`` re-executes an archived report.

The names below load lazily: the kernel that executes a report imports only ``view``.
"""

from __future__ import annotations

import sys
import types
from functools import cache
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


def _lazy_iri_grammar() -> None:
    """Let nbformat (through jsonschema) load without building the RFC 3987 grammar.

    jsonschema imports ``rfc3987_syntax`` when it is installed (Jupyter's server pulls it in),
    and that import builds an Earley parser for IRIs: most of a second in every process that
    executes or exports a report, for a format no notebook schema uses. Put in its place until
    an IRI is checked, when the real module is loaded and used (nothing changes for anyone who
    checks one). A no-op when jsonschema is already loaded.
    """
    name = "rfc3987_syntax"
    if name in sys.modules or "jsonschema" in sys.modules:
        return
    stub = types.ModuleType(name)

    @cache
    def real() -> types.ModuleType:
        if sys.modules.get(name) is stub:
            del sys.modules[name]
        return import_module(name)

    def is_valid_syntax(term: str, value: str) -> bool:
        return bool(real().is_valid_syntax(term, value))

    def attribute(attr: str) -> Any:
        if attr.startswith("__"):  # the import system asking (``__path__``, ``__spec__`` …)
            raise AttributeError(attr)
        return getattr(real(), attr)

    stub.is_valid_syntax = is_valid_syntax  # type: ignore[attr-defined]
    stub.__getattr__ = attribute  # type: ignore[method-assign]
    sys.modules[name] = stub


_lazy_iri_grammar()


def __getattr__(name: str) -> Any:
    if name in _EXPORTS:
        return getattr(import_module(_EXPORTS[name]), name)
    raise AttributeError(name)
