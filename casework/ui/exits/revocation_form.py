"""The confirm-violation form: Attachment 8 composed from structured fields, with a preview.

The circumstance is chosen from the notice's list (EXIT-06, ``schemas/reference/exit-
circumstances.yaml``), the concrete act is named only where the circumstance is general, the
clause applied defaults to the circumstance's own, and the dates come from the case record.
The preview shows the letter exactly as it will be issued from the record
(:func:`casework.documents.revocation.preview`); what is recorded is
:func:`casework.documents.revocation.record_fields` of the same facts.
"""

from __future__ import annotations

from datetime import date
from typing import Any

import ipywidgets as w

from casework.documents import revocation
from casework.documents.config import load_settings
from casework.documents.model import DocumentRefused, refuse
from casework.ui.context import AppContext
from casework.ui.kit import GuardedDropdown, GuardedText, esc, guard, table_html

VIOLATION = revocation.VIOLATION
PROMPT = "违规情形从通知所列情形中选择（EXIT-06），选择后显示撤销备案函（附件8）预览"


def choices() -> list[tuple[str, str]]:
    """The violation circumstances the notice lists, as (label, id) (EXIT-06)."""
    return [
        (f"{c.id} {c.text}（{c.source}）" + ("，须写明具体行为" if c.detail else ""), c.id)
        for c in revocation.circumstances(VIOLATION)
    ]


class RevocationForm:
    """The fields of the confirm action: circumstance, concrete act, clause, and the preview."""

    def __init__(self, ctx: AppContext, case: dict[Any, Any], filing: dict[Any, Any]) -> None:
        self.ctx, self.case = ctx, case
        self.institution, self.city_code = str(filing["institution"]), str(filing["city_code"])
        self.circumstance = guard(
            GuardedDropdown(
                options=choices(),
                value=None,
                description="违规情形",
                layout=w.Layout(width="90%"),
                style={"description_width": "initial"},
            ),
            ctx,
            "违规情形",
        )
        self.detail = guard(
            GuardedText(
                value="",
                description="具体行为",
                placeholder=f"所选情形为概括规定时写明具体违规行为（不超过{revocation.DETAIL_MAX}字）",
                continuous_update=False,
                layout=w.Layout(width="90%"),
            ),
            ctx,
            "具体行为",
            max_length=revocation.DETAIL_MAX,
        )
        self.basis = guard(
            GuardedText(
                value="",
                description="依据",
                placeholder="默认按所选情形引用通知条款，如“鲁人社函〔2025〕23号 三（二）”",
                continuous_update=False,
                layout=w.Layout(width="90%"),
            ),
            ctx,
            "依据",
        )
        self.preview = w.HTML()
        self.preview.add_class("cw-revocation-preview")
        for field in (self.circumstance, self.detail, self.basis):
            field.observe(self.show, names="value")
        self.show()

    @property
    def fields(self) -> dict[str, Any]:
        return {
            "circumstance": self.circumstance,
            "detail": self.detail,
            "basis": self.basis,
            "preview": self.preview,
        }

    def facts(self) -> revocation.RevocationFacts:
        """The structured facts the fields and the case record give."""
        return revocation.RevocationFacts(
            str(self.circumstance.value or ""),
            detail=str(self.detail.value or ""),
            basis=str(self.basis.value or "").strip(),
            opened_on=self.case.get("opened_on"),
            findings_received_on=self.case.get("findings_received_on"),
            statement_received_on=self.case.get("statement_received_on"),
        )

    def department(self) -> str:
        try:
            return load_settings().bureau(self.city_code).department
        except DocumentRefused:
            return ""

    def preview_text(self, issued_on: date) -> str:
        """The letter's text as it will be issued (raises DocumentRefused with every problem)."""
        return revocation.preview(
            self.institution,
            self.facts(),
            department=self.department(),
            issued_on=issued_on,
            kind=VIOLATION,
        )

    def show(self, _change: Any = None) -> None:
        if not self.circumstance.value:
            self.preview.value = f'<div class="cw-info">{PROMPT}</div>'
            return
        try:
            text = self.preview_text(self.ctx.today)
        except DocumentRefused as exc:
            self.preview.value = (
                f'<div class="cw-error">{esc(exc.message)}{table_html(exc.problems)}</div>'
            )
            return
        paragraphs = "".join(f"<p>{esc(line)}</p>" for line in text.splitlines() if line.strip())
        self.preview.value = (
            '<div class="cw-info"><b>撤销备案函（附件8）预览</b>'
            f'<div style="border:1px solid #ccc;padding:8px;background:#fff">{paragraphs}</div>'
            "</div>"
        )

    def record_fields(self) -> dict[str, str]:
        """``circumstance`` and ``basis`` as the registry records them (EXIT-06)."""
        facts = self.facts()
        found = revocation.problems(facts, VIOLATION)
        if found:
            raise refuse("撤销备案函（附件8）", found, rule_id="EXIT-06")
        return revocation.record_fields(facts)
