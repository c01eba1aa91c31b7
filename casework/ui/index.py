"""The index page: who is signed in, and the apps open to their role.

Each app is a link relative to the index (served at ``/voila/render/index.ipynb``), so the
links work under any base URL. An unknown or unauthenticated user sees a refusal in Chinese.
"""

from __future__ import annotations

import ipywidgets as w

from casework.domain.lifecycle import (
    APPLICATION_EVALUATING,
    RENEWAL_AWAITING_SELF,
    RENEWAL_EVALUATING,
)
from casework.registry.actors import EXPERT, INSTITUTION
from casework.ui.context import AppContext
from casework.ui.kit import app_entry, esc, refusal_page, title
from casework.ui.pages import PAGES, Page, pages_for

HEADING = PAGES[0].title


def link(page: Page) -> str:
    """The app's notebook, relative to the index page."""
    return f"./{page.notebook}.ipynb"


def page_html(page: Page) -> str:
    rules = f'<span style="color:#666">（{esc(page.rules)}）</span>' if page.rules else ""
    return (
        f'<li class="cw-app"><a href="{esc(link(page))}" target="_self">{esc(page.title)}</a>'
        f"　{esc(page.summary)}{rules}</li>"
    )


def build(ctx: AppContext) -> w.Widget:
    """The signed-in user's name and role, and the apps open to that role."""
    actor = ctx.actor
    apps = pages_for(actor.role)
    who = (
        f"当前用户：{actor.display_name or actor.username}（{actor.username}）　角色：{actor.role}"
    )
    if not apps:
        return refusal_page(HEADING, f"{actor.label}没有可用的应用，请联系管理员分配角色")
    items = "".join(page_html(p) for p in apps)
    parts = [title(HEADING, who), w.HTML(f'<ul class="cw-apps">{items}</ul>')]
    waiting = waiting_html(ctx)
    if waiting:
        parts.append(w.HTML(waiting))
    return w.VBox(parts)


def waiting_html(ctx: AppContext) -> str:
    """The user's open work: an expert's panels under evaluation (SEL-03, REN-04), an
    institution's renewals awaiting its self-evaluation (REN-02); empty for other roles."""
    actor = ctx.actor
    rows: list[str] = []
    if actor.role == EXPERT:
        from casework.queries.sheets import my_panels

        panels = my_panels(ctx.store, actor.username)
        page = {"遴选": "selection_panel", "续期": "renewal_scoring"}
        for r in panels.to_dict("records"):
            evaluating = r["case_status"] in (APPLICATION_EVALUATING, RENEWAL_EVALUATING)
            if not evaluating or r["purpose"] not in page:
                continue
            role = "组长" if r["is_leader"] else "成员"
            rows.append(
                f'<li><a href="./{page[r["purpose"]]}.ipynb?panel={int(r["panel_id"])}"'
                ' target="_self">'
                f"{esc(r['purpose'])}评估组 · {esc(r['institution'])}</a>"
                f"　{role}，评估表{esc(r['sheet_status'])}</li>"
            )
    elif actor.role == INSTITUTION and actor.institution_id is not None:
        from casework.queries.renewals import institution_renewals

        renewals = institution_renewals(ctx.store, int(actor.institution_id))
        for r in renewals.to_dict("records"):
            if r["status"] != RENEWAL_AWAITING_SELF:
                continue
            rows.append(
                f'<li><a href="./self_evaluation.ipynb" target="_self">续期自评 · '
                f"{esc(r['round_title'])}</a>　备案编号{esc(r['filing_code'])}，"
                f"提交截止{esc(r['deadline'])}</li>"
            )
    if not rows:
        return ""
    return f'<div class="cw-info"><b>待办</b><ul class="cw-waiting">{"".join(rows)}</ul></div>'


def app() -> w.Widget:
    """Notebook entry point: the signed-in user's index."""
    return app_entry(HEADING, build)
