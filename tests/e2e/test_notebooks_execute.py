"""Every shipped notebook executes headless without error, as the role it is meant for;
and the committed notebooks are exactly what the app table generates (thin, clean pages)."""

from __future__ import annotations

import json
from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient

from casework.registry import scenario
from casework.store.engine import open_store
from casework.ui.pages import PAGES, notebook_json
from tests.backend import store_url

NOTEBOOKS = Path(__file__).resolve().parents[2] / "notebooks"
USER_FOR_ROLE = {
    "专家": "expert370100_1",
    "市级经办": "officer370100",
    "机构": "inst_user",
    "省级管理": "province",
}


@pytest.fixture(scope="module")
def db_url(tmp_path_factory: pytest.TempPathFactory) -> str:
    path = tmp_path_factory.mktemp("nb") / "casework.db"
    url = store_url(path)
    store = open_store(url)
    scenario.seed_reference(store)
    scenario.seed_city_users(store, "370100")
    inst = scenario.new_institution(store, "370100", "济南鲁锦织造有限公司", 1)
    from casework import registry

    registry.add_user(
        store,
        registry.SYSTEM_ACTOR,
        username="inst_user",
        display_name="机构负责人",
        role="机构",
        institution_id=inst,
    )
    store.dispose()  # the province user comes with the reference data (scenario.seed_reference)
    return url


@pytest.mark.parametrize("page", PAGES, ids=lambda p: p.notebook)
def test_committed_notebook_is_the_generated_thin_page(page: object) -> None:
    path = NOTEBOOKS / f"{page.notebook}.ipynb"  # type: ignore[attr-defined]

    committed = json.loads(path.read_text(encoding="utf-8"))

    assert committed == notebook_json(page)  # type: ignore[arg-type]


@pytest.mark.slow
@pytest.mark.parametrize("page", PAGES, ids=lambda p: p.notebook)
def test_notebook_executes_headless_without_error(
    page: object, db_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    role = next(r for r in page.roles if r in USER_FOR_ROLE)  # type: ignore[attr-defined]
    monkeypatch.setenv("CASEWORK_DB", db_url)
    monkeypatch.setenv("CASEWORK_USER", USER_FOR_ROLE[role])
    nb = nbformat.read(NOTEBOOKS / f"{page.notebook}.ipynb", as_version=4)  # type: ignore[attr-defined]

    NotebookClient(nb, timeout=180, kernel_name="python3").execute()

    outputs = [o for c in nb.cells if c.cell_type == "code" for o in c.outputs]
    assert not [o for o in outputs if o.output_type == "error"]
    assert any("application/vnd.jupyter.widget-view+json" in o.get("data", {}) for o in outputs)
