"""`import casework` stays light; an app imports only what it needs (Voilà kernel start-up)."""

from __future__ import annotations

import json
import subprocess
import sys

HEAVY = ("sqlalchemy", "pandas", "pandera", "ipywidgets", "voila", "nbconvert", "alembic")


def imported_after(statement: str) -> set[str]:
    code = (
        f"import sys, json\n{statement}\n"
        "print(json.dumps(sorted({m.split('.')[0] for m in sys.modules})))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    return set(json.loads(out.stdout))


def test_import_casework_loads_no_storage_widget_or_export_library() -> None:
    loaded = imported_after("import casework")

    assert loaded.isdisjoint(HEAVY)


def test_the_domain_core_imports_no_storage_widget_or_export_library() -> None:
    loaded = imported_after(
        "import casework.domain.rules, casework.domain.calendar, casework.domain.terms, "
        "casework.domain.rubrics, "
        "casework.domain.scoring, casework.domain.lifecycle"
    )

    assert loaded.isdisjoint({"sqlalchemy", "ipywidgets", "voila", "nbconvert", "alembic"})


def test_an_app_module_does_not_import_voila_nbconvert_or_alembic() -> None:
    loaded = imported_after("import casework.ui.renewal_scoring")

    assert loaded.isdisjoint({"voila", "nbconvert", "alembic"})
