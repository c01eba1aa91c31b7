"""The index page: who is signed in, and the apps open to their role.

Each app is a link relative to the index (served at ``/voila/render/index.ipynb``), so the
links work under any base URL. An unknown or unauthenticated user sees a refusal in Chinese.
"""

from __future__ import annotations

import ipywidgets as w

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
    return w.VBox([title(HEADING, who), w.HTML(f'<ul class="cw-apps">{items}</ul>')])


def app() -> w.Widget:
    """Notebook entry point: the signed-in user's index."""
    return app_entry(HEADING, build)
