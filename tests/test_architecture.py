"""The layers hold: documents, reports, pages and dashboards read through ``casework.queries``
(no SQL of their own), and no two casework modules import each other in a circle (issue #15).

The read side is one place so that a forgotten ``WHERE`` cannot hide in a page or a letter:
the class of bug behind the Attachment 4 leak of issue #13.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

import pytest

from casework.domain import lifecycle, rules

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = ROOT / "casework"

NO_SQL_PACKAGES = ("casework.documents", "casework.reports", "casework.ui", "casework.dashboard")
SQL_MODULES = ("sqlalchemy", "casework.store.tables")
SQL_ALLOWED: dict[str, str] = {
    # module: why it may still import SQLAlchemy or the tables
}
CIRCLES_ALLOWED = {
    # being fixed by another engineer (issue #15); remove when gone
    frozenset({"casework.store.engine", "casework.store.migrate"}),
}


def module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts = parts[:-1]
    return ".".join(parts)


MODULES = {module_name(p): p for p in sorted(PACKAGE.rglob("*.py"))}


def _type_checking_only(node: ast.AST) -> bool:
    test = node.test if isinstance(node, ast.If) else None
    return isinstance(test, ast.Name | ast.Attribute) and ast.unparse(test).endswith(
        "TYPE_CHECKING"
    )


def _walk(tree: ast.AST) -> Iterator[ast.AST]:
    """Every node, skipping ``if TYPE_CHECKING:`` blocks (they do not run)."""
    for child in ast.iter_child_nodes(tree):
        if _type_checking_only(child):
            continue
        yield child
        yield from _walk(child)


def imported(module: str) -> set[str]:
    """Every module ``module`` imports, anywhere in it (module level or inside a function):
    ``from pkg import mod`` counts as ``pkg.mod`` when that is a module, else as ``pkg``."""
    path = MODULES[module]
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    found: set[str] = set()
    for node in _walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found |= {a.name for a in node.names}
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                parts = package.split(".")
                anchor = parts[: len(parts) - node.level + 1]
                base = ".".join([*anchor, *([base] if base else [])])
            for a in node.names:
                found.add(f"{base}.{a.name}" if f"{base}.{a.name}" in MODULES else base)
    return found


def casework_edges(module: str) -> set[str]:
    """The casework modules ``module`` imports, less its own enclosing packages (Python has
    initialised those before the module runs, so importing them closes no circle)."""
    return {
        name
        for name in imported(module)
        if name in MODULES and name != module and not module.startswith(name + ".")
    }


GRAPH = {m: casework_edges(m) for m in MODULES}


def circles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components with more than one module (Tarjan), each as a cycle."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(v: str) -> None:
        index[v] = low[v] = len(index)
        stack.append(v)
        on_stack.add(v)
        for w in sorted(graph[v]):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            component = []
            while True:
                w = stack.pop()
                on_stack.discard(w)
                component.append(w)
                if w == v:
                    break
            if len(component) > 1:
                found.append(_cycle_through(sorted(component), graph))

    for v in sorted(graph):
        if v not in index:
            visit(v)
    return found


def _cycle_through(component: list[str], graph: dict[str, set[str]]) -> list[str]:
    """One cycle inside ``component``, from its first module back to it (for the message)."""
    start, members = component[0], set(component)
    paths = {start: [start]}
    queue = [start]
    while queue:
        v = queue.pop(0)
        for w in sorted(graph[v] & members):
            if w == start:
                return [*paths[v], start]
            if w not in paths:
                paths[w] = [*paths[v], w]
                queue.append(w)
    return component


def test_no_page_document_report_or_dashboard_has_sql_of_its_own() -> None:
    offenders = {
        m: sorted(n for n in imported(m) if n.split(".")[0] == "sqlalchemy" or n in SQL_MODULES)
        for m in MODULES
        if m.startswith(NO_SQL_PACKAGES) and m not in SQL_ALLOWED
    }
    offenders = {m: names for m, names in offenders.items() if names}

    assert offenders == {}, "read through casework.queries instead: " + "; ".join(
        f"{m} imports {', '.join(n)}" for m, n in offenders.items()
    )


def test_the_sql_allow_list_names_only_modules_that_still_need_it() -> None:
    stale = [
        m
        for m in SQL_ALLOWED
        if m not in MODULES or not any(n.split(".")[0] == "sqlalchemy" for n in imported(m))
    ]

    assert stale == [], f"remove from SQL_ALLOWED (no SQL left): {stale}"


def test_no_casework_modules_import_each_other_in_a_circle() -> None:
    found = [c for c in circles(GRAPH) if frozenset(c) not in CIRCLES_ALLOWED]

    assert found == [], "import circles: " + "; ".join(" → ".join(c) for c in found)


@pytest.mark.parametrize(
    ("graph", "expected"),
    [
        ({"a": {"b"}, "b": {"a"}}, [["a", "b", "a"]]),
        ({"a": {"b"}, "b": {"c"}, "c": set()}, []),
    ],
    ids=["two modules in a circle", "a chain"],
)
def test_the_circle_finder_names_the_circle(
    graph: dict[str, set[str]], expected: list[list[str]]
) -> None:
    assert circles(graph) == expected


READ_SIDE_IMPORTS_ALLOWED: dict[str, str] = {}
IDENTITY = "casework.registry.actors"
"""Who acts (Actor, the role names): the read side scopes by it; it holds no command."""


def test_the_read_side_imports_no_command() -> None:
    """casework.queries is the read side: it never imports the write side (casework.registry),
    save the identity model that scopes every read."""
    offenders = {
        m: sorted(n for n in GRAPH[m] if n.startswith("casework.registry") and n != IDENTITY)
        for m in MODULES
        if m.startswith("casework.queries") and m not in READ_SIDE_IMPORTS_ALLOWED
    }

    assert {m: n for m, n in offenders.items() if n} == {}


STATES = frozenset(s for m in lifecycle.MACHINES for s in m.states)
STATE_LITERALS_ALLOWED: dict[str, tuple[frozenset[str] | None, str]] = {
    # module or package: (the state spellings it may keep, None for any; why)
    "casework.domain.rules": (
        frozenset({rules.GRADE_PASS, rules.GRADE_FAIL, rules.TERMINATED_STATUS}),
        "defines the grades 合格/不合格 (REN-05) and the catalog's 终止备案 label, which the "
        "lifecycle takes its RENEWAL_PASSED/FAILED and FILING_TERMINATED from",
    ),
    "casework.queries.stored_sheets": (
        frozenset({"已提交"}),
        "a scoring sheet's own states (草稿/已提交), not a case's: sheets have no machine",
    ),
    "casework.ui.certificates": (
        frozenset({"有效"}),
        "a certificate's validity (有效 / 自…起无效, SUP-04), not the filing state 有效",
    ),
    "casework.ui.users": (
        frozenset({"有效"}),
        "a user account's state (有效 / 已停用), not the filing state 有效",
    ),
    "casework.queries.archivable": (
        None,
        "temporary: the reports' reads being moved here now by the reports engineer; to use "
        "lifecycle.APPLICATION_* (issue #15)",
    ),
    "casework.archive": (None, "temporary: retention rules being edited by the archive engineer"),
    "casework.documents": (None, "temporary: being edited by the documents engineer (issue #15)"),
    "casework.reports": (None, "temporary: being edited by the reports engineer (issue #15)"),
    "casework.intake": (
        None,
        "intake.values reads 合格/不合格/未通过 in a spreadsheet cell as yes/no, not as states",
    ),
}


def _may_spell(module: str, text: str) -> bool:
    """True when the allow-list lets ``module`` spell the state ``text``."""
    for name, (spellings, _why) in STATE_LITERALS_ALLOWED.items():
        if module == name or module.startswith(name + "."):
            return spellings is None or text in spellings
    return False


def state_literals(module: str) -> list[tuple[int, str]]:
    """(line, text) of every string literal in ``module`` that spells a lifecycle state:
    docstrings and the text parts of f-strings do not count."""
    tree = ast.parse(MODULES[module].read_text(encoding="utf-8"))
    skip: set[int] = set()
    for node in ast.walk(tree):
        body = getattr(node, "body", None)
        if isinstance(body, list) and body and isinstance(body[0], ast.Expr):
            skip.add(id(body[0].value))
        if isinstance(node, ast.JoinedStr):
            skip |= {id(v) for v in node.values}
    return sorted(
        (node.lineno, node.value)
        for node in ast.walk(tree)
        if isinstance(node, ast.Constant)
        and isinstance(node.value, str)
        and node.value in STATES
        and id(node) not in skip
    )


SPELLED = {m: state_literals(m) for m in MODULES if m != "casework.domain.lifecycle"}


def test_no_module_outside_the_lifecycle_spells_a_state() -> None:
    """A state is spelled once, in casework.domain.lifecycle; others import its names."""
    offenders = {
        m: [f"{line}: {text}" for line, text in found if not _may_spell(m, text)]
        for m, found in SPELLED.items()
    }
    offenders = {m: f for m, f in offenders.items() if f}

    assert offenders == {}, "use the names in casework.domain.lifecycle: " + "; ".join(
        f"{m} ({', '.join(f)})" for m, f in offenders.items()
    )


def test_the_state_allow_list_names_only_modules_that_still_spell_a_state() -> None:
    stale = [
        name
        for name in STATE_LITERALS_ALLOWED
        if not any(found for m, found in SPELLED.items() if m == name or m.startswith(name + "."))
    ]

    assert stale == [], f"remove from STATE_LITERALS_ALLOWED (no state spelled): {stale}"


def test_the_state_finder_sees_a_state_but_not_a_docstring_or_fstring(tmp_path: Path) -> None:
    source = '"""有效"""\nSTATUS = "有效"\nLABEL = f"证书{1}有效"\n'
    module = "casework._probe"
    MODULES[module] = tmp_path / "probe.py"
    MODULES[module].write_text(source, encoding="utf-8")
    try:
        found = state_literals(module)
    finally:
        del MODULES[module]

    assert found == [(2, lifecycle.FILING_VALID)]
