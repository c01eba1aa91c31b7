"""Spreadsheet cells that cannot turn into formulas (OWASP "CSV injection").

A value that starts with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return is taken by
Excel, WPS and LibreOffice as a formula (``=HYPERLINK(...)``, ``@SUM(...)``, DDE payloads).
Every xlsx and csv casework writes passes its cells through :func:`neutralise` (the one place
that decides), which prefixes such a text with an apostrophe so it is shown, not run; and names
starting with these characters are refused at import (:func:`starts_like_formula`).
"""

from __future__ import annotations

from typing import Any, Final

import pandas as pd

FORMULA_LEADS: Final = ("=", "+", "-", "@", "\t", "\r")
LEADS_SHOWN: Final = "= + - @、制表符或回车"


def starts_like_formula(text: str) -> bool:
    return text.startswith(FORMULA_LEADS)


def neutralise(value: Any) -> Any:
    """A cell value safe to write: a formula-like text gets a leading apostrophe."""
    if isinstance(value, str) and starts_like_formula(value):
        return "'" + value
    return value


def neutralise_frame(frame: pd.DataFrame) -> pd.DataFrame:
    """A copy of ``frame`` with every text cell (and header) neutralised."""
    out = frame.copy()
    for column in out.columns:
        if out[column].dtype == object or pd.api.types.is_string_dtype(out[column]):
            out[column] = out[column].map(neutralise)
    out.columns = [neutralise(c) for c in out.columns]
    return out
