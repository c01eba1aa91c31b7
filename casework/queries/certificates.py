"""Read side of certificate records (EXIT-10, SUP-04): is certificate N valid, and since when
not; the corrections and revocations on it; what a city has to look at."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

import pandas as pd
from sqlalchemy import select

from casework.domain.certificates import CORRECT, ENDING_ACTIONS, IN_FORCE
from casework.errors import NotFound
from casework.store.engine import Store
from casework.store.tables import certificate_actions, certificates, institutions, projects


@dataclass(frozen=True)
class CertificateStatus:
    """One certificate as it stands after every correction, revocation and 不予认定."""

    cert_no: str
    institution: str
    institution_id: int
    city_code: str
    project: str
    id_number: str
    issued_on: date
    valid: bool
    invalid_since: date | None
    invalid_reason: str
    actions: tuple[dict[str, Any], ...]

    @property
    def answer(self) -> str:
        if self.valid:
            return f"证书{self.cert_no}有效"
        return f"证书{self.cert_no}自{self.invalid_since}起无效（{self.invalid_reason}）"


def certificate_status(store: Store, cert_no: str) -> CertificateStatus:
    """Is certificate ``cert_no`` valid, and since when not (EXIT-10, SUP-04)."""
    with store.read() as conn:
        cert = (
            conn.execute(select(certificates).where(certificates.c.cert_no == cert_no.strip()))
            .mappings()
            .first()
        )
        if cert is None:
            raise NotFound(f"未找到证书编号为“{cert_no}”的证书记录")
        inst, city_code = conn.execute(
            select(institutions.c.name, institutions.c.city_code).where(
                institutions.c.id == cert["institution_id"]
            )
        ).one()
        names = dict(conn.execute(select(projects.c.project_code, projects.c.name)).all())
        actions = [
            dict(r)
            for r in conn.execute(
                select(certificate_actions)
                .where(certificate_actions.c.certificate_id == cert["id"])
                .order_by(certificate_actions.c.submitted_on, certificate_actions.c.id)
            ).mappings()
        ]
    fields = {k: cert[k] for k in ("id_number", "project_code", "issued_on")}
    valid, since, why = True, None, ""
    for a in actions:
        if a["status"] != IN_FORCE:
            continue
        if a["action"] == CORRECT:
            for key, value in a["corrections"].items():
                fields[key] = date.fromisoformat(value) if key == "issued_on" else value
        elif a["action"] in ENDING_ACTIONS and valid:
            valid, since, why = False, a["submitted_on"], f"{a['action']}：{a['reason']}"
    return CertificateStatus(
        cert_no=cert["cert_no"],
        institution=inst,
        institution_id=cert["institution_id"],
        city_code=city_code,
        project=names.get(fields["project_code"], fields["project_code"]),
        id_number=fields["id_number"],
        issued_on=fields["issued_on"],
        valid=valid,
        invalid_since=since,
        invalid_reason=why,
        actions=tuple(actions),
    )


def certificate_changes(
    store: Store, *, city_code: str | None = None, institution_id: int | None = None
) -> pd.DataFrame:
    """Corrections, revocations and 不予认定 of a city's (or one institution's) certificates,
    newest first — what the city reviews (EXIT-10)."""
    q = (
        select(
            certificate_actions.c.id,
            certificates.c.cert_no,
            institutions.c.name.label("institution"),
            certificate_actions.c.action,
            certificate_actions.c.reason,
            certificate_actions.c.corrections,
            certificate_actions.c.status,
            certificate_actions.c.submitted_on,
            certificate_actions.c.review_note,
        )
        .join(certificates, certificates.c.id == certificate_actions.c.certificate_id)
        .join(institutions, institutions.c.id == certificates.c.institution_id)
        .order_by(certificate_actions.c.id.desc())
    )
    if city_code is not None:
        q = q.where(institutions.c.city_code == city_code)
    if institution_id is not None:
        q = q.where(institutions.c.id == institution_id)
    with store.read() as conn:
        frame = pd.DataFrame([dict(r) for r in conn.execute(q).mappings()])
    columns = [
        "id",
        "cert_no",
        "institution",
        "action",
        "reason",
        "corrections",
        "status",
        "submitted_on",
        "review_note",
    ]
    return frame if not frame.empty else pd.DataFrame(columns=columns)
