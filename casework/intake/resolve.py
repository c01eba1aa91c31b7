"""What a validated file refers to, who may send it, and whether it may be stored (pure).

- references: every row's institution (by 统一社会信用代码), project (code or name, SEL-01),
  site and batch must be in the registry; a candidate's age must fit the ID's birth date on
  the exam day (GB 11643);
- access (SUP-01): a city's officers import for institutions of their own city, an
  institution's user only its own data; anything else is PermissionDenied;
- the assessment gate (EXIT-04, ATT4-SCOPE): batches, results and certificates of an
  institution whose filing is suspended are refused; an institution's own uploads must also lie
  inside a filing's term and scope, as :func:`casework.registry.filing.ensure_may_assess`
  requires one at a time. A city's import of what happened is taken as it is (so the renewal
  review can find what lay outside), except during a suspension.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from casework.domain import lifecycle
from casework.domain.evidence.scope import place
from casework.errors import PermissionDenied
from casework.intake import problems as pr
from casework.intake.kinds import Kind
from casework.registry.actors import CITY_ROLES, INSTITUTION, Actor

AGE_TOLERANCE = 1
"""Years an age may differ from the one the ID's birth date gives (age as of the exam year)."""


@dataclass(frozen=True)
class Context:
    """What the registry holds that the rows refer to."""

    institutions: (
        pd.DataFrame
    )  # institution_id, name, uscc, city_code, kind, address, contact, phone
    projects: pd.DataFrame  # project_code, name
    sites: pd.DataFrame  # institution_id, site_code, city_code
    batches: pd.DataFrame  # batch_id, institution_id, batch_no, project_code, exam_date
    filings: pd.DataFrame
    terms: pd.DataFrame
    scope: pd.DataFrame
    suspensions: pd.DataFrame
    certificates: pd.DataFrame  # cert_no, institution_id (of the certificate numbers in the file)


def _problem(
    mask: pd.Series, values: pd.Series, kind: Kind, field: str, need: str, rule: str
) -> pd.DataFrame:
    return pr.cells(mask.fillna(False).astype(bool), values, kind.headers[field], need, rule)


def _projects(
    frame: pd.DataFrame, kind: Kind, ctx: Context, parts: list[pd.DataFrame]
) -> pd.Series:
    given = frame["project_code"]
    by_name = dict(zip(ctx.projects["name"].str.upper(), ctx.projects["project_code"], strict=True))
    known = given.where(given.isin(ctx.projects["project_code"]))
    code = known.fillna(given.map(by_name))
    parts.append(
        _problem(
            given.notna() & code.isna(),
            given,
            kind,
            "project_code",
            "不在考核项目目录中（填写项目代码或项目名称）",
            "SEL-01",
        )
    )
    return code


def resolve(kind: Kind, frame: pd.DataFrame, ctx: Context) -> tuple[pd.DataFrame, pd.DataFrame]:
    """``frame`` with the registry's ids added, and the problems of its references."""
    parts: list[pd.DataFrame] = []
    out = frame.copy()
    insts = ctx.institutions.set_index("uscc")
    if kind.key == "institutions":
        stored = out["uscc"].map(insts["city_code"])
        moved = stored.notna() & (stored != out["city_code"])
        parts.append(
            _problem(
                moved,
                out["city_code"],
                kind,
                "city_code",
                "该单位已在其他市登记，不能通过导入改变所属市",
                "SUP-01",
            )
        )
        out["institution_id"] = out["uscc"].map(insts["institution_id"]).astype("Int64")
        return out, pr.combine(parts)
    out["institution_id"] = out["uscc"].map(insts["institution_id"]).astype("Int64")
    parts.append(
        _problem(
            out["institution_id"].isna(),
            out["uscc"],
            kind,
            "uscc",
            "系统中没有该统一社会信用代码的机构：请先导入机构名录或由市局登记",
            pr.REFERENCE,
        )
    )
    if "project_code" in out:
        out["project_code"] = _projects(out, kind, ctx, parts)
    if kind.key == "batches":
        known = pd.MultiIndex.from_frame(ctx.sites[["institution_id", "site_code"]])
        here = pd.MultiIndex.from_arrays([out["institution_id"], out["site_code"]])
        parts.append(
            _problem(
                out["institution_id"].notna() & ~pd.Series(here.isin(known), index=out.index),
                out["site_code"],
                kind,
                "site_code",
                "该机构没有这个场地编号：请先导入场地",
                pr.REFERENCE,
            )
        )
    if kind.key in ("results", "certificates"):
        out = _batches(kind, out, ctx, parts)
    if kind.key == "certificates":
        owner = ctx.certificates.set_index("cert_no")["institution_id"]
        taken = out["cert_no"].map(owner)
        parts.append(
            _problem(
                taken.notna() & (taken != out["institution_id"]),
                out["cert_no"],
                kind,
                "cert_no",
                "证书编号已由其他机构登记",
                pr.UNIQUE,
            )
        )
    return out, pr.combine(parts)


