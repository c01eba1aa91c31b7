"""``casework backup`` and ``casework restore``: the database and the archive, verified.

A backup is one tar file: the database (SQLite through its online backup API, so writers keep
writing; PostgreSQL through ``pg_dump`` in the snapshot the manifest was read in), the archive
files that snapshot's manifest needs (``archive/objects/…``), and ``MANIFEST.json`` with the
SHA-256 and size of every member and the heads of both chains. Whatever the writers do meanwhile,
the database and the files in a backup belong together.

Every backup is verified right after it is written, and every restore right after it is done:
the members against ``MANIFEST.json``, then the store (a scratch one for a backup) by
``audit verify`` and ``archive verify``, against the anchors made before the backup was taken.
"""

from __future__ import annotations

import contextlib
import hashlib
import io
import json
import os
import shutil
import sqlite3
import subprocess
import tarfile
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import select, text
from sqlalchemy.engine import make_url

import casework
from casework import settings
from casework.archive.retention import DESTROY
from casework.errors import CaseworkError
from casework.store.engine import Store, normalise_url, open_store
from casework.store.tables import archive_disposals, archive_entries, archive_head, audit_head

MANIFEST = "MANIFEST.json"
SQLITE_MEMBER, PG_MEMBER = "database.sqlite", "database.pgdump"
OBJECTS_PREFIX = "archive/objects/"
FORMAT = 1


class BackupFailed(CaseworkError):
    """A backup or a restore could not be made, or did not verify."""


@dataclass(frozen=True)
class Done:
    """What a backup or restore did, in one line for the command line."""

    path: Path
    audit_seq: int
    archive_seq: int
    files: int
    summary: str


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _libpq(url: str) -> tuple[str, dict[str, str]]:
    """A SQLAlchemy PostgreSQL URL as a libpq one, the password moved to the environment."""
    parsed = make_url(url)
    env = dict(os.environ)
    if parsed.password:
        env["PGPASSWORD"] = str(parsed.password)
    plain = parsed.set(drivername="postgresql", password=None)
    return plain.render_as_string(hide_password=False), env


def _run(argv: list[str], env: dict[str, str]) -> None:
    try:
        done = subprocess.run(argv, env=env, capture_output=True, text=True, check=False)
    except FileNotFoundError:
        raise BackupFailed(
            f"找不到 {argv[0]}：请安装 PostgreSQL 客户端（Debian：postgresql-client）"
        ) from None
    if done.returncode != 0:
        raise BackupFailed(f"{Path(argv[0]).name} 失败：{done.stderr.strip()[-800:]}")


def _needed_files(conn: Any) -> set[str]:
    """SHA-256 of every file a live (not destroyed) manifest entry names."""
    destroyed = set(
        conn.execute(
            select(archive_disposals.c.entry_seq).where(archive_disposals.c.decision == DESTROY)
        ).scalars()
    )
    needed: set[str] = set()
    for seq, files in conn.execute(select(archive_entries.c.seq, archive_entries.c.files)):
        if seq not in destroyed:
            needed.update(f["sha256"] for f in json.loads(files))
    return needed


def _heads(conn: Any) -> dict[str, int]:
    audit = conn.execute(select(audit_head.c.seq)).scalar()
    manifest = conn.execute(select(archive_head.c.seq)).scalar()
    return {"audit_seq": int(audit or 0), "archive_seq": int(manifest or 0)}


@contextlib.contextmanager
def _snapshot(store: Store, work: Path) -> Iterator[tuple[str, dict[str, int], set[str]]]:
    """Write the database into ``work``; yield (member name, heads, files needed)."""
    if store.dialect == "sqlite":
        source = settings.sqlite_file(store.url)
        assert source is not None
        target = work / SQLITE_MEMBER
        src = sqlite3.connect(f"file:{source}?mode=ro", uri=True)
        dst = sqlite3.connect(target)
        try:
            src.backup(dst)  # the online backup API: a consistent copy while others write
        finally:
            src.close()
            dst.close()
        copy = open_store(f"sqlite:///{target}", migrate=False)
        try:
            with copy.read() as conn:
                heads, needed = _heads(conn), _needed_files(conn)
        finally:
            copy.dispose()
        yield SQLITE_MEMBER, heads, needed
        return
    # PostgreSQL: read the manifest in one snapshot and let pg_dump dump that same snapshot
    url, env = _libpq(store.url)
    reading = store.engine.connect().execution_options(isolation_level="REPEATABLE READ")
    with reading as conn, conn.begin():
        snapshot = conn.execute(text("SELECT pg_export_snapshot()")).scalar_one()
        heads, needed = _heads(conn), _needed_files(conn)
        dump = work / PG_MEMBER
        _run(
            ["pg_dump", "--format=custom", f"--snapshot={snapshot}", "-f", str(dump), url],
            env,
        )
    yield PG_MEMBER, heads, needed


