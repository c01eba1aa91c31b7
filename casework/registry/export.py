"""Export of the catalog of institutions (考核机构目录) as csv or xlsx (EXIT-01).

Every csv and xlsx casework writes goes through :func:`spreadsheet_bytes`, which neutralises
formula-like cells (:func:`casework.domain.cells.neutralise`, OWASP CSV injection) first.
"""

from __future__ import annotations

import io
from pathlib import Path

import pandas as pd

from casework.domain.cells import neutralise_frame
from casework.queries.catalog import CATALOG_HEADERS, catalog
from casework.store.engine import Store

SHEET_NAME = "考核机构目录"


def catalog_for_publication(store: Store, city_code: str | None = None):  # type: ignore[no-untyped-def]
    """The catalog with Chinese headers, every status including 终止备案 and its reason."""
    frame = catalog(store, city_code=city_code)
    out = frame[list(CATALOG_HEADERS)].rename(columns=CATALOG_HEADERS)
    out["终止日期"] = frame["ended_on"].dt.strftime("%Y-%m-%d").fillna("")
    out.insert(0, "序号", range(1, len(out) + 1))
    return out


def spreadsheet_bytes(frame: pd.DataFrame, fmt: str, sheet_name: str = SHEET_NAME) -> bytes:
    """``frame`` as csv (UTF-8 with a BOM, for Excel) or xlsx bytes, no cell a live formula."""
    safe = neutralise_frame(frame)
    if fmt == "csv":
        return safe.to_csv(index=False).encode("utf-8-sig")
    if fmt == "xlsx":
        buffer = io.BytesIO()
        safe.to_excel(buffer, index=False, sheet_name=sheet_name)
        return buffer.getvalue()
    raise ValueError(fmt)


def export_catalog(
    store: Store, *, fmt: str = "csv", output: Path | None = None, city_code: str | None = None
) -> Path:
    if fmt not in ("csv", "xlsx"):
        raise ValueError(fmt)
    frame = catalog_for_publication(store, city_code)
    path = output or Path(f"考核机构目录.{fmt}")
    path.write_bytes(spreadsheet_bytes(frame, fmt))
    return path
