"""A renewal group in the 评估中 state, for driving the apps in plain pytest."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from casework.registry import scenario
from casework.store.tables import filings
from tests.registry.conftest import JINAN, World
from tests.registry.conftest import world as world


@pytest.fixture
def renewal_panel(world: World) -> dict:
    ids = world.filed("济南鲁锦织造有限公司", ("P001", "P002"))
    with world.store.read() as conn:
        term_end = conn.execute(
            select(filings.c.term_end).where(filings.c.id == ids["filing_id"])
        ).scalar_one()
    case = scenario.renew(
        world.store,
        city_code=JINAN,
        filing_id=ids["filing_id"],
        term_end=term_end,
        experts=world.experts[JINAN],
        stop_at="评估中",
    )
    return {
        "world": world,
        "panel_id": case["panel_id"],
        "renewal_id": case["renewal_id"],
        "experts": world.experts[JINAN][:3],
        "term_end": term_end - timedelta(days=1),
    }


@pytest.fixture(autouse=True)
def no_archiving_on_submit(monkeypatch: pytest.MonkeyPatch) -> None:
    """App tests do not start report kernels; tests/ui/test_archive_on_submit.py does."""
    monkeypatch.setenv("CASEWORK_ARCHIVE_ON_SUBMIT", "0")