def backup(store: Store, output: Path, *, root: Path | str | None = None) -> Done:
    """Write a backup of ``store`` and its archive to ``output`` (a tar), then verify it.

    Raises:
        BackupFailed: a needed archive file is missing, a tool failed, or the written backup did
            not verify (it is then kept as ``output`` + ``.unverified``).
    """
    from casework.archive.objects import ObjectStore

    objects = ObjectStore(root, db_url=store.url)
    output = Path(output).expanduser().resolve()
    output.parent.mkdir(parents=True, exist_ok=True)
    created = datetime.now(UTC).isoformat(timespec="microseconds")
    partial = output.with_name(output.name + ".partial")
    with tempfile.TemporaryDirectory(prefix="casework-backup-") as tmp:
        work = Path(tmp)
        with _snapshot(store, work) as (db_member, heads, needed):
            members: dict[str, dict[str, Any]] = {}
            with tarfile.open(partial, "w") as tar:
                db_file = work / db_member
                tar.add(db_file, arcname=db_member)
                members[db_member] = {"sha256": _sha256(db_file), "size": db_file.stat().st_size}
                missing = []
                for digest in sorted(needed):
                    path = objects.path(digest)
                    if not path.is_file():
                        missing.append(digest)
                        continue
                    name = f"{OBJECTS_PREFIX}{digest[:2]}/{digest}"
                    tar.add(path, arcname=name)
                    members[name] = {"sha256": _sha256(path), "size": path.stat().st_size}
                manifest = {
                    "format": FORMAT,
                    "created": created,
                    "engine": store.dialect,
                    "package_version": casework.__version__,
                    **heads,
                    "members": members,
                }
                data = json.dumps(manifest, ensure_ascii=False, indent=1, sort_keys=True).encode()
                info = tarfile.TarInfo(MANIFEST)
                info.size, info.mtime = len(data), int(datetime.now(UTC).timestamp())
                tar.addfile(info, io.BytesIO(data))
    if missing:
        partial.unlink()
        shown = "、".join(m[:12] for m in missing[:5])
        raise BackupFailed(f"归档目录中缺少 {len(missing)} 个归档文件（{shown}…），未写出备份")
    problems = verify_backup(partial, scratch_of=store)
    if problems:
        kept = partial.rename(output.with_name(output.name + ".unverified"))
        raise BackupFailed(f"备份校验失败（文件保留为 {kept}）：" + "；".join(problems[:10]))
    partial.replace(output)
    return Done(
        output,
        heads["audit_seq"],
        heads["archive_seq"],
        len(members) - 1,
        f"已备份并校验：{output}（审计日志第{heads['audit_seq']}条、归档清单第"
        f"{heads['archive_seq']}号、归档文件{len(members) - 1}个）",
    )


def _read_checked(path: Path, into: Path) -> tuple[dict[str, Any], list[str]]:
    """Unpack ``path`` into ``into`` and check every member against the manifest."""
    problems: list[str] = []
    with tarfile.open(path, "r") as tar:
        try:
            manifest = json.load(tar.extractfile(MANIFEST))  # type: ignore[arg-type]
        except (KeyError, ValueError, TypeError):
            raise BackupFailed(f"{path} 不是 casework 备份（缺少或无法读取 {MANIFEST}）") from None
        listed = dict(manifest.get("members", {}))
        for member in tar.getmembers():
            if member.name == MANIFEST:
                continue
            if member.name not in listed or not member.isfile():
                problems.append(f"备份中多出清单以外的成员：{member.name}")
                continue
            tar.extract(member, into, filter="data")
            got = into / member.name
            want = listed.pop(member.name)
            if (_sha256(got), got.stat().st_size) != (want["sha256"], want["size"]):
                problems.append(f"备份成员 {member.name} 的 SHA-256 与清单不符（被改动）")
        problems += [f"备份中缺少清单所列的成员：{name}" for name in listed]
    if manifest.get("format") != FORMAT:
        problems.append(f"备份格式 {manifest.get('format')} 不受支持（应为 {FORMAT}）")
    return manifest, problems


def _verify_store(store: Store, root: Path, anchored_until: str, anchors_of: str) -> list[str]:
    """``audit verify`` and ``archive verify`` of a restored store, against earlier anchors."""
    from casework.archive.verify import verify as archive_verify
    from casework.ops.anchor import key_path, read_anchors
    from casework.store import audit

    key = key_path(db_url=anchors_of)
    anchors = read_anchors(db_url=anchors_of).until(anchored_until)
    with store.read() as conn:
        problems = [f"[{p.kind}] {p.message}" for p in audit.verify(conn, anchors.audit_pins())]
    problems += [f"[锚定] {message}" for message in anchors.problems]
    checked = archive_verify(store, root, anchors.path, key=key, anchored_until=anchored_until)
    problems += [f"[{p.kind}] {p.message}" for p in checked if p.kind != "锚定"]
    return problems


