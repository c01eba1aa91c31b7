"""A page opened from a link that names its case (``?panel=``): the index's 待办 links open the
group's sheet at once, chosen in the picker as if picked; the id in the address is only a hint,
checked against the groups this user may open."""

from __future__ import annotations

import os
import re
from typing import Any

import pytest

from casework.store.tables import refusals
from casework.ui import context as context_module
from casework.ui import index, kit, renewal_scoring, selection_panel
from casework.ui.identity import IDENTITY_VARIABLES
from casework.ui.kit import id_from_address, plain_html
from tests.registry.conftest import JINAN, World

from .worlds import context, count, texts


def opened(monkeypatch: pytest.MonkeyPatch, world: World, username: str, query: str) -> Any:
    """The renewal scoring notebook's page as ``username`` sees it at ``…?{query}``."""
    for name in IDENTITY_VARIABLES:
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("CASEWORK_USER", username)
    monkeypatch.setenv("CASEWORK_DB", world.url)
    monkeypatch.setenv("QUERY_STRING", query)
    return renewal_scoring.app()


def picker_of(page: Any) -> Any:
    """The page's choice of group (the picker's 评估组 list), or None."""
    stack = [page]
    while stack:
        node = stack.pop()
        if getattr(node, "description", None) == "评估组" and hasattr(node, "options"):
            return node
        stack.extend(getattr(node, "children", ()))
    return None


@pytest.mark.parametrize(
    ("query", "found"),
    [
        ("panel=12", 12),
        ("x=1&panel=7&panel=9", 7),
        ("", None),
        ("panel=", None),
        ("panel=12abc", None),
        ("panel=-3", None),
        ("panel=0", None),
        ("panel=１２", None),  # full-width digits are digits to Python, not to us
        ("panel=99999999999999999999999", None),
        ("institution_id=5", None),
    ],
)
def test_the_id_in_the_address_is_a_positive_number_or_nothing(
    monkeypatch: pytest.MonkeyPatch, query: str, found: int | None
) -> None:
    monkeypatch.setenv("QUERY_STRING", query)

    assert id_from_address("panel") == found


def test_the_index_links_each_open_group_to_its_own_sheet(renewal_panel: dict) -> None:
    world = renewal_panel["world"]
    ctx = context(world, renewal_panel["experts"][0])

    waiting = index.waiting_html(ctx)

    panel = renewal_panel["panel_id"]
    assert f'href="./renewal_scoring.ipynb?panel={panel}"' in waiting
    assert all("?panel=" in link for link in re.findall(r'href="([^"]+)"', waiting))


def test_a_member_opening_the_link_gets_the_groups_sheet_as_if_picked(
    renewal_panel: dict, monkeypatch: pytest.MonkeyPatch
) -> None:
    world = renewal_panel["world"]
    expert = renewal_panel["experts"][0]

    page = opened(monkeypatch, world, expert, f"panel={renewal_panel['panel_id']}")

    assert picker_of(page).value == renewal_panel["panel_id"]
    assert "利益冲突声明" in texts(page)  # the SUP-03 gate of this group's sheet


def test_a_link_to_a_group_the_user_is_not_on_opens_nothing_of_it(
    renewal_panel: dict, monkeypatch: pytest.MonkeyPatch
) -> None:
    world = renewal_panel["world"]
    outsider = world.experts[JINAN][4]

    shown = texts(opened(monkeypatch, world, outsider, f"panel={renewal_panel['panel_id']}"))

    assert "济南鲁锦织造有限公司" not in shown and "利益冲突声明" not in shown


def test_a_link_with_no_usable_id_shows_the_picker_with_nothing_opened(
    renewal_panel: dict, monkeypatch: pytest.MonkeyPatch
) -> None:
    world = renewal_panel["world"]

    page = opened(monkeypatch, world, renewal_panel["experts"][0], "panel=abc")

    assert picker_of(page) is not None and "利益冲突声明" not in texts(page)


def test_a_group_not_offered_to_the_user_is_refused_with_a_message_and_logged(
    renewal_panel: dict, monkeypatch: pytest.MonkeyPatch
) -> None:
    world = renewal_panel["world"]
    expert = renewal_panel["experts"][0]
    ctx = context(world, expert)
    selection = selection_panel.my_panels(ctx.store, expert, "遴选")
    assert not selection.empty, "this world's expert also sits on a selection panel"
    before = count(world, refusals)

    page = opened(monkeypatch, world, expert, f"panel={int(selection.panel_id.iloc[0])}")

    assert "地址所指的评估组不在您可以打开的范围内" in texts(page)
    assert "利益冲突声明" not in texts(page)
    assert count(world, refusals) == before + 1


