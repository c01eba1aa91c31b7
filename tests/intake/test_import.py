"""import_file: all or nothing, idempotent, one audit entry, access (SUP-01), the gate (EXIT-04,
ATT4-SCOPE)."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import select

from casework import registry as r
from casework.errors import PermissionDenied, ValidationFailed
from casework.intake import import_file
from casework.store.tables import audit_log, candidate_results, institutions, intake_imports, staff

from .conftest import OFFICER, QINGDAO_OFFICER, World
from .make_corpus import PEOPLE, RESULTS_HEADER, STAFF_HEADER, USCC, _result_row, _staff_row


def csv(*lines: str) -> bytes:
    return ("\n".join(lines) + "\n").encode()


RESULTS = csv(RESULTS_HEADER, *(_result_row(i) for i in range(4)))


def test_importing_the_same_file_twice_adds_nothing_the_second_time(world: World) -> None:
    first = import_file(world.store, OFFICER, "results", RESULTS, "r.csv")

    second = import_file(world.store, OFFICER, "results", RESULTS, "r.csv")

    assert (first.added, first.unchanged) == (4, 0)
    assert (second.added, second.updated, second.unchanged) == (0, 0, 4)
    assert world.count(candidate_results) == 4


def test_the_same_rows_as_xlsx_after_csv_add_nothing(world: World) -> None:
    import io

    from openpyxl import Workbook

    import_file(world.store, OFFICER, "results", RESULTS, "r.csv")
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    for line in RESULTS.decode().splitlines():
        sheet.append([int(x) if x.isdigit() and len(x) < 5 else x for x in line.split(",")])
    out = io.BytesIO()
    book.save(out)

    again = import_file(world.store, OFFICER, "results", out.getvalue(), "r.xlsx")

    assert (again.added, again.updated, again.unchanged) == (0, 0, 4)


def test_a_changed_row_is_updated_by_its_natural_key(world: World) -> None:
    import_file(world.store, OFFICER, "results", RESULTS, "r.csv")
    changed = RESULTS.replace(b",85,", b",60,", 1)

    result = import_file(world.store, OFFICER, "results", changed, "r.csv")

    with world.store.read() as conn:
        scores = sorted(conn.execute(select(candidate_results.c.score)).scalars())
    assert (result.added, result.updated, result.unchanged) == (0, 1, 3)
    assert scores == [60.0, 85.0, 85.0, 85.0]


def test_an_import_is_one_audit_entry_naming_the_file_and_counts(world: World) -> None:
    before = world.audit_entries()

    import_file(world.store, OFFICER, "results", RESULTS, "r.csv")

    with world.store.read() as conn:
        entry = conn.execute(select(audit_log).order_by(audit_log.c.seq.desc())).mappings().first()
        logged = conn.execute(select(intake_imports.c.added)).scalars().all()
    assert world.audit_entries() == before + 1
    assert entry is not None and entry["command"] == "导入数据"
    assert '"added":4' in entry["changes"] and "r.csv" in entry["changes"]
    assert logged[-1] == 4


def test_a_file_with_one_bad_row_stores_none_of_its_rows(world: World) -> None:
    bad = csv(RESULTS_HEADER, _result_row(0), _result_row(1), _result_row(2, batch="B404"))

    with pytest.raises(ValidationFailed):
        import_file(world.store, OFFICER, "results", bad, "r.csv")

    assert world.count(candidate_results) == 0


def test_every_problem_of_a_file_is_listed_at_once(world: World) -> None:
    bad = csv(
        RESULTS_HEADER,
        _result_row(0).replace(",85,", ",120,"),
        _result_row(1, batch="B404"),
        _result_row(2).replace(",是,", ",也许,"),
    )

    with pytest.raises(ValidationFailed) as refused:
        import_file(world.store, OFFICER, "results", bad, "r.csv")

    problems = refused.value.problems
    assert list(problems["行"]) == [2, 3, 4]
    assert list(problems["列"]) == ["成绩", "批次号", "是否通过"]


def test_a_city_officer_may_not_import_for_another_citys_institution_sup_01(world: World) -> None:
    with pytest.raises(PermissionDenied) as refused:
        import_file(world.store, QINGDAO_OFFICER, "results", RESULTS, "r.csv")

    assert refused.value.rule_id == "SUP-01"
    assert USCC in str(refused.value)
    assert world.count(candidate_results) == 0


def test_an_institution_user_imports_its_own_data(world: World) -> None:
    result = import_file(world.store, world.institution_user, "results", RESULTS, "r.csv")

    assert result.added == 4


def test_an_institution_user_may_not_import_another_institutions_rows(world: World) -> None:
    other = csv(STAFF_HEADER, _staff_row(0).replace(USCC, r_uscc(world, "yi")))

    with pytest.raises(PermissionDenied):
        import_file(world.store, world.institution_user, "staff", other, "s.csv")

    assert world.count(staff) == 0


def r_uscc(world: World, key: str) -> str:
    with world.store.read() as conn:
        return str(
            conn.execute(
                select(institutions.c.uscc).where(institutions.c.id == world.ids[key])
            ).scalar_one()
        )


@pytest.mark.parametrize("role", ["专家", "省级管理"])
def test_experts_and_the_province_may_not_import(world: World, role: str) -> None:
    from casework.registry.actors import Actor

    with pytest.raises(PermissionDenied):
        import_file(world.store, Actor("x", role), "results", RESULTS, "r.csv")


def test_results_of_a_suspended_filing_are_refused_exit_04(world: World) -> None:
    r.open_investigation(
        world.store,
        OFFICER,
        filing_id=world.ids["jia_filing"],
        grounds="举报核查",
        on=date(2025, 6, 2),
    )

    with pytest.raises(ValidationFailed) as refused:
        import_file(world.store, OFFICER, "results", RESULTS, "r.csv")

    assert set(refused.value.problems["规则"]) == {"EXIT-04"}
    assert world.count(candidate_results) == 0


def test_an_institution_may_not_upload_a_batch_outside_its_filed_projects_att4_scope(
    world: World,
) -> None:
    batch = csv(
        "机构统一社会信用代码,批次号,考核项目,场地编号,计划制定日期,考核日期",
        f"{USCC},B7,P002,S1,2025-05-01,2025-05-20",
    )

    with pytest.raises(ValidationFailed) as refused:
        import_file(world.store, world.institution_user, "batches", batch, "b.csv")

    assert set(refused.value.problems["规则"]) == {"ATT4-SCOPE"}


def test_a_city_records_a_batch_outside_the_scope_for_the_renewal_review(world: World) -> None:
    batch = csv(
        "机构统一社会信用代码,批次号,考核项目,场地编号,计划制定日期,考核日期",
        f"{USCC},B7,P002,S1,2025-05-01,2025-05-20",
    )

    result = import_file(world.store, OFFICER, "batches", batch, "b.csv")

    assert result.added == 1


def test_institutions_are_registered_and_their_contacts_updated_without_duplicates(
    world: World,
) -> None:
    from .make_corpus import NEWCOMER

    rows = (
        "机构名称,统一社会信用代码,所在市,单位类型,联系电话\n"
        "丙培训学校,{0},济南,民办非企业单位,0531-1\n"
    )
    first = import_file(
        world.store, OFFICER, "institutions", rows.format(NEWCOMER).encode(), "i.csv"
    )
    again = import_file(
        world.store, OFFICER, "institutions", rows.format(NEWCOMER).encode(), "i.csv"
    )
    moved = rows.format(NEWCOMER).replace("0531-1", "0531-2").encode()

    updated = import_file(world.store, OFFICER, "institutions", moved, "i.csv")

    assert (first.added, again.unchanged, updated.updated) == (1, 1, 1)
    with world.store.read() as conn:
        phone = conn.execute(
            select(institutions.c.phone).where(institutions.c.uscc == NEWCOMER)
        ).scalar_one()
    assert phone == "0531-2"


def test_a_refused_import_is_logged_with_the_file_name(world: World) -> None:
    with pytest.raises(ValidationFailed):
        import_file(
            world.store,
            OFFICER,
            "results",
            csv(RESULTS_HEADER, _result_row(0, batch="X")),
            "坏文件.csv",
        )

    assert any("坏文件.csv" in reason for reason in world.refusals())


def test_staff_roles_of_one_person_in_two_projects_are_two_rows(world: World) -> None:
    p = PEOPLE[1]
    roster = csv(
        STAFF_HEADER,
        f"{USCC},考评甲,{p},考评员,P001,兼职,职业技能等级证书,三级,,5,,,",
        f"{USCC},考评甲,{p},考评员,P002,兼职,职业技能等级证书,三级,,5,,,",
        f"{USCC},考务乙,{PEOPLE[2]},考务,,专职,,,,,24,24,",
    )

    result = import_file(world.store, OFFICER, "staff", roster, "s.csv")
    again = import_file(world.store, OFFICER, "staff", roster, "s.csv")

    assert (result.added, again.unchanged) == (3, 3)
