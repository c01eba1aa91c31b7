"""Bind a form's widgets to the acting user's draft in the store.

``FormDraft(ctx, page, case_key, fields)`` fills the fields from the stored draft (values a
field no longer accepts are skipped), saves the draft whenever a field changes, and
``clear()`` forgets it once the form was submitted. Text fields should use
``continuous_update=False`` so that one edit is one save.
"""

from __future__ import annotations

import logging
from datetime import date
from typing import Any

from traitlets import TraitError

from casework.errors import CaseworkError
from casework.registry.drafts import discard_form_draft, load_form_draft, save_form_draft
from casework.ui.context import AppContext

log = logging.getLogger("casework.ui")


def _to_json(value: Any) -> Any:
    if isinstance(value, date):
        return {"date": value.isoformat()}
    if isinstance(value, tuple):
        return list(value)
    return value


def _from_json(value: Any) -> Any:
    if isinstance(value, dict) and set(value) == {"date"}:
        return date.fromisoformat(value["date"])
    return value


class FormDraft:
    """The draft of one page's form for one case, saved as it is typed."""

    def __init__(self, ctx: AppContext, page: str, case_key: str, fields: dict[str, Any]) -> None:
        self.ctx, self.page, self.case_key, self.fields = ctx, page, str(case_key), fields
        self._loading = True
        self.restored = False
        for name, value in load_form_draft(ctx.store, ctx.actor, page, self.case_key).items():
            widget = fields.get(name)
            if widget is None:
                continue
            try:
                widget.value = (
                    tuple(value) if isinstance(widget.value, tuple) else _from_json(value)
                )
                self.restored = True
            except (TraitError, ValueError, TypeError):
                log.info("draft value for %s/%s no longer valid: %r", page, name, value)
        self._loading = False
        for widget in fields.values():
            widget.observe(self._save, names="value")

    def values(self) -> dict[str, Any]:
        return {name: _to_json(w.value) for name, w in self.fields.items()}

    def _save(self, _change: Any = None) -> None:
        if self._loading:
            return
        try:
            self.ctx.run(
                save_form_draft, page=self.page, case_key=self.case_key, payload=self.values()
            )
        except CaseworkError as exc:
            log.warning("draft not saved: %s", exc)

    def clear(self) -> None:
        """Forget the draft (after a successful submission)."""
        self.ctx.run(discard_form_draft, page=self.page, case_key=self.case_key)
