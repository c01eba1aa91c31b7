"""Certificate records after assessment (EXIT-10, SUP-04).

Certificates an institution issued stay valid after it leaves the catalog. The institution
stays responsible for reviewing, correcting and revoking its historical certificate data
(历史证书数据的复核、更正、撤销, EXIT-10): its head may submit a correction or a revocation of
its own certificate records at any time, also after any exit — and nothing else once ended. A
submission takes effect when made; the city sees it and may reject it. Results obtained through
the practices of SUP-02 are not recognised (考核结果不予认可, SUP-04): the city marks those
certificates 不予认定 with a reason.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date
from typing import Any

from sqlalchemy import select

from casework.domain.certificates import (
    CORRECT,
    CORRECTABLE,
    ENDING_ACTIONS,
    IN_FORCE,
    INSTITUTION_ACTIONS,
    NOT_RECOGNISED,
    REJECTED,
)
from casework.domain.identifiers import validate_resident_id
from casework.errors import CaseworkError, NotFound, RuleViolation
from casework.registry.actors import CITY_MANAGER, CITY_OFFICER, INSTITUTION
from casework.registry.uow import Tx, command
from casework.store.tables import certificate_actions, certificates, institutions, projects

CITY = (CITY_OFFICER, CITY_MANAGER)


def certificate(tx: Tx, cert_no: str) -> Any:
    row = (
        tx.conn.execute(select(certificates).where(certificates.c.cert_no == cert_no.strip()))
        .mappings()
        .first()
    )
    if row is None:
        raise NotFound(f"未找到证书编号为“{cert_no}”的证书记录")
    return row


def _require_holder(tx: Tx, cert: Any) -> None:
    """The institution that issued it, or its city (SUP-01)."""
    tx.require_institution(cert["institution_id"])
    inst = tx.get(institutions, "考核机构", id=cert["institution_id"])
    tx.require_city(inst["city_code"])


def _checked_corrections(tx: Tx, corrections: Mapping[str, Any]) -> dict[str, str]:
    unknown = sorted(set(corrections) - set(CORRECTABLE))
    if unknown:
        raise RuleViolation(
            f"不能更正的字段：{'、'.join(unknown)}（可更正：{'、'.join(CORRECTABLE.values())}）",
            rule_id="EXIT-10",
        )
    out: dict[str, str] = {}
    for key, value in corrections.items():
        text = str(value).strip()
        try:
            if key == "id_number":
                text = validate_resident_id(text)
            elif key == "issued_on":
                text = date.fromisoformat(text).isoformat()
            elif key == "project_code":
                tx.get(projects, "考核项目", project_code=text)
        except (ValueError, CaseworkError) as exc:
            raise RuleViolation(
                f"{CORRECTABLE[key]}“{text}”不正确：{exc}", rule_id="EXIT-10"
            ) from exc
        out[key] = text
    if not out:
        raise RuleViolation("更正须至少填写一个更正后的字段", rule_id="EXIT-10")
    return out


@command("提交证书更正或撤销", rules=("EXIT-10",), roles=(INSTITUTION, *CITY))
def request_certificate_change(
    tx: Tx,
    *,
    cert_no: str,
    action: str,
    reason: str,
    on: date,
    corrections: Mapping[str, Any] | None = None,
) -> int:
    """EXIT-10: correct or revoke one of the institution's own certificate records, also
    after its filing ended. Takes effect at once; the city may reject it."""
    cert = certificate(tx, cert_no)
    _require_holder(tx, cert)
    if action not in INSTITUTION_ACTIONS:
        raise RuleViolation(f"证书处理方式“{action}”应为更正或撤销", rule_id="EXIT-10")
    if not reason.strip():
        raise RuleViolation(f"{action}证书须写明理由", rule_id="EXIT-10")
    if on < cert["issued_on"]:
        raise RuleViolation(f"{action}日期{on}早于发证日期{cert['issued_on']}", rule_id="EXIT-10")
    checked = _checked_corrections(tx, corrections or {}) if action == CORRECT else {}
    for done in tx.rows(certificate_actions, certificate_id=cert["id"], status=IN_FORCE):
        if done["action"] in ENDING_ACTIONS:
            raise RuleViolation(
                f"证书{cert_no}已于{done['submitted_on']}{done['action']}，不能再{action}",
                rule_id="EXIT-10",
            )
    return int(
        tx.insert(
            certificate_actions,
            certificate_id=cert["id"],
            action=action,
            reason=reason.strip(),
            corrections=checked,
            status=IN_FORCE,
            submitted_by=tx.actor.username,
            submitted_on=on,
            review_note="",
        )
    )


@command("驳回证书更正或撤销", rules=("EXIT-10", "SUP-01"), roles=CITY)
def reject_certificate_change(tx: Tx, *, action_id: int, note: str, on: date) -> None:
    """EXIT-10: the city rejects an institution's correction or revocation, with a reason."""
    action = tx.get(certificate_actions, "证书更正或撤销记录", id=action_id)
    cert = tx.get(certificates, "证书", id=action["certificate_id"])
    _require_holder(tx, cert)
    if action["action"] not in INSTITUTION_ACTIONS or action["status"] != IN_FORCE:
        raise RuleViolation(
            f"该记录（{action['action']}，{action['status']}）不能驳回", rule_id="EXIT-10"
        )
    if not note.strip():
        raise RuleViolation("驳回须写明理由", rule_id="EXIT-10")
    if on < action["submitted_on"]:
        raise RuleViolation(f"驳回日期{on}早于提交日期{action['submitted_on']}", rule_id="EXIT-10")
    tx.update(
        certificate_actions,
        {"id": action_id},
        status=REJECTED,
        reviewed_by=tx.actor.username,
        reviewed_on=on,
        review_note=note.strip(),
    )


@command("认定考核结果不予认可", rules=("SUP-04", "SUP-02"), roles=CITY)
def refuse_recognition(tx: Tx, *, cert_nos: Sequence[str], reason: str, on: date) -> int:
    """SUP-04: certificates obtained through the practices of SUP-02 are not recognised
    (不予认定). Returns how many certificates were marked."""
    if not reason.strip():
        raise RuleViolation("不予认定须写明所查实的违规情形", rule_id="SUP-04")
    wanted = list(dict.fromkeys(c.strip() for c in cert_nos if c.strip()))
    if not wanted:
        raise RuleViolation("未列明不予认定的证书", rule_id="SUP-04")
    for cert_no in wanted:
        cert = certificate(tx, cert_no)
        _require_holder(tx, cert)
        for done in tx.rows(certificate_actions, certificate_id=cert["id"], status=IN_FORCE):
            if done["action"] in ENDING_ACTIONS:
                raise RuleViolation(
                    f"证书{cert_no}已于{done['submitted_on']}{done['action']}", rule_id="SUP-04"
                )
        tx.insert(
            certificate_actions,
            certificate_id=cert["id"],
            action=NOT_RECOGNISED,
            reason=reason.strip(),
            corrections={},
            status=IN_FORCE,
            submitted_by=tx.actor.username,
            submitted_on=on,
            review_note="",
        )
    return len(wanted)
