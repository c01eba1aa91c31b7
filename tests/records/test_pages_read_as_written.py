"""Every app page reads as written (issue #13): no ``nan``/``None``/``NaT``/``null`` and no raw
ISO timestamp reaches a page, and a page names people by their display name, never by their
user name.

Every page of :data:`casework.ui.pages.PAGES` is built in plain pytest on the demo province for
one user of each role the page is for; a page that takes a case is opened (its builder with the
case id, as its picker does) for one demo case of each state the page offers, by a user of that
role who may open it. Every text shown is scanned: HTML values, descriptions, placeholders,
dropdown option labels and tab titles, every dashboard tab drawn.
"""

from __future__ import annotations

import importlib
import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import ipywidgets as w
import pandas as pd
import pytest
from sqlalchemy import text

from casework.registry import add_user
from casework.registry.actors import (
    CITY_MANAGER,
    CITY_OFFICER,
    EXPERT,
    INSTITUTION,
    PROVINCE,
    SYSTEM_ACTOR,
)
from casework.registry.catalog import actor_for
from casework.store.engine import Store, open_store
from casework.ui.context import AppContext
from casework.ui.pages import PAGES, Page
from tests.demo_store import TODAY, shared_demo

pytestmark = pytest.mark.slow

RAW = {
    "nan": re.compile(r"(?<![A-Za-z0-9_])(?:nan|NaN)(?![A-Za-z0-9_])"),
    "None": re.compile(r"(?<![A-Za-z0-9_])None(?![A-Za-z0-9_])"),
    "NaT": re.compile(r"(?<![A-Za-z0-9_])NaT(?![A-Za-z0-9_])"),
    "null": re.compile(r"(?<![A-Za-z0-9_])null(?![A-Za-z0-9_])"),
    "ISO timestamp": re.compile(r"\d{4}-\d\d-\d\dT\d\d:"),
}
DATA_URL = re.compile(r"data:[^\"'\s)]*")
"""Downloads embedded as data URLs (base64 bytes are not text shown to anyone)."""

SIGN_IN_NAME_SHOWN: dict[str, tuple[str, str]] = {
    "index": (
        "当前用户：",
        "the heading shows “当前用户：姓名（用户名）”: the sign-in name the user signed in with",
    ),
    "users": (
        "",
        "人员与权限 manages accounts: the user name is the account added, deactivated or given "
        "a role, on the whole page",
    ),
    "panels": (
        "<th>登录名</th>",
        "the expert pool (专家库) registers each expert's sign-in name (登录名 column, SEL-03); "
        "the rest of the page names experts by name",
    ),
}
"""Where a page deliberately shows a sign-in name: page → (a marker of the text that may show
it, empty for the whole page; why). Everywhere else people are shown by name only."""

ROLE_IDS = {
    EXPERT: "expert",
    CITY_OFFICER: "officer",
    CITY_MANAGER: "manager",
    PROVINCE: "province",
    INSTITUTION: "institution",
}

CASES: dict[str, str] = {
    "call": "SELECT id AS case_key, status AS state, city_code, NULL AS institution_id,"
    " NULL AS panel_id FROM calls",
    "application": "SELECT a.id AS case_key, a.status AS state, i.city_code, a.institution_id,"
    " NULL AS panel_id FROM applications a JOIN institutions i ON i.id = a.institution_id",
    "notice_filing": "SELECT a.id AS case_key, a.status AS state, i.city_code, a.institution_id,"
    " NULL AS panel_id FROM applications a JOIN institutions i ON i.id = a.institution_id",
    "institution_data": "SELECT i.id AS case_key, coalesce((SELECT f.status FROM filings f"
    " WHERE f.institution_id = i.id ORDER BY f.id DESC LIMIT 1), (SELECT a.status FROM"
    " applications a WHERE a.institution_id = i.id ORDER BY a.id DESC LIMIT 1), '未申请')"
    " AS state, i.city_code, i.id AS institution_id, NULL AS panel_id FROM institutions i",
    "selection_panel": "SELECT p.id AS case_key, a.status AS state, i.city_code,"
    " a.institution_id, p.id AS panel_id FROM panels p JOIN applications a"
    " ON a.id = p.application_id JOIN institutions i ON i.id = a.institution_id",
    "scope": "SELECT id AS case_key, status AS state, city_code, institution_id,"
    " NULL AS panel_id FROM filings",
    "self_evaluation": "SELECT r.id AS case_key, r.status AS state, f.city_code,"
    " f.institution_id, NULL AS panel_id FROM renewal_cases r JOIN filings f"
    " ON f.id = r.filing_id",
    "renewal_scoring": "SELECT p.id AS case_key, r.status AS state, f.city_code,"
    " f.institution_id, p.id AS panel_id FROM panels p JOIN renewal_cases r"
    " ON r.id = p.renewal_id JOIN filings f ON f.id = r.filing_id",
    "exits": "SELECT f.id AS case_key, coalesce(e.kind || '：' || e.status, '备案' || f.status)"
    " AS state, f.city_code, f.institution_id, NULL AS panel_id FROM filings f"
    " LEFT JOIN exit_cases e ON e.filing_id = f.id",
    "decisions": "SELECT 'selection:' || a.id AS case_key, '遴选' || a.status AS state,"
    " i.city_code, a.institution_id, NULL AS panel_id FROM applications a JOIN institutions i"
    " ON i.id = a.institution_id UNION ALL SELECT 'renewal:' || r.id, '续期' || r.status,"
    " f.city_code, f.institution_id, NULL FROM renewal_cases r JOIN filings f"
    " ON f.id = r.filing_id",
    "supervision": "SELECT i.id AS case_key, coalesce((SELECT '监管' || n.status FROM incidents n"
    " WHERE n.institution_id = i.id ORDER BY n.id DESC LIMIT 1), (SELECT '备案' || f.status"
    " FROM filings f WHERE f.institution_id = i.id ORDER BY f.id DESC LIMIT 1), '未备案')"
    " AS state, i.city_code, i.id AS institution_id, NULL AS panel_id FROM institutions i",
    "institution_history": "SELECT i.id AS case_key, coalesce((SELECT f.status FROM filings f"
    " WHERE f.institution_id = i.id ORDER BY f.id DESC LIMIT 1), (SELECT a.status FROM"
    " applications a WHERE a.institution_id = i.id ORDER BY a.id DESC LIMIT 1), '未申请')"
    " AS state, i.city_code, i.id AS institution_id, NULL AS panel_id FROM institutions i",
}
"""The demo cases a page that takes a case can open: its parameter's value, the case's state."""


