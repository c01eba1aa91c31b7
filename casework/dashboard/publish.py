"""Publication of the catalog of institutions (考核机构目录) as xlsx, csv or a static page.

Every status is listed, 终止备案 with its reason and date (EXIT-01). The HTML page is one
self-contained file: its style and its small column sorter are inline, and it references
nothing outside itself (no CDN, no font, no image), so it can be posted as it is.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

from casework.domain import lifecycle, rules
from casework.registry.export import catalog_for_publication, export_catalog, spreadsheet_bytes
from casework.store.engine import Store
from casework.ui.markup import esc

FORMATS = ("csv", "xlsx", "html")
PAGE_TITLE = "山东省专项职业能力考核机构目录"
STATUS_COLUMN = "备案状态"

STYLE = """
body{font-family:'Noto Sans CJK SC','Microsoft YaHei',sans-serif;margin:24px;color:#222}
h1{font-size:22px;margin:0 0 6px}
.meta{color:#555;font-size:13px;margin-bottom:12px}
table{border-collapse:collapse;font-size:13px;width:100%}
th,td{border:1px solid #ccd;padding:4px 8px;text-align:left;vertical-align:top}
th{background:#eef1f6;cursor:pointer;position:sticky;top:0}
tr.ended td{color:#777}
td.status-终止备案{color:#a61b1b;font-weight:600}
td.status-暂停{color:#b26a00;font-weight:600}
"""

# A click on a header sorts by that column (inline: the page stays one file).
SORTER = """
document.querySelectorAll('th').forEach(function(th,i){th.addEventListener('click',function(){
var body=th.closest('table').tBodies[0],rows=Array.from(body.rows),asc=th.dataset.asc!=='1';
rows.sort(function(a,b){var x=a.cells[i].textContent,y=b.cells[i].textContent;
var nx=parseFloat(x),ny=parseFloat(y);var r=(!isNaN(nx)&&!isNaN(ny))?nx-ny:x.localeCompare(y,'zh');
return asc?r:-r;});th.dataset.asc=asc?'1':'0';rows.forEach(function(r){body.appendChild(r);});});});
"""


def catalog_html(store: Store, city_code: str | None = None, on: date | None = None) -> str:
    """The catalog as one self-contained HTML page (EXIT-01: 终止备案 and its reason shown)."""
    frame = catalog_for_publication(store, city_code)
    counts = frame[STATUS_COLUMN].value_counts()
    summary = "，".join(
        f"{s} {int(counts.get(s, 0))} 家"
        for s in (lifecycle.ACTIVE, lifecycle.SUSPENDED, lifecycle.TERMINATED)
    )
    head = "".join(f"<th>{esc(c)}</th>" for c in frame.columns)
    status_at = list(frame.columns).index(STATUS_COLUMN)
    rows = []
    for values in frame.itertuples(index=False, name=None):
        status = str(values[status_at])
        ended = ' class="ended"' if status == lifecycle.TERMINATED else ""
        cells = "".join(
            f'<td class="status-{esc(v)}">{esc(v)}</td>' if k == status_at else f"<td>{esc(v)}</td>"
            for k, v in enumerate(values)
        )
        rows.append(f"<tr{ended}>{cells}</tr>")
    stamp = (on or date.today()).isoformat()
    body = "\n".join(rows)
    return (
        '<!DOCTYPE html>\n<html lang="zh-CN"><head><meta charset="utf-8">'
        f"<title>{esc(PAGE_TITLE)}</title><style>{STYLE}</style></head><body>"
        f"<h1>{esc(PAGE_TITLE)}</h1>"
        f'<div class="meta">依据《{esc(rules.NOTICE_TITLE)}》（{esc(rules.NOTICE_NO)}）；'
        f"共 {len(frame)} 条：{esc(summary)}；生成日期 {stamp}。点击表头可排序。</div>"
        f'<table class="catalog"><thead><tr>{head}</tr></thead><tbody>\n{body}\n</tbody>'
        f"</table><script>{SORTER}</script></body></html>\n"
    )


def catalog_bytes(store: Store, fmt: str, city_code: str | None = None) -> bytes:
    """The catalog file's bytes in ``fmt`` (csv with a BOM for Excel, xlsx or html)."""
    if fmt == "html":
        return catalog_html(store, city_code).encode("utf-8")
    return spreadsheet_bytes(catalog_for_publication(store, city_code), fmt)


def publish_catalog(
    store: Store, *, fmt: str = "csv", output: Path | None = None, city_code: str | None = None
) -> Path:
    """Write the catalog as ``fmt`` (csv and xlsx through :mod:`casework.registry.export`)."""
    if fmt != "html":
        return export_catalog(store, fmt=fmt, output=output, city_code=city_code)
    path = output or Path("考核机构目录.html")
    path.write_text(catalog_html(store, city_code), encoding="utf-8")
    return path
