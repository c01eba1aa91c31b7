"""Form drafts: what was typed comes back in a new session, per user, page and case."""

from __future__ import annotations

from datetime import date

import ipywidgets as w
from sqlalchemy import func, select

from casework.store.tables import form_drafts
from casework.ui.drafts import FormDraft

from .worlds import context


def fields() -> dict[str, w.Widget]:
    return {
        "title": w.Text(continuous_update=False),
        "opens": w.DatePicker(),
        "kind": w.Dropdown(options=["日常检查", "投诉举报"], value=None),
    }


def test_a_form_draft_comes_back_in_a_new_session(world) -> None:  # type: ignore[no-untyped-def]
    ctx = context(world, "officer370100")
    first = fields()
    FormDraft(ctx, "call", "370100", first)
    first["title"].value = "2026年征集公告"
    first["opens"].value = date(2026, 3, 2)
    first["kind"].value = "投诉举报"

    again = fields()
    draft = FormDraft(ctx, "call", "370100", again)

    assert draft.restored
    assert again["title"].value == "2026年征集公告"
    assert again["opens"].value == date(2026, 3, 2)
    assert again["kind"].value == "投诉举报"


def test_another_user_does_not_see_my_draft(world) -> None:  # type: ignore[no-untyped-def]
    mine = fields()
    FormDraft(context(world, "officer370100"), "call", "370100", mine)
    mine["title"].value = "草稿"

    theirs = fields()
    FormDraft(context(world, "manager370100"), "call", "370100", theirs)

    assert theirs["title"].value == ""


def test_a_cleared_draft_does_not_come_back_and_each_save_is_audited(world) -> None:  # type: ignore[no-untyped-def]
    ctx = context(world, "officer370100")
    first = fields()
    draft = FormDraft(ctx, "call", "370100", first)
    first["title"].value = "已提交的公告"

    draft.clear()
    again = fields()
    FormDraft(ctx, "call", "370100", again)

    assert again["title"].value == ""
    with world.store.read() as conn:
        assert conn.execute(select(func.count()).select_from(form_drafts)).scalar() == 1
