"""Export of the catalog of institutions (考核机构目录) as csv or xlsx (EXIT-01)."""

from __future__ import annotations

from pathlib import Path

from casework.queries.catalog import CATALOG_HEADERS, catalog
from casework.store.engine import Store


def catalog_for_publication(store: Store, city_code: str | None = None):  # type: ignore[no-untyped-def]
    """The catalog with Chinese headers, every status including 终止备案 and its reason."""
    frame = catalog(store, city_code=city_code)
    out = frame[list(CATALOG_HEADERS)].rename(columns=CATALOG_HEADERS)
    out["终止日期"] = frame["ended_on"].dt.strftime("%Y-%m-%d").fillna("")
    out.insert(0, "序号", range(1, len(out) + 1))
    return out


def export_catalog(
    store: Store, *, fmt: str = "csv", output: Path | None = None, city_code: str | None = None
) -> Path:
    frame = catalog_for_publication(store, city_code)
    path = output or Path(f"考核机构目录.{fmt}")
    if fmt == "csv":
        frame.to_csv(path, index=False, encoding="utf-8-sig")
    elif fmt == "xlsx":
        frame.to_excel(path, index=False, sheet_name="考核机构目录")
    else:
        raise ValueError(fmt)
    return path
