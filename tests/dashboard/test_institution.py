"""An institution's page: its whole history as a timeline; a city role opens only its own
city's institutions (SUP-01)."""

from __future__ import annotations

import ipywidgets as w
import pytest

from casework.dashboard import institution
from casework.dashboard.history import check_institution, institution_history, search_institutions
from casework.errors import PermissionDenied
from casework.ui.kit import id_from_address

from .conftest import JINAN, Demo


def an_institution(demo: Demo, where: str) -> int:
    return int(demo.sql(f"SELECT f.institution_id FROM filings f WHERE {where} LIMIT 1").iloc[0, 0])


def test_the_history_holds_application_filing_scope_renewal_and_end_in_date_order(
    demo: Demo,
) -> None:
    renewed = an_institution(
        demo, "f.id IN (SELECT filing_id FROM renewal_cases WHERE status = '不合格')"
    )

    history = institution_history(demo.store, renewed)

    events = list(history["event"])
    assert "备案" in events and "备案考核项目" in events
    assert "续期评估不合格" in events and "终止备案" in events
    assert history["date"].is_monotonic_increasing


def test_the_history_of_a_selected_institution_starts_with_its_application_sel_02(
    demo: Demo,
) -> None:
    selected = an_institution(demo, "f.application_id IS NOT NULL")

    history = institution_history(demo.store, selected)

    assert history["event"].iloc[0].startswith("提交备案申请")
    assert "遴选评估结论" in set(history["event"])


def test_the_history_shows_investigation_steps_and_supervision_exit_04(demo: Demo) -> None:
    investigated = an_institution(
        demo, "f.id IN (SELECT filing_id FROM exit_cases WHERE kind = '违规')"
    )

    history = institution_history(demo.store, investigated)

    assert any(e.startswith("立案调查") for e in history["event"])


def test_a_city_role_opening_another_citys_institution_is_refused_and_logged_sup_01(
    demo: Demo,
) -> None:
    elsewhere = an_institution(demo, f"f.city_code != '{JINAN}'")
    before = demo.refusals()

    with pytest.raises(PermissionDenied, match="只能查看本市"):
        check_institution(demo.store, demo.actor("manager370100"), elsewhere)

    page = institution.build(demo.context("manager370100"), elsewhere)
    text = " ".join(getattr(c, "value", "") for c in page.children)
    assert demo.refusals() == before + 2
    assert "只能查看本市" in text
    name = demo.sql("SELECT name FROM institutions WHERE id = :i", i=elsewhere).iloc[0, 0]
    assert name not in text


def test_the_province_opens_any_institution_page(demo: Demo) -> None:
    elsewhere = an_institution(demo, f"f.city_code != '{JINAN}'")
    name = demo.sql("SELECT name FROM institutions WHERE id = :i", i=elsewhere).iloc[0, 0]

    page = institution.build(demo.context("province"), elsewhere)

    assert isinstance(page.children[1], w.VBox)
    assert name in page.children[1].children[0].value


def test_a_city_roles_search_finds_only_its_own_city(demo: Demo) -> None:
    found = search_institutions(demo.store, demo.actor("officer370100"), "")

    assert len(found) > 0
    assert set(found["city"]) == {"济南"}


def test_the_search_picker_opens_the_chosen_institution(demo: Demo) -> None:
    page = institution.build(demo.context("officer370100"))
    text, find = page.children[1].children
    results, open_button = page.children[2].children

    text.value = ""  # everything in scope
    find.click()
    open_button.click()

    name = demo.sql("SELECT name FROM institutions WHERE id = :i", i=results.value).iloc[0, 0]
    shown = page.children[4].children[0].children[0].value
    assert name in shown and "济南" in shown


def test_the_institution_id_is_read_from_the_page_address(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("QUERY_STRING", "institution_id=12&x=1")

    assert id_from_address("institution_id") == 12