@dataclass
class Demo:
    store: Store

    def sql(self, query: str, **params: object) -> pd.DataFrame:
        with self.store.read() as conn:
            return pd.read_sql_query(text(query), conn, params=params)

    def context(self, username: str) -> AppContext:
        with self.store.read() as conn:
            actor = actor_for(conn, username)
        return AppContext(store=self.store, actor=actor, today=TODAY)

    def usernames(self) -> list[str]:
        return sorted(self.sql("SELECT username FROM users")["username"])


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Demo]:
    """The demo province, with an institution head's account for every institution (the demo
    has only a few), so that every state of a case is open to the 机构 role."""
    url = shared_demo(tmp_path_factory).copy(tmp_path_factory.mktemp("pages-demo"))
    store = open_store(url, migrate=False)
    demo = Demo(store)
    heads = demo.sql(
        "SELECT i.id, i.name, i.city_code FROM institutions i WHERE NOT EXISTS (SELECT 1"
        " FROM users u WHERE u.institution_id = i.id) AND i.extinct_on IS NULL"
    )
    for row in heads.to_dict("records"):
        add_user(
            store,
            SYSTEM_ACTOR,
            username=f"head{int(row['id']):04d}",
            display_name=f"{row['name']}负责人",
            role=INSTITUTION,
            city_code=str(row["city_code"]),
            institution_id=int(row["id"]),
        )
    yield demo
    store.dispose()


# --- what a page shows ---------------------------------------------------------------------


def shown(widget: Any) -> Iterator[str]:
    """Every text a user sees under ``widget``: values, labels, options, tab titles; each tab
    of a lazily drawn tab set is selected so that it is drawn."""
    stack = [widget]
    while stack:
        node = stack.pop()
        if isinstance(node, w.Tab):
            for i in range(len(node.children)):
                node.selected_index = i
            yield from (str(t) for t in node.titles if t)
        labels = getattr(node, "_options_labels", None)
        value = getattr(node, "value", None)
        if isinstance(value, str) and labels is None:  # a dropdown's value is a key, not shown
            yield value
        for attr in ("description", "placeholder", "tooltip"):
            label = getattr(node, attr, None)
            if isinstance(label, str) and label:
                yield label
        yield from (str(o) for o in labels or ())
        stack.extend(reversed(list(getattr(node, "children", ()))))


def findings(widget: Any, usernames: list[str], page: str) -> list[str]:
    """What is wrong with the texts shown under ``widget`` (each finding with its context)."""
    found = []
    names = [re.compile(rf"(?<![A-Za-z0-9_]){re.escape(u)}(?![A-Za-z0-9_])") for u in usernames]
    marker = SIGN_IN_NAME_SHOWN[page][0] if page in SIGN_IN_NAME_SHOWN else None
    for part in shown(widget):
        body = DATA_URL.sub("data:…", part)
        sign_in_name_shown = marker is not None and marker in body
        checks = [*RAW.items(), *([] if sign_in_name_shown else [("user name", n) for n in names])]
        for label, pattern in checks:
            for hit in pattern.finditer(body):
                start = max(0, hit.start() - 60)
                context = body[start : hit.end() + 40].replace("\n", " ")
                found.append(f"{label} {hit.group(0)!r} in …{context}…")
    return found


def builder(page: Page) -> Any:
    return importlib.import_module(f"casework.ui.{page.module}").build


# --- who opens what ------------------------------------------------------------------------


