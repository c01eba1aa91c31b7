"""What a report notebook shows: the case's facts, its tables, and every form in its final
state — as read-only widgets and, beside each, the same form as static HTML (every word in
full: read with JavaScript off, and what the PDF prints) — then the figures, as data the
archive reads back.

Runs inside the kernel that executes the report notebook (the store is ``CASEWORK_DB``).
"""

from __future__ import annotations

import html
from datetime import date
from typing import Any

import ipywidgets as w
from IPython.display import HTML, display

from casework.reports.content import MISSING, Field, Form, ReportData, missing, shown
from casework.reports.procedures import PROCEDURES, collect, parameters

FIGURES_MIME = "application/vnd.casework.figures+json"
WIDE = "95%"
"""A wide field's width (a Layout per widget: a kernel reused for a batch of reports records,
for each report, only the widget models created while it ran)."""
LABEL = {"description_width": "16em"}


def value_text(field: Field) -> str:
    """A field's value as written (no None, nan or NaT: those print as —)."""
    if field.kind == "number" and not missing(field.value):
        return shown(float(field.value))
    return shown(field.value)


def _widget(field: Field) -> w.Widget:
    label = field.label
    text = value_text(field)
    if field.kind == "choice":
        options = tuple(dict.fromkeys([*field.options, text]))
        return w.Dropdown(
            options=options,
            value=text,
            description=label,
            disabled=True,
            style=LABEL,
            layout=w.Layout(width=WIDE),
        )
    if field.kind == "number" and text != MISSING:
        return w.FloatText(value=float(field.value), description=label, disabled=True, style=LABEL)
    if field.kind == "textarea":
        # as many rows as the text needs (a wrapped line counted per 40 characters): no word
        # is hidden behind a scroll bar
        rows = max(2, sum(len(line) // 40 + 1 for line in text.split("\n")))
        return w.Textarea(
            value=text,
            description=label,
            rows=rows,
            disabled=True,
            style=LABEL,
            layout=w.Layout(width=WIDE),
        )
    return w.Text(
        value=text, description=label, disabled=True, style=LABEL, layout=w.Layout(width=WIDE)
    )


def form_widget(form: Form) -> w.VBox:
    """A form in its final state: every field a disabled widget under the form's title."""
    title = w.HTML(f"<b>{html.escape(form.title)}</b>")
    box = w.VBox([title, *(_widget(f) for f in form.fields)])
    box.add_class("cw-form")
    return box


def form_html(form: Form) -> str:
    """The same form as static HTML: every label and value in full, line breaks kept."""
    rows = "".join(
        f'<tr><th scope="row">{html.escape(f.label)}</th>'
        f'<td class="cw-value">{html.escape(value_text(f))}</td></tr>'
        for f in form.fields
    )
    return (
        f'<div class="cw-static cw-form"><table class="cw-table cw-form-table">'
        f"<caption>{html.escape(form.title)}</caption><tbody>{rows}</tbody></table></div>"
    )


def _header(data: ReportData, procedure_label: str) -> str:
    rows = "".join(
        f"<tr><th>{html.escape(k)}</th><td>{html.escape(shown(v))}</td></tr>" for k, v in data.facts
    )
    return (
        f'<h1 class="cw-report-title">{html.escape(procedure_label)}归档报告</h1>'
        f"<h2>{html.escape(data.title)}</h2>"
        f'<table class="cw-table cw-facts"><tbody>{rows}</tbody></table>'
    )


def show(procedure: str, case_id: int, on: str | date | None = None) -> ReportData:
    """Display the report of a completed procedure; returns what it showed."""
    from casework.store.engine import open_store

    store = open_store(migrate=False)
    try:
        data = collect(store, parameters(procedure, case_id, on))
    finally:
        store.dispose()
    display(HTML(_header(data, PROCEDURES[procedure].label)))
    for section in data.sections:
        parts = [f"<h3>{html.escape(section.heading)}</h3>", *section.tables]
        if section.text:
            parts.append(f"<p>{html.escape(section.text)}</p>")
        display(HTML("".join(parts)))
        for form in section.forms:
            display(HTML(form_html(form)))
            display(form_widget(form))
    return data


def figures(data: ReportData) -> Any:
    """The figures as a data output (removed from the HTML, read back by the archive)."""
    display({FIGURES_MIME: data.figures, "text/plain": "figures"}, raw=True)
