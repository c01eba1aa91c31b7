"""The demo teaches the work: every served user exists and has open work on first start, the
printed story names only users who exist and pages in their index; the demo store is a
training store whose simulated date a city manager moves forward (and a production store
refuses to)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, timedelta
from pathlib import Path

import pytest
from sqlalchemy import select

from casework.demo.served import HEAD_USERNAME, PANEL_INSTITUTION, STORY_INSTITUTION
from casework.demo.story import EXPERTS, OFFICER, SERVED, STORY, WAITING, story_text
from casework.errors import PermissionDenied, RuleViolation
from casework.queries.training_clock import simulated_today
from casework.registry import scenario
from casework.registry.catalog import actor_for
from casework.registry.training_clock import PRODUCTION_REFUSAL, move_training_clock
from casework.store.engine import Store, open_store
from casework.store.tables import audit_log, users
from casework.ui.index import waiting_html
from casework.ui.pages import pages_for
from tests.backend import store_url
from tests.demo_store import TODAY, shared_demo


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Store]:
    shared = shared_demo(tmp_path_factory)
    store = open_store(shared.copy(tmp_path_factory.mktemp("story")))
    yield store
    store.dispose()


def roles_of(store: Store) -> dict[str, str]:
    with store.read() as conn:
        return dict(conn.execute(select(users.c.username, users.c.role)).all())


def test_every_user_the_story_names_exists_and_has_the_page_in_their_index(demo: Store) -> None:
    roles = roles_of(demo)

    for step in (*STORY, *WAITING):
        for username in step.who:
            assert username in roles, username
            offered = {p.notebook for p in pages_for(roles[username])} | {"index"}
            assert step.page in offered, (username, step.page)
    assert {u for _, u in SERVED} <= set(roles)


def test_the_printed_story_names_each_user_and_the_institution_it_carries() -> None:
    text = story_text({OFFICER: "经办人甲（officer370100）"})

    assert STORY_INSTITUTION in text
    assert "经办人甲（officer370100）" in text
    assert "备案回执" in text and "调整模拟日期" in text


def open_context_for(store: Store, username: str):  # type: ignore[no-untyped-def]
    from casework.ui.context import AppContext

    with store.read() as conn:
        actor = actor_for(conn, username)
    return AppContext(store=store, actor=actor, today=TODAY, training=True)


@pytest.mark.parametrize("username", [*EXPERTS, HEAD_USERNAME])
def test_each_served_expert_and_the_head_find_open_work_on_their_index(
    demo: Store, username: str
) -> None:
    html = waiting_html(open_context_for(demo, username))

    assert "待办" in html
    if username == HEAD_USERNAME:
        assert "续期自评" in html
    else:
        assert PANEL_INSTITUTION in html and "续期评估组" in html


def test_the_served_officer_has_a_fresh_application_and_an_incident_to_follow(
    demo: Store,
) -> None:
    from casework.queries.application_intake import city_applications

    frame = city_applications(demo, "370100")

    fresh = frame[frame.institution == STORY_INSTITUTION]
    assert list(fresh.status) == ["已提交"]
    with demo.read() as conn:
        open_incidents = conn.exec_driver_sql(
            "SELECT count(*) FROM incidents i JOIN institutions n ON n.id = i.institution_id "
            "WHERE n.city_code = '370100' AND i.status = '处理中'"
        ).scalar()
    assert open_incidents >= 1


def test_the_served_city_has_an_expert_pool(demo: Store) -> None:
    from casework.queries.experts import pool_of

    pool = pool_of(demo, "370100")

    assert set(EXPERTS) <= set(pool.username)


def test_a_demo_store_is_a_training_store_dated_the_demo_s_today(demo: Store) -> None:
    assert simulated_today(demo) == TODAY


def test_a_city_manager_moves_the_simulated_date_forward_audited(demo: Store) -> None:
    manager = scenario.city_manager("370100")
    later = TODAY + timedelta(days=10)

    moved = move_training_clock(demo, manager, to=later)

    assert moved == later and simulated_today(demo) == later
    with demo.read() as conn:
        last = conn.execute(
            select(audit_log.c.command, audit_log.c.actor).order_by(audit_log.c.seq.desc())
        ).first()
    assert tuple(last) == ("调整演示模拟日期", manager.username)
    with pytest.raises(RuleViolation, match="只能向后调整"):
        move_training_clock(demo, manager, to=TODAY)
    with pytest.raises(RuleViolation, match="节假日安排"):
        move_training_clock(demo, manager, to=date(2031, 1, 6))


def test_an_officer_may_not_move_the_simulated_date(demo: Store) -> None:
    with pytest.raises(PermissionDenied):
        move_training_clock(demo, scenario.city_officer("370100"), to=date(2026, 12, 1))


def test_a_production_store_refuses_to_move_its_date_in_chinese(tmp_path: Path) -> None:
    store = open_store(store_url(tmp_path / "production.db"))
    scenario.seed_reference(store)
    scenario.seed_city_users(store, "370100")

    with pytest.raises(RuleViolation) as refused:
        move_training_clock(store, scenario.city_manager("370100"), to=date(2026, 11, 2))

    assert str(refused.value).startswith(PRODUCTION_REFUSAL[:10])
    assert simulated_today(store) is None
    store.dispose()