def _batches(
    kind: Kind, out: pd.DataFrame, ctx: Context, parts: list[pd.DataFrame]
) -> pd.DataFrame:
    b = ctx.batches.set_index(["institution_id", "batch_no"])
    keys = pd.MultiIndex.from_arrays([out["institution_id"], out["batch_no"]])
    found = b.reindex(keys)
    out["batch_id"] = pd.array(found["batch_id"].to_numpy(), dtype="Int64")
    out["exam_date"] = found["exam_date"].to_numpy()
    given = out["batch_no"].notna() & out["institution_id"].notna()
    parts.append(
        _problem(
            given & out["batch_id"].isna(),
            out["batch_no"],
            kind,
            "batch_no",
            "该机构没有这个批次号：请先导入考核批次",
            pr.REFERENCE,
        )
    )
    if kind.key == "results":
        born = pd.to_datetime(out["id_number"].str.slice(6, 14), format="%Y%m%d", errors="coerce")
        exam = pd.to_datetime(out["exam_date"])
        before_birthday = (exam.dt.month * 100 + exam.dt.day) < (born.dt.month * 100 + born.dt.day)
        age = exam.dt.year - born.dt.year - before_birthday.astype(int)
        off = (out["age"].astype("Float64") - age).abs() > AGE_TOLERANCE
        parts.append(
            _problem(
                off,
                out["age"],
                kind,
                "age",
                "年龄应与身份证号的出生日期相符（以考核日期计算）",
                "GB 11643",
            )
        )
    if kind.key == "certificates":
        batch_project = found["project_code"].to_numpy()
        other = out["batch_id"].notna() & (
            pd.Series(batch_project, index=out.index) != out["project_code"]
        )
        parts.append(
            _problem(
                other,
                out["project_code"],
                kind,
                "project_code",
                "证书项目应与所填批次的考核项目一致",
                pr.REFERENCE,
            )
        )
    return out


def check_access(actor: Actor, kind: Kind, frame: pd.DataFrame, ctx: Context) -> None:
    """SUP-01: raise PermissionDenied unless the actor may import every row."""
    if actor.role in CITY_ROLES:
        if kind.key == "institutions":
            cities = frame["city_code"]
        else:
            cities = frame["institution_id"].map(
                ctx.institutions.set_index("institution_id")["city_code"]
            )
        others = sorted(set(frame.loc[(cities != actor.city_code).to_numpy(), "uscc"]))
        if others:
            raise PermissionDenied(
                f"{actor.label}只能导入本市（{actor.city_code}）机构的数据；不属于本市的机构：{'、'.join(others[:10])}",
                rule_id="SUP-01",
            )
    elif actor.role == INSTITUTION:
        own = frame["institution_id"] == actor.institution_id
        if not bool(own.fillna(False).all()):
            others = sorted(set(frame.loc[~own.fillna(False).to_numpy(), "uscc"]))
            raise PermissionDenied(
                f"{actor.label}只能导入本机构的数据；文件中包含其他机构：{'、'.join(others[:10])}"
            )


def gate(actor: Actor, kind: Kind, frame: pd.DataFrame, ctx: Context) -> pd.DataFrame:
    """EXIT-04 / ATT4-SCOPE problems of assessments and certificates (see the module)."""
    if kind.key not in ("batches", "results", "certificates"):
        return pr.empty()
    on = frame["issued_on"] if kind.key == "certificates" else frame["exam_date"]
    if kind.key == "results":
        project = frame["batch_id"].map(ctx.batches.set_index("batch_id")["project_code"])
    else:
        project = frame["project_code"]
    rows = pd.DataFrame(
        {
            "institution_id": frame["institution_id"].astype("int64"),
            "project_code": project,
            "on": on,
        }
    )
    where = place(rows, ctx.filings, ctx.terms, ctx.scope, ctx.suspensions)
    header = "uscc"
    parts = [
        _problem(
            where["suspended_now"],
            frame["uscc"],
            kind,
            header,
            "备案暂停（立案调查）期间，暂停考核活动，暂缓证书数据审核上网",
            "EXIT-04",
        )
    ]
    if actor.role == INSTITUTION:
        ok = ~where["suspended_now"]
        column = (
            "issued_on"
            if kind.key == "certificates"
            else ("exam_date" if kind.key == "batches" else "batch_no")
        )
        parts.append(
            _problem(
                ok & ~where["in_term"],
                frame[column],
                kind,
                column,
                "日期不在本机构备案有效期内",
                "ATT4-SCOPE",
            )
        )
        ended = where["in_term"] & (where["filing_status"] == lifecycle.TERMINATED)
        parts.append(
            _problem(
                ok & ended, frame["uscc"], kind, header, "备案已终止，不能再上报考核数据", "EXIT-01"
            )
        )
        live = ok & where["in_term"] & ~ended
        field = "batch_no" if kind.key == "results" else "project_code"
        parts.append(
            _problem(
                live & ~where["in_scope"],
                frame[field],
                kind,
                field,
                "考核项目不在备案考核范围内",
                "ATT4-SCOPE",
            )
        )
    return pr.combine(parts)


def blank_project(frame: pd.DataFrame) -> pd.DataFrame:
    """Staff rows keep "" (not NA) for roles not held per project: it is part of their key."""
    out = frame.copy()
    out["project_code"] = out["project_code"].fillna("").astype("str")
    return out