class PreheatedKernel:
    """A preheated kernel's loop and Voilà's wait for the request: the page runs before anyone
    asks for it; ``visit(query)`` is the request that takes the kernel arriving."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        import threading

        import voila.utils

        self.callbacks: list[Any] = []
        self.request = threading.Event()
        self.query = ""
        monkeypatch.setattr(kit, "kernel_loop", lambda: self)
        monkeypatch.setattr(kit._Visit, "arrived", False)
        monkeypatch.setattr(kit._Visit, "waiting", [])
        monkeypatch.setattr(kit._Visit, "waiter", None)
        self.lost = 0  # request-info sockets that fail before the request arrives
        self.asked = 0
        monkeypatch.setenv("VOILA_PREHEAT", "True")
        monkeypatch.setenv("QUERY_STRING", "")
        monkeypatch.setenv("SCRIPT_NAME", "")  # restored after the test; empty is unset
        monkeypatch.setattr(kit.time, "sleep", lambda _s: None)
        monkeypatch.setattr(voila.utils, "get_query_string", self._wait)

    def add_callback(self, fn: Any) -> None:  # tornado's thread-safe hand-over
        self.callbacks.append(fn)

    def call_later(self, _delay: float, fn: Any) -> None:  # the kernel's next turn
        self.callbacks.append(fn)

    def _wait(self) -> str:
        self.asked += 1
        if self.asked <= self.lost:  # Voilà's wait gives up quietly: nothing is set
            return os.environ.get("QUERY_STRING", "")
        self.request.wait(timeout=30)
        os.environ["QUERY_STRING"] = self.query  # as voila.utils.wait_for_request does
        os.environ["SCRIPT_NAME"] = "/voila/render/renewal_scoring.ipynb"
        return self.query

    def visit(self, query: str) -> None:
        self.query = query
        self.request.set()
        assert kit._Visit.waiter is not None
        kit._Visit.waiter.join(timeout=30)
        while self.callbacks:
            self.callbacks.pop(0)()


@pytest.fixture
def preheated(renewal_panel: dict, monkeypatch: pytest.MonkeyPatch) -> PreheatedKernel:
    """A preheated kernel of a renewal group member's server."""
    for name in IDENTITY_VARIABLES:
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("CASEWORK_USER", renewal_panel["experts"][0])
    monkeypatch.setenv("CASEWORK_DB", renewal_panel["world"].url)
    return PreheatedKernel(monkeypatch)


def test_a_preheated_page_reads_nothing_until_its_visit_then_opens_what_the_address_names(
    renewal_panel: dict, preheated: PreheatedKernel, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Voilà runs a preheated kernel's page before anyone asks: built then, it would show the
    data as of the preheating and could not read the 待办 link's ``?panel=``."""
    reads: list[str] = []
    real_open = context_module.open_context
    monkeypatch.setattr(context_module, "open_context", lambda: reads.append("x") or real_open())

    page = renewal_scoring.app()

    assert reads == [] and texts(page) == ""  # preheated: an empty frame, the store untouched
    preheated.visit(f"panel={renewal_panel['panel_id']}")
    assert reads == ["x"]
    assert picker_of(page).value == renewal_panel["panel_id"]
    assert "利益冲突声明" in texts(page)


def test_a_preheated_page_whose_request_socket_fails_asks_again_before_it_is_built(
    renewal_panel: dict, preheated: PreheatedKernel
) -> None:
    preheated.lost = 2

    page = renewal_scoring.app()
    preheated.visit(f"panel={renewal_panel['panel_id']}")

    assert preheated.asked == 3  # two lost sockets, then the request
    assert picker_of(page).value == renewal_panel["panel_id"]
    assert "利益冲突声明" in texts(page)


def test_a_preheated_page_that_fails_to_build_says_so_instead_of_staying_blank(
    preheated: PreheatedKernel, monkeypatch: pytest.MonkeyPatch
) -> None:

    def broken(*_args: Any) -> Any:
        raise RuntimeError("a bug")

    monkeypatch.setattr(renewal_scoring, "build", broken)
    page = renewal_scoring.app()
    preheated.visit("")

    assert f"{renewal_scoring.HEADING}：页面生成失败，请刷新页面或联系管理员。" in texts(page)


def test_a_preheated_institution_page_opens_the_institution_its_address_names_at_the_visit(
    preheated: PreheatedKernel, monkeypatch: pytest.MonkeyPatch
) -> None:
    from casework.dashboard import institution

    opened: list[int | None] = []

    def build(_ctx: Any, institution_id: int | None = None) -> Any:
        opened.append(institution_id)
        return plain_html("")

    monkeypatch.setattr(institution, "build", build)
    institution.app()
    assert opened == []  # nothing built before the visit: its address is not known yet

    preheated.visit("institution_id=7")

    assert opened == [7]