@contextlib.contextmanager
def _scratch_pg(url: str) -> Iterator[str]:
    """A throw-away database on the server of ``url`` (dropped afterwards)."""
    from sqlalchemy import create_engine

    name = "casework_verify_" + os.urandom(6).hex()
    admin = create_engine(url, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{name}"'))
        yield make_url(url).set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def verify_backup(path: Path, *, scratch_of: Store | None = None) -> list[str]:
    """Every problem of the backup at ``path``: its members, then a scratch restore of it.

    ``scratch_of`` is the store it was taken from: its anchors are checked, and for PostgreSQL
    the scratch database is made on its server.
    """
    with tempfile.TemporaryDirectory(prefix="casework-verify-") as tmp:
        work = Path(tmp)
        manifest, problems = _read_checked(path, work)
        if problems:
            return problems
        origin = scratch_of.url if scratch_of is not None else settings.DB.get()
        root = work / "archive"
        (root / "objects").mkdir(parents=True, exist_ok=True)
        if manifest["engine"] == "sqlite":
            scratch = open_store(f"sqlite:///{work / SQLITE_MEMBER}", migrate=False)
            try:
                return _verify_store(scratch, root, manifest["created"], origin)
            finally:
                scratch.dispose()
        if scratch_of is None or scratch_of.dialect != "postgresql":
            return ["PostgreSQL 备份须在 PostgreSQL 服务器上校验（请用 casework restore）"]
        with _scratch_pg(scratch_of.url) as scratch_url:
            pg_url, env = _libpq(scratch_url)
            _run(["pg_restore", "--no-owner", "-d", pg_url, str(work / PG_MEMBER)], env)
            scratch = open_store(scratch_url, migrate=False)
            try:
                return _verify_store(scratch, root, manifest["created"], origin)
            finally:
                scratch.dispose()


def _has_data(store: Store) -> bool:
    from sqlalchemy import inspect

    with store.read() as conn:
        return "audit_log" in inspect(conn).get_table_names()


def restore(
    path: Path, db: str | None = None, *, root: Path | str | None = None, force: bool = False
) -> Done:
    """Restore the backup at ``path`` into the store ``db`` and its archive folder, then verify.

    Refuses a store or archive folder that already holds data unless ``force`` (the old archive
    files are then moved aside, not deleted).

    Raises:
        BackupFailed: the backup is damaged, the target holds data, or the result did not verify.
    """
    from casework.archive.objects import archive_root

    if not Path(path).is_file():
        raise BackupFailed(f"找不到备份文件：{path}")
    url = normalise_url(db or settings.DB.get())
    target = Store(url)
    try:
        folder = archive_root(root, db_url=url)
        objects = folder / "objects"
        with tempfile.TemporaryDirectory(prefix="casework-restore-") as tmp:
            work = Path(tmp)
            manifest, problems = _read_checked(Path(path), work)
            if problems:
                raise BackupFailed("备份已损坏，未恢复：" + "；".join(problems[:10]))
            engine = manifest["engine"]
            if engine != target.dialect:
                raise BackupFailed(f"这是 {engine} 的备份，不能恢复到 {target.dialect} 数据库")
            occupied = _has_data(target) or (objects.is_dir() and any(objects.rglob("*")))
            if occupied and not force:
                raise BackupFailed(
                    f"目标数据库或档案目录（{folder}）已有数据；确认覆盖请加 --force"
                )
            if engine == "sqlite":
                dst_file = settings.sqlite_file(url)
                assert dst_file is not None
                target.dispose()
                dst_file.parent.mkdir(parents=True, exist_ok=True)
                src = sqlite3.connect(work / SQLITE_MEMBER)
                dst = sqlite3.connect(dst_file)
                try:
                    src.backup(dst)
                finally:
                    src.close()
                    dst.close()
            else:
                pg_url, env = _libpq(url)
                _run(
                    [
                        "pg_restore",
                        "--clean",
                        "--if-exists",
                        "--no-owner",
                        "-d",
                        pg_url,
                        str(work / PG_MEMBER),
                    ],
                    env,
                )
            if objects.exists():
                stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S")
                objects.rename(folder / f"objects.before-restore-{stamp}")
            restored = work / OBJECTS_PREFIX
            folder.mkdir(parents=True, exist_ok=True)
            if restored.is_dir():
                shutil.copytree(restored, objects)
            else:
                objects.mkdir()
        target.dispose()
        target = open_store(url, migrate=False)
        problems = _verify_store(target, folder, manifest["created"], url)
        if problems:
            raise BackupFailed("已恢复，但校验发现问题：" + "；".join(problems[:10]))
        files = len(manifest["members"]) - 1
        return Done(
            Path(path),
            int(manifest["audit_seq"]),
            int(manifest["archive_seq"]),
            files,
            f"已恢复并校验：{target.engine.url.render_as_string(hide_password=True)}，档案目录 "
            f"{folder}（审计日志第{manifest['audit_seq']}条、归档清单第"
            f"{manifest['archive_seq']}号、归档文件{files}个；"
            f"备份时间 {manifest['created'][:19]}）",
        )
    finally:
        target.dispose()
