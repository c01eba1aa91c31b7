"""The shared small city history (tests/documents/world.py), copied per module, plus one more
institution whose renewal case has its self-evaluation submitted but no group yet."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date

import pytest

from casework.registry import scenario
from tests.documents.world import JINAN, World, copy_of_world

PENDING_NAME = "济南待组建评估组有限公司"


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> Iterator[World]:
    w = copy_of_world(tmp_path_factory.mktemp("world"))
    experts = scenario.seed_city_users(w.store, JINAN)
    e = scenario.new_institution(w.store, JINAN, PENDING_NAME, 15)
    filed = scenario.select_and_file(
        w.store,
        city_code=JINAN,
        institution_id=e,
        project_codes=("P002",),
        on=date(2025, 6, 3),
        experts=experts,
    )
    pending = scenario.renew(
        w.store,
        city_code=JINAN,
        filing_id=filed["filing_id"],
        term_end=date(2028, 5, 31),
        experts=experts,
        stop_at="已提交",
    )
    w.ids["e"] = {"institution_id": e, **filed, **pending}
    yield w
    w.store.dispose()