def landing_user(demo: Demo, role: str) -> str | None:
    """One user of ``role`` with the most to see: the city with the most applications, the
    expert on the most panels, the institution head with the most cases."""
    queries = {
        CITY_OFFICER: "SELECT u.username FROM users u JOIN institutions i"
        " ON i.city_code = u.city_code JOIN applications a ON a.institution_id = i.id"
        " WHERE u.role = :role GROUP BY u.username ORDER BY count(*) DESC, u.username",
        EXPERT: "SELECT m.username FROM panel_members m JOIN users u ON u.username = m.username"
        " WHERE u.role = :role GROUP BY m.username ORDER BY count(*) DESC, m.username",
        INSTITUTION: "SELECT u.username FROM users u JOIN filings f"
        " ON f.institution_id = u.institution_id WHERE u.role = :role"
        " GROUP BY u.username ORDER BY count(*) DESC, u.username",
        PROVINCE: "SELECT username FROM users WHERE role = :role ORDER BY username",
    }
    query = queries.get(role, queries[CITY_OFFICER])
    found = demo.sql(query, role=role)
    return str(found.iloc[0, 0]) if not found.empty else None


def case_user(demo: Demo, role: str, case: dict[str, Any]) -> str | None:
    """A user of ``role`` who may open ``case``: of its city, its institution's head, or a member
    of its panel (the leader first, one who declared no conflict of interest first)."""
    if role == PROVINCE:
        return landing_user(demo, PROVINCE)
    if role == INSTITUTION:
        query = "SELECT username FROM users WHERE role = :role AND institution_id = :inst"
    elif role == EXPERT:
        if case["panel_id"] is None or pd.isna(case["panel_id"]):
            return None
        query = (
            "SELECT username FROM panel_members WHERE panel_id = :panel"
            " ORDER BY is_leader DESC, coi_declared_at IS NULL, username"
        )
    else:
        query = "SELECT username FROM users WHERE role = :role AND city_code = :city"
    found = demo.sql(
        query + ("" if role == EXPERT else " ORDER BY username"),
        role=role,
        inst=None if pd.isna(case["institution_id"]) else int(case["institution_id"]),
        panel=None if pd.isna(case["panel_id"]) else int(case["panel_id"]),
        city=case["city_code"],
    )
    return str(found.iloc[0, 0]) if not found.empty else None


def one_case_per_state(demo: Demo, page: Page, role: str) -> list[tuple[str, Any, str]]:
    """(state, case key, user) for one case of each state the page offers ``role``."""
    chosen: dict[str, tuple[str, Any, str]] = {}
    frame = demo.sql(CASES[page.notebook]).sort_values("case_key", key=lambda s: s.astype(str))
    for case in frame.to_dict("records"):
        state = str(case["state"])
        if state in chosen:
            continue
        user = case_user(demo, role, case)
        if user is not None:
            key = case["case_key"]
            chosen[state] = (state, key if isinstance(key, str) else int(key), user)
    return list(chosen.values())


PAGE_ROLES = [
    pytest.param(page, role, id=f"{page.notebook}-{ROLE_IDS[role]}")
    for page in PAGES
    for role in page.roles
]


def test_the_scan_reads_html_option_labels_and_tab_titles_but_not_dropdown_keys() -> None:
    tabs = w.Tab(children=[w.HTML("<td>建议“nan”</td>")])
    tabs.set_title(0, "提交于2026-03-01T17:30:00")
    page = w.VBox(
        [
            tabs,
            w.Dropdown(options=[("经办人officer370100", "None")], description="经办人"),
            w.HTML("当前用户：曾明（officer370100）"),
        ]
    )

    found = findings(page, ["officer370100"], "index")

    assert [f.split(" ")[0] for f in found] == ["ISO", "nan", "user"], found


def test_every_page_that_takes_a_case_names_its_demo_cases() -> None:
    taking = {p.notebook for p in PAGES if p.parameter}

    assert taking == set(CASES), taking ^ set(CASES)


@pytest.mark.parametrize(("page", "role"), PAGE_ROLES)
def test_a_page_shows_no_raw_value_and_names_people_by_name(
    demo: Demo, page: Page, role: str
) -> None:
    build = builder(page)
    usernames = demo.usernames()
    opened: list[tuple[str, str, Any]] = []  # (what, user, widget)
    landing = landing_user(demo, role)
    assert landing is not None, f"演示数据中没有{role}用户"
    opened.append(("首页", landing, build(demo.context(landing))))
    if page.parameter:
        states = one_case_per_state(demo, page, role)
        assert states, f"{page.title}：演示数据中没有{role}可以打开的案件"
        for state, key, user in states:
            opened.append(
                (f"{state}（{page.parameter}={key}）", user, build(demo.context(user), key))
            )

    problems = [
        f"{page.title}[{role} {user}] {what}: {finding}"
        for what, user, widget in opened
        for finding in findings(widget, usernames, page.notebook)
    ]

    assert not problems, "\n".join(problems[:60]) + f"\n（共{len(problems)}处）"
