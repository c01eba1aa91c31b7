"""评估组 — a city officer keeps the city's expert pool, forms selection panels (SEL-03) and
renewal groups (REN-04) from it, and replaces a member who withdraws before the scoring.

Members see their panel on their own index page once it is formed. Every write is a registry
command run as the signed-in user (``ctx.run``), which re-checks role, city, case state and
input on the server.
"""

from __future__ import annotations

import ipywidgets as w

from casework.ui.context import AppContext
from casework.ui.gates import page_or_refusal, require_city_role
from casework.ui.kit import app_entry, title
from casework.ui.panels.forming import FormingSection, ReplaceSection
from casework.ui.panels.pool import PoolSection

HEADING = "评估组"


class PanelsPage:
    """The pool, the forming of a panel and the replacement of a member, for one city."""

    def __init__(self, ctx: AppContext, city_code: str) -> None:
        self.replace = ReplaceSection(ctx, city_code)
        self.forming = FormingSection(ctx, city_code, self.replace.refresh)
        self.pool = PoolSection(ctx, city_code, self._pool_changed)
        self.widget = w.VBox(
            [title(HEADING), self.pool.widget, self.forming.widget, self.replace.widget]
        )

    def _pool_changed(self) -> None:
        self.forming.refresh()
        self.replace.refresh()


def build(ctx: AppContext) -> w.Widget:
    """The page of the signed-in city officer or manager; a refusal for anyone else."""

    def make() -> w.Widget:
        return PanelsPage(ctx, require_city_role(ctx, "打开评估组")).widget

    return page_or_refusal(HEADING, make)


def app() -> w.Widget:
    """Notebook entry point: the signed-in user's page."""
    return app_entry(HEADING, build)
