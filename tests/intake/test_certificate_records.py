"""Certificate records after assessment: corrections and revocations by the institution, also
after its exit (EXIT-10); results not recognised (SUP-04); the data under way frozen when an
investigation opens (EXIT-09)."""

from __future__ import annotations

import hashlib
import json
from datetime import date

import pytest
from sqlalchemy import select

from casework import registry as r
from casework.errors import PermissionDenied, RuleViolation
from casework.intake import import_file
from casework.queries.certificates import certificate_changes, certificate_status
from casework.store.tables import data_snapshots, exit_cases

from .conftest import OFFICER, QINGDAO_OFFICER, World
from .make_corpus import PEOPLE, RESULTS_HEADER, USCC, _result_row

CERT_HEADER = "机构统一社会信用代码,证书编号,身份证号,考核项目,发证日期,批次号"
ISSUED = date(2025, 6, 1)


def csv(*lines: str) -> bytes:
    return ("\n".join(lines) + "\n").encode()


def with_certificates(world: World, count: int = 3) -> list[str]:
    """Results of batch B1 for four candidates and certificates for the first ``count``."""
    import_file(world.store, OFFICER, "results", csv(RESULTS_HEADER, *map(_result_row, range(4))))
    numbers = [f"CERT-{i:04d}" for i in range(count)]
    rows = [f"{USCC},{n},{PEOPLE[i]},P001,{ISSUED.isoformat()},B1" for i, n in enumerate(numbers)]
    import_file(world.store, OFFICER, "certificates", csv(CERT_HEADER, *rows), "c.csv")
    return numbers


def withdraw(world: World) -> None:
    """Institution 甲 leaves the catalog by voluntary withdrawal (EXIT-02)."""
    plan = {part: "按计划办理" for part in ("收尾计划", "证书维护", "档案管理", "参评人员服务")}
    case = r.apply_withdrawal(
        world.store, OFFICER, filing_id=world.ids["jia_filing"], plan=plan, on=date(2025, 7, 1)
    )
    r.accept_withdrawal_plan(world.store, OFFICER, case_id=case, on=date(2025, 7, 3))
    r.complete_withdrawal(
        world.store,
        OFFICER,
        case_id=case,
        closing_work="数据已上传，证书已发放",
        on=date(2025, 7, 20),
    )


def test_a_certificate_stays_valid_after_its_institution_left_the_catalog_exit_10(
    world: World,
) -> None:
    (cert,) = with_certificates(world, 1)

    withdraw(world)

    status = certificate_status(world.store, cert)
    assert status.valid and status.invalid_since is None
    assert status.answer == f"证书{cert}有效"


def test_after_exit_the_institution_still_revokes_its_own_certificate_exit_10(
    world: World,
) -> None:
    (cert,) = with_certificates(world, 1)
    withdraw(world)

    r.request_certificate_change(
        world.store,
        world.institution_user,
        cert_no=cert,
        action="撤销",
        reason="复核发现考生未参加实操考核",
        on=date(2025, 9, 1),
    )

    status = certificate_status(world.store, cert)
    assert not status.valid
    assert status.invalid_since == date(2025, 9, 1)
    assert "复核发现考生未参加实操考核" in status.answer


def test_after_exit_the_institution_corrects_a_certificate_record_exit_10(world: World) -> None:
    (cert,) = with_certificates(world, 1)
    withdraw(world)

    r.request_certificate_change(
        world.store,
        world.institution_user,
        cert_no=cert,
        action="更正",
        reason="发证日期录入错误",
        corrections={"issued_on": "2025-06-03"},
        on=date(2025, 9, 1),
    )

    status = certificate_status(world.store, cert)
    assert status.valid and status.issued_on == date(2025, 6, 3)


def test_a_correction_with_an_invalid_id_number_is_refused_and_writes_nothing_exit_10(
    world: World,
) -> None:
    (cert,) = with_certificates(world, 1)
    before = world.audit_entries()

    with pytest.raises(RuleViolation) as err:
        r.request_certificate_change(
            world.store,
            world.institution_user,
            cert_no=cert,
            action="更正",
            reason="身份证号录入错误",
            corrections={"id_number": "370102198501010000"},
            on=date(2025, 9, 1),
        )

    assert err.value.rule_id == "EXIT-10" and "身份证号" in str(err.value)
    assert world.audit_entries() == before


def test_an_institution_cannot_touch_another_institutions_certificate_exit_10(
    world: World,
) -> None:
    (cert,) = with_certificates(world, 1)
    r.add_user(
        world.store,
        r.SYSTEM_ACTOR,
        username="yi_head",
        display_name="乙机构",
        role="机构",
        institution_id=world.ids["yi"],
    )
    other = r.Actor("yi_head", "机构", institution_id=world.ids["yi"], display_name="乙机构")

    with pytest.raises(PermissionDenied):
        r.request_certificate_change(
            world.store, other, cert_no=cert, action="撤销", reason="x", on=date(2025, 9, 1)
        )

    assert certificate_status(world.store, cert).valid


def test_the_city_sees_and_rejects_a_revocation_which_then_no_longer_counts_exit_10(
    world: World,
) -> None:
    (cert,) = with_certificates(world, 1)
    withdraw(world)
    action = r.request_certificate_change(
        world.store,
        world.institution_user,
        cert_no=cert,
        action="撤销",
        reason="误报",
        on=date(2025, 9, 1),
    )
    seen = certificate_changes(world.store, city_code="370100")

    r.reject_certificate_change(
        world.store, OFFICER, action_id=action, note="经核实考生成绩有效", on=date(2025, 9, 5)
    )

    assert seen["cert_no"].tolist() == [cert]
    assert certificate_status(world.store, cert).valid
    with pytest.raises(PermissionDenied):
        r.reject_certificate_change(
            world.store, QINGDAO_OFFICER, action_id=action, note="x", on=date(2025, 9, 5)
        )


def test_results_obtained_by_sup_02_practices_are_not_recognised_sup_04(world: World) -> None:
    certs = with_certificates(world, 3)

    marked = r.refuse_recognition(
        world.store,
        OFFICER,
        cert_nos=certs[:2],
        reason="查实替考（SUP-02）",
        on=date(2025, 8, 1),
    )

    assert marked == 2
    assert [certificate_status(world.store, c).valid for c in certs] == [False, False, True]
    assert certificate_status(world.store, certs[0]).invalid_reason.startswith("不予认定")
    with pytest.raises(RuleViolation):
        r.request_certificate_change(
            world.store,
            world.institution_user,
            cert_no=certs[0],
            action="撤销",
            reason="x",
            on=date(2025, 9, 1),
        )


def test_opening_an_investigation_freezes_the_assessment_data_under_way_exit_09(
    world: World,
) -> None:
    with_certificates(world, 3)  # 4 passed in B1, 3 certificates: B1 is still under way

    case_id = r.open_investigation(
        world.store,
        OFFICER,
        filing_id=world.ids["jia_filing"],
        grounds="群众举报考核过程不规范",
        on=date(2025, 6, 10),
    )

    with world.store.read() as conn:
        snap = (
            conn.execute(select(data_snapshots).where(data_snapshots.c.exit_case_id == case_id))
            .mappings()
            .one()
        )
        assert conn.execute(select(exit_cases.c.id)).scalars().all() == [case_id]
    content = json.loads(snap["content"])
    assert snap["sha256"] == hashlib.sha256(snap["content"].encode("utf-8")).hexdigest()
    assert [b["batch_no"] for b in content["batches"]] == ["B1"]
    assert snap["results"] == 4 and len(content["certificates"]) == 3
