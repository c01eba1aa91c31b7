"""``import_file``: one file in, all of it or nothing, as one registry command.

Reading and schema validation are pure and run before the write lock is taken; references,
access (SUP-01), the assessment gate (EXIT-04, ATT4-SCOPE) and the upsert run inside one
transaction that ends in one audit entry. Any problem refuses the whole file with the problems
table (:class:`~casework.errors.ValidationFailed`), the refusal is logged and nothing is stored.
Importing the same rows again adds nothing (natural key + content digest).
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Final

import pandas as pd
from sqlalchemy import insert, update

from casework.domain import limits
from casework.errors import CaseworkError, PermissionDenied, ValidationFailed
from casework.intake import problems as pr
from casework.intake import resolve, storage
from casework.intake.kinds import Kind, kind_of
from casework.intake.readers import Source, read_bytes, read_table
from casework.intake.validate import Checked, check_frame, refused
from casework.registry.actors import CITY_MANAGER, CITY_OFFICER, INSTITUTION, SYSTEM, Actor
from casework.registry.uow import Tx, command, log_refusal
from casework.store.engine import Store
from casework.store.tables import institutions, intake_imports

COMMAND: Final = "导入数据"
ROLES: Final = (CITY_OFFICER, CITY_MANAGER, INSTITUTION)
RULES: Final = ("SUP-01", "EXIT-04", "ATT4-SCOPE")


@dataclass(frozen=True)
class ImportResult:
    """What an accepted import did."""

    kind: str
    label: str
    filename: str
    sheet: str | None
    rows: int
    added: int
    updated: int
    unchanged: int
    import_id: int

    @property
    def summary(self) -> str:
        where = f"（工作表“{self.sheet}”）" if self.sheet else ""
        return (
            f"“{self.label}”文件“{self.filename}”{where}已导入：共 {self.rows} 行，"
            f"新增 {self.added}，更新 {self.updated}，未变 {self.unchanged}"
        )


def _name_of(source: Source, filename: str | None) -> str:
    if filename:
        return filename
    if isinstance(source, str | Path):
        return Path(source).name
    return "上传文件"


def import_file(
    store: Store,
    actor: Actor,
    kind: str,
    source: Source,
    filename: str | None = None,
    *,
    sheet: str | None = None,
) -> ImportResult:
    """Import a csv or xlsx file of ``kind`` (key such as ``staff`` or label such as 人员花名册).

    Raises:
        ValidationFailed: anything wrong with the file; ``problems`` lists every problem.
        PermissionDenied: the actor may not import (some of) these rows (SUP-01).
    """
    name = _name_of(source, filename)
    try:
        k = kind_of(kind)
        if actor.role not in (*ROLES, SYSTEM):
            raise PermissionDenied(f"{actor.label}无权执行“{COMMAND}”")
        data = read_bytes(source, name)
        raw = read_table(data, name, k, sheet=sheet)
        if raw.frame.empty:
            raise ValidationFailed(
                f"文件“{name}”只有表头，没有数据行",
                pr.table([(pr.WHOLE_FILE, "数据行", "", "至少应有一行数据", pr.FORMAT)]),
                rule_id=pr.FORMAT,
            )
        checked = check_frame(k, raw.frame)
        if not checked.ok:
            raise refused(k, name, _with_references(store, checked))
    except CaseworkError as exc:
        if isinstance(exc, ValidationFailed) and len(exc.problems):
            # a value of a million characters is shown by its start and its length
            exc.problems["值"] = exc.problems["值"].map(
                lambda x: limits.shown(x, 60) if isinstance(x, str) else x
            )
        log_refusal(store, actor, COMMAND, f"{name}：{exc}")
        raise
    return store_rows(
        store,
        actor,
        kind=k.key,
        frame=checked.frame,
        filename=name,
        sha256=hashlib.sha256(data).hexdigest(),
        sheet=raw.sheet,
    )


def _with_references(store: Store, checked: Checked) -> pd.DataFrame:
    """The schema's problems plus those of the references the readable rows make."""
    bad_rows = set(checked.problems["行"])
    frame = checked.frame[~checked.frame.index.isin(bad_rows)]
    if frame.empty:
        return checked.problems
    with store.read() as conn:
        ctx = storage.load_context(conn, checked.kind, frame)
    _, refs = resolve.resolve(checked.kind, frame, ctx)
    return pr.combine([checked.problems, refs])


