"""Who sees what: the province all, a city role its own city only — forced in the query —
and experts and institutions nothing (SUP-01)."""

from __future__ import annotations

import pytest

from casework.dashboard.filters import Filters, check_viewer, filter_options, scope_filters
from casework.errors import PermissionDenied

from .conftest import JINAN, QINGDAO, Demo


@pytest.mark.parametrize("username", ["manager370100", "officer370100"])
def test_a_city_roles_city_filter_is_forced_to_its_own_city_sup_01(
    demo: Demo, username: str
) -> None:
    actor = demo.actor(username)

    scoped = scope_filters(demo.store, actor, Filters(status="有效", year=2026))

    assert scoped == Filters(city_code=JINAN, status="有效", year=2026)


def test_a_city_role_asking_for_another_city_is_refused_and_logged_sup_01(demo: Demo) -> None:
    actor = demo.actor("manager370100")
    before = demo.refusals()

    with pytest.raises(PermissionDenied, match="只能查看本市"):
        scope_filters(demo.store, actor, Filters(city_code=QINGDAO))

    assert demo.refusals() == before + 1
    reason = demo.sql("SELECT reason FROM refusals ORDER BY id DESC LIMIT 1").iloc[0, 0]
    assert QINGDAO in reason and "SUP-01" in reason


def test_the_province_keeps_the_city_it_chose(demo: Demo) -> None:
    actor = demo.actor("province")

    scoped = scope_filters(demo.store, actor, Filters(city_code=QINGDAO))

    assert scoped.city_code == QINGDAO


@pytest.mark.parametrize("username", ["expert370100_1", "inst0001"], ids=["expert", "institution"])
def test_experts_and_institutions_may_not_read_the_dashboards(demo: Demo, username: str) -> None:
    actor = demo.actor(username)
    before = demo.refusals()

    with pytest.raises(PermissionDenied, match="无权查看管理看板"):
        check_viewer(demo.store, actor)

    assert demo.refusals() == before + 1


def test_a_city_role_is_offered_its_own_city_and_its_own_projects_only(demo: Demo) -> None:
    own = set(
        demo.sql(
            "SELECT project_code FROM filing_projects fp JOIN filings f ON f.id = fp.filing_id"
            " WHERE f.city_code = :c UNION SELECT project_code FROM city_projects"
            " WHERE city_code = :c",
            c=JINAN,
        )["project_code"]
    )

    options = filter_options(demo.store, demo.actor("officer370100"))

    assert options.cities == [("济南", JINAN)]
    assert {v for _, v in options.projects} - {""} == own


def test_the_province_is_offered_all_sixteen_cities_and_the_whole_province(demo: Demo) -> None:
    options = filter_options(demo.store, demo.actor("province"))

    assert options.cities[0] == ("全省", "")
    assert len(options.cities) == 17
    assert options.years[0] == ("全部年份", 0)
