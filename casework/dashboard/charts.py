"""Offline charts: small SVG drawn in Python from DataFrames (no JavaScript, no CDN).

Each function returns an HTML string holding one ``<svg>`` (well-formed XML: every text is
escaped). Bars and cells carry ``data-label``/``data-value`` attributes and a ``<title>``
tooltip, so a browser test, a screen reader and a hovering manager all read the numbers.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import pandas as pd

from casework.domain import lifecycle
from casework.queries import dashboard_renewals as stages
from casework.ui.markup import esc

FONT = "font-family=\"'Noto Sans CJK SC','Microsoft YaHei',sans-serif\""
BLUE = "#3b6fb6"
STATUS_COLORS = {
    lifecycle.FILING_VALID: "#2f8f4e",
    lifecycle.FILING_SUSPENDED: "#e0a100",
    lifecycle.FILING_TERMINATED: "#9aa3ad",
}
STAGE_COLORS = {
    stages.NOT_OPENED: "#c9d3df",
    stages.AWAITING: "#5b9bd5",
    stages.SCORING: "#e0a100",
    stages.DECIDED: "#2f8f4e",
    stages.MISSED: "#c0392b",
    stages.CANCELLED: "#7f8c8d",
}
EMPTY = '<div class="cw-info cw-chart-empty">暂无数据</div>'


def _num(value: float) -> str:
    return f"{value:g}"


def _short(label: str, limit: int = 12) -> str:
    return label if len(label) <= limit else label[: limit - 1] + "…"


def _svg(width: float, height: float, body: str, title: str, css_class: str) -> str:
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" class="cw-chart {esc(css_class)}" '
        f'width="{width:.0f}" height="{height:.0f}" viewBox="0 0 {width:.0f} {height:.0f}" '
        f'role="img" aria-label="{esc(title)}" {FONT} font-size="12">'
        f'<text x="0" y="14" font-size="14" font-weight="600">{esc(title)}</text>{body}</svg>'
    )


def bar_chart(
    values: pd.Series,
    *,
    title: str,
    unit: str = "",
    color: str | Mapping[str, str] = BLUE,
    css_class: str = "",
    bar_width: int = 320,
    scale_to: float = 0.0,
) -> str:
    """Horizontal bars, one per index label; ``color`` may map labels to colours; bars are
    scaled to the largest value, or to ``scale_to`` if that is larger (a limit, say)."""
    if values.empty:
        return EMPTY
    labels = [str(i) for i in values.index]
    label_w = min(260, 12 * max(len(_short(s, 18)) for s in labels) + 12)
    top, row = 26, 20
    peak = max(float(values.max()), scale_to, 1.0)
    parts = []
    for i, (label, value) in enumerate(zip(labels, values.to_numpy(), strict=True)):
        y = top + i * row
        w = bar_width * float(value) / peak
        fill = color.get(label, BLUE) if isinstance(color, Mapping) else color
        parts.append(
            f'<text x="{label_w - 6}" y="{y + 13}" text-anchor="end">{esc(_short(label, 18))}'
            f"<title>{esc(label)}</title></text>"
            f'<rect class="cw-bar" data-label="{esc(label)}" data-value="{_num(value)}" '
            f'x="{label_w}" y="{y + 2}" width="{w:.1f}" height="{row - 5}" fill="{fill}">'
            f"<title>{esc(label)}：{_num(value)}{esc(unit)}</title></rect>"
            f'<text x="{label_w + w + 4:.1f}" y="{y + 13}">{_num(value)}</text>'
        )
    height = top + len(labels) * row + 4
    return _svg(label_w + bar_width + 50, height, "".join(parts), title, css_class)


def stacked_columns(
    frame: pd.DataFrame,
    *,
    title: str,
    colors: Mapping[str, str],
    css_class: str = "",
    unit: str = "",
) -> str:
    """Vertical columns, one per index label, stacked by ``frame``'s columns (in order)."""
    if frame.empty or float(frame.to_numpy().sum()) == 0:
        return EMPTY
    series = [str(c) for c in frame.columns]
    legend_h, plot_h, col_w, gap, left = 22, 160, 32, 12, 8
    top = 24 + legend_h + 16  # room for the totals above the tallest column
    peak = max(float(frame.sum(axis=1).max()), 1.0)
    parts = []
    for i, name in enumerate(series):  # the legend
        x = float(left + i * 92)
        parts.append(
            f'<rect x="{x}" y="{top - 34}" width="12" height="12" fill="{colors.get(name, BLUE)}"/>'
            f'<text x="{x + 16}" y="{top - 24}">{esc(name)}</text>'
        )
    for j, (label, row) in enumerate(frame.iterrows()):  # one column per category (≤ ~100)
        x = float(left + j * (col_w + gap))
        y = float(top + plot_h)
        for name, value in zip(series, row.to_numpy(), strict=True):
            if not value:
                continue
            h = plot_h * float(value) / peak
            y -= h
            parts.append(
                f'<rect class="cw-seg" data-label="{esc(label)}" data-series="{esc(name)}" '
                f'data-value="{_num(value)}" x="{x}" y="{y:.1f}" width="{col_w}" '
                f'height="{h:.1f}" fill="{colors.get(name, BLUE)}">'
                f"<title>{esc(label)} {esc(name)}：{_num(value)}{esc(unit)}</title></rect>"
            )
        total = float(row.sum())
        parts.append(
            f'<text x="{x + col_w / 2}" y="{y - 3:.1f}" text-anchor="middle">{_num(total)}</text>'
            f'<text x="{x + col_w / 2}" y="{top + plot_h + 14}" text-anchor="middle" '
            f'font-size="10">{esc(label)}</text>'
        )
    width = max(left + len(frame) * (col_w + gap) + 10, left + len(series) * 92)
    return _svg(width, top + plot_h + 22, "".join(parts), title, css_class)