@command(COMMAND, rules=RULES, roles=ROLES)
def store_rows(
    tx: Tx, *, kind: str, frame: pd.DataFrame, filename: str, sha256: str, sheet: str | None = None
) -> ImportResult:
    """Store validated rows of ``kind``: references, access, gate, then the upsert."""
    k = kind_of(kind)
    ctx = storage.load_context(tx.conn, k, frame)
    resolved, problems = resolve.resolve(k, frame, ctx)
    if not problems.empty:
        raise refused(k, filename, problems)
    resolve.check_access(tx.actor, k, resolved, ctx)
    problems = resolve.gate(tx.actor, k, resolved, ctx)
    if not problems.empty:
        raise refused(k, filename, problems)
    import_id = int(
        tx.conn.execute(
            insert(intake_imports).values(
                kind=k.key,
                filename=filename[:200],
                sha256=sha256,
                actor=tx.actor.username,
                at=datetime.now(UTC).replace(tzinfo=None),
                rows=len(frame),
                added=0,
                updated=0,
                unchanged=0,
            )
        ).inserted_primary_key[0]  # type: ignore[index]
    )
    if k.key == "institutions":
        counts, keys = _institutions(tx, resolved, ctx)
    else:
        rows = resolve.blank_project(resolved) if k.key == "staff" else resolved
        counts, keys = storage.upsert(tx.conn, k, rows, import_id), []
    tx.conn.execute(
        update(intake_imports)
        .where(intake_imports.c.id == import_id)
        .values(added=counts.added, updated=counts.updated, unchanged=counts.unchanged)
    )
    change: dict[str, Any] = {
        "op": "import",
        "table": storage.TABLES[k.key].name,
        "kind": k.key,
        "filename": filename,
        "sha256": sha256,
        "import_id": import_id,
        "rows": len(frame),
        "added": counts.added,
        "updated": counts.updated,
        "unchanged": counts.unchanged,
    }
    if keys:
        change["keys"] = keys
    if counts.changed:
        change["updated_rows"] = list(counts.changed)
    tx.changes.append(change)
    return ImportResult(
        k.key,
        k.label,
        filename,
        sheet,
        len(frame),
        counts.added,
        counts.updated,
        counts.unchanged,
        import_id,
    )


def _institutions(
    tx: Tx, frame: pd.DataFrame, ctx: resolve.Context
) -> tuple[storage.Counts, list[str]]:
    """Register new units (ATT1-REGION checked by the schema) and update contact details."""
    fields = list(storage.INSTITUTION_FIELDS)
    rows = frame[fields].astype(object).where(frame[fields].notna(), "")
    stored = (
        ctx.institutions.set_index("uscc")[fields[:1] + fields[2:]]
        if len(ctx.institutions)
        else None
    )
    new = frame["institution_id"].isna().to_numpy()
    if new.any():
        tx.conn.execute(insert(institutions), storage.records(rows[new]))
    changed = pd.Series(False, index=rows.index)
    if stored is not None and (~new).any():
        old = stored.reindex(rows.loc[~new, "uscc"]).astype(object).where(lambda d: d.notna(), "")
        now = rows.loc[~new, fields[:1] + fields[2:]]
        differs = (old.to_numpy() != now.to_numpy()).any(axis=1)
        changed.loc[~new] = differs
    upd = (
        rows[changed.to_numpy()]
        .drop(columns=["uscc", "city_code"])
        .assign(v_uscc=rows.loc[changed.to_numpy(), "uscc"])
    )
    if len(upd):
        from sqlalchemy import bindparam

        setters: dict[str, Any] = {
            c: bindparam(f"s_{c}") for c in fields if c not in ("uscc", "city_code")
        }
        stmt = (
            update(institutions).where(institutions.c.uscc == bindparam("v_uscc")).values(**setters)
        )
        tx.conn.execute(
            stmt, storage.records(upd.rename(columns=lambda c: c if c == "v_uscc" else f"s_{c}"))
        )
    keys = sorted(rows.loc[new | changed.to_numpy(), "uscc"])
    added, updated = int(new.sum()), int(changed.sum())
    return storage.Counts(added, updated, len(rows) - added - updated), keys


def describe(kind: str | Kind) -> str:
    k = kind if isinstance(kind, Kind) else kind_of(kind)
    return f"{k.key}（{k.label}）"
