"""What a report notebook shows: the case's facts, its tables, and every form in its final
state as read-only widgets; then the figures, as data the archive reads back.

Runs inside the kernel that executes the report notebook (the store is ``CASEWORK_DB``).
"""

from __future__ import annotations

import html
from datetime import date
from typing import Any

import ipywidgets as w
from IPython.display import HTML, display

from casework.reports.content import Field, Form, ReportData
from casework.reports.procedures import PROCEDURES, collect, parameters

FIGURES_MIME = "application/vnd.casework.figures+json"
WIDE = w.Layout(width="95%")
LABEL = {"description_width": "16em"}


def _widget(field: Field) -> w.Widget:
    label = field.label
    if field.kind == "choice":
        options = tuple(dict.fromkeys([*field.options, str(field.value)]))
        return w.Dropdown(
            options=options,
            value=str(field.value),
            description=label,
            disabled=True,
            style=LABEL,
            layout=WIDE,
        )
    if field.kind == "number":
        return w.FloatText(value=float(field.value), description=label, disabled=True, style=LABEL)
    if field.kind == "textarea":
        text = str(field.value)
        rows = min(12, max(2, text.count("\n") + 1, len(text) // 60 + 1))
        return w.Textarea(
            value=text, description=label, rows=rows, disabled=True, style=LABEL, layout=WIDE
        )
    return w.Text(
        value=str(field.value), description=label, disabled=True, style=LABEL, layout=WIDE
    )


def form_widget(form: Form) -> w.VBox:
    """A form in its final state: every field a disabled widget under the form's title."""
    title = w.HTML(f"<b>{html.escape(form.title)}</b>")
    box = w.VBox([title, *(_widget(f) for f in form.fields)])
    box.add_class("cw-form")
    return box


def _header(data: ReportData, procedure_label: str) -> str:
    rows = "".join(
        f"<tr><th>{html.escape(k)}</th><td>{html.escape(v)}</td></tr>" for k, v in data.facts
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
            display(form_widget(form))
    return data


def figures(data: ReportData) -> Any:
    """The figures as a data output (removed from the HTML, read back by the archive)."""
    display({FIGURES_MIME: data.figures, "text/plain": "figures"}, raw=True)