def heat_colour(count: int, limit: int) -> str:
    """Cell colour against a quota: blank, shades of blue, amber at the limit, red above it."""
    if count <= 0:
        return "#f4f6f9"
    if count > limit:
        return "#d64545"
    if count == limit:
        return "#f0b429"
    shades = ("#dbe7f5", "#b5cdeb", "#8fb3e0", "#6998d6")
    return shades[min(count - 1, len(shades) - 1)]


def heat_map(
    counts: pd.DataFrame,
    *,
    limit: int,
    title: str,
    notes: Mapping[tuple[str, str], str] | None = None,
    css_class: str = "",
    column_labels: Sequence[str] | None = None,
) -> str:
    """A grid of counts (rows × columns) coloured against ``limit``; cells with a note (an
    override's reason) are outlined, starred and carry the note in their tooltip."""
    if counts.empty:
        return EMPTY
    notes = notes or {}
    rows = [str(r) for r in counts.index]
    cols = [str(c) for c in counts.columns]
    heads = list(column_labels) if column_labels else cols
    label_w = min(230, 12 * max(len(_short(r, 16)) for r in rows) + 12)
    cell_w, cell_h, top = 38, 18, 44
    parts = [
        f'<text x="{label_w + k * cell_w + cell_w / 2}" y="{top - 6}" text-anchor="middle" '
        f'font-size="11">{esc(_short(h, 3))}<title>{esc(h)}</title></text>'
        for k, h in enumerate(heads)
    ]
    values = counts.fillna(0).astype(int).to_numpy()
    for i, r in enumerate(rows):
        y = top + i * cell_h
        parts.append(
            f'<text x="{label_w - 6}" y="{y + 13}" text-anchor="end">{esc(_short(r, 16))}'
            f"<title>{esc(r)}</title></text>"
        )
        for k, c in enumerate(cols):
            n = int(values[i, k])
            note = notes.get((r, c), "")
            x = label_w + k * cell_w
            outline = ' stroke="#222" stroke-width="2"' if note else ' stroke="#fff"'
            tip = f"{r} × {heads[k]}：{n}／{limit}" + (f"（突破上限：{note}）" if note else "")
            parts.append(
                f'<rect class="cw-cell{" cw-over" if n > limit else ""}" data-row="{esc(r)}" '
                f'data-col="{esc(c)}" data-value="{n}" x="{x}" y="{y}" width="{cell_w}" '
                f'height="{cell_h}" fill="{heat_colour(n, limit)}"{outline}>'
                f"<title>{esc(tip)}</title></rect>"
            )
            if n:
                star = "*" if note else ""
                parts.append(
                    f'<text x="{x + cell_w / 2}" y="{y + 13}" text-anchor="middle" '
                    f'font-size="11">{n}{star}</text>'
                )
    width = label_w + len(cols) * cell_w + 10
    return _svg(width, top + len(rows) * cell_h + 6, "".join(parts), title, css_class)
