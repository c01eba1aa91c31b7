"""Bind a form's widgets to the acting user's draft in the store.

``FormDraft(ctx, page, case_key, fields)`` fills the fields from the stored draft (values a
field no longer accepts are skipped), saves the draft whenever a field changes, and
``clear()`` forgets it once the form was submitted. Text fields should use
``continuous_update=False`` so that one edit is one save. Fields are filled in the order of
``fields``, so a field whose options depend on an earlier one (a year, then its projects) is
filled after it. An editable list (rows added and removed) is one :class:`DraftList` field.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Iterator
from contextlib import ExitStack, contextmanager
from datetime import date
from typing import Any

from traitlets import HasTraits, List, TraitError

from casework.errors import CaseworkError
from casework.registry.drafts import discard_form_draft, load_form_draft, save_form_draft
from casework.ui.context import AppContext

log = logging.getLogger("casework.ui")


class DraftList(HasTraits):
    """A list-valued form field for :class:`FormDraft`: e.g. the rows of an editable list as
    JSON-able dicts. The editor sets ``value`` when its rows change and rebuilds its rows when
    ``value`` is set from outside (a restored draft, a reset)."""

    value: List[dict[str, Any]] = List()


def _to_json(value: Any) -> Any:
    if isinstance(value, date):
        return {"date": value.isoformat()}
    if isinstance(value, tuple):
        return list(value)
    return value


def _copy(value: Any) -> Any:
    return list(value) if isinstance(value, list) else value


def _from_json(value: Any) -> Any:
    if isinstance(value, dict) and set(value) == {"date"}:
        return date.fromisoformat(value["date"])
    return value


class FormDraft:
    """The draft of one page's form for one case, saved as it is typed."""

    def __init__(self, ctx: AppContext, page: str, case_key: str, fields: dict[str, Any]) -> None:
        self.ctx, self.page, self.case_key, self.fields = ctx, page, str(case_key), fields
        self.blank = {name: _copy(widget.value) for name, widget in fields.items()}
        self._held = True  # filling the fields from the draft is not a change to save
        self.restored = False
        stored = load_form_draft(ctx.store, ctx.actor, page, self.case_key)
        for name, widget in fields.items():
            if name in stored:
                self.restored = self._set(name, widget, stored[name]) or self.restored
        self._held = False
        for widget in fields.values():
            widget.observe(self._save, names="value")

    def _set(self, name: str, widget: Any, value: Any) -> bool:
        try:
            widget.value = tuple(value) if isinstance(widget.value, tuple) else _from_json(value)
        except (TraitError, ValueError, TypeError):
            log.info("draft value for %s/%s no longer valid: %r", self.page, name, value)
            return False
        return True

    def values(self) -> dict[str, Any]:
        return {name: _to_json(w.value) for name, w in self.fields.items()}

    def _save(self, _change: Any = None) -> None:
        if self._held:
            return
        try:
            self.ctx.run(
                save_form_draft, page=self.page, case_key=self.case_key, payload=self.values()
            )
        except CaseworkError as exc:
            log.warning("draft not saved: %s", exc)

    @contextmanager
    def batch(self, save: bool = True) -> Iterator[None]:
        """Apply several changes, then save the draft once if the values differ from before
        (a refresh that reloads a field's options and puts its value back saves nothing);
        ``save=False`` does not save them at all (a preselection made by the page)."""
        if self._held:
            yield
            return
        before, self._held = self.values(), True
        try:
            yield
        finally:
            self._held = False
            if save and self.values() != before:
                self._save()

    def clear(self, reset: bool = False) -> None:
        """Forget the draft (after a successful submission); with ``reset`` the fields also go
        back to their values before the draft was restored (without saving them)."""
        if reset:
            with self.batch(save=False):
                for name, widget in self.fields.items():
                    self._set(name, widget, self.blank[name])
        self.ctx.run(discard_form_draft, page=self.page, case_key=self.case_key)


@contextmanager
def batched(drafts: Iterable[FormDraft]) -> Iterator[None]:
    """:meth:`FormDraft.batch` of several drafts at once (e.g. around a page's refresh)."""
    with ExitStack() as stack:
        for draft in drafts:
            stack.enter_context(draft.batch())
        yield
