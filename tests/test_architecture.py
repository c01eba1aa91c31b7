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

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = ROOT / "casework"

NO_SQL_PACKAGES = ("casework.documents", "casework.reports", "casework.ui", "casework.dashboard")
SQL_MODULES = ("sqlalchemy", "casework.store.tables")
SQL_ALLOWED = {
    # module: why it may still import SQLAlchemy or the tables
    "casework.dashboard.filters": (
        "builds the SQL conditions of the dashboard filters that casework.queries.dashboard "
        "applies; to move into casework.queries by the dashboard's owner"
    ),
    "casework.reports.stamp": (
        "the archive stamp reads the audit log's head while it writes an archive entry "
        "(the archive writer, a write-side adapter)"
    ),
    "casework.documents.sources": (
        "temporary: the reads of the documents added after gather.py (investigation letters, "
        "reports to the province), being moved into casework.queries by their author"
    ),
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


READ_SIDE_IMPORTS_ALLOWED = {
    "casework.queries.certificates": (
        "the certificate action names (更正/撤销/不予认定) live in casework.registry.certificates; "
        "they belong with the states in casework.domain.lifecycle"
    ),
}


def test_the_read_side_imports_no_command() -> None:
    """casework.queries is the read side: it never imports the write side (casework.registry)."""
    offenders = {
        m: sorted(n for n in GRAPH[m] if n.startswith("casework.registry"))
        for m in MODULES
        if m.startswith("casework.queries") and m not in READ_SIDE_IMPORTS_ALLOWED
    }

    assert {m: n for m, n in offenders.items() if n} == {}
