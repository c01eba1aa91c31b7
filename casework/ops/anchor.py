"""Chain heads anchored outside the database (``casework audit anchor``).

The audit log and the archive manifest are hash chains whose heads live in the same database, so
someone who can write the database can cut the newest entries and move the head, or edit an entry
and recompute every hash after it, and both chains still verify. An anchor is one line appended to
a file outside the database (``CASEWORK_ANCHORS``): the audit head, the manifest head and a digest
of the refusals so far, signed with the bureau's Ed25519 key (``CASEWORK_ANCHOR_KEY``, a PEM file;
its ``.pub`` twin is enough to verify) or, where there is no key infrastructure, HMAC-SHA256 with a
secret in that file. Each line also carries the hash of the line before it. ``casework audit
verify`` and ``casework archive verify`` require both chains to pass through every anchor.

Refused attempts are kept apart from the command chain (a refusal writes no audit entry, which the
role and page tests rely on); the anchors chain them instead, so a refusal removed or edited after
an anchor is found.
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import hmac
import json
import os
import secrets
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Protocol

from sqlalchemy import Connection, select

from casework.errors import CaseworkError
from casework.store.audit import GENESIS, Pin, canonical_json
from casework.store.engine import Store
from casework.store.tables import archive_head, audit_head, refusals

DEFAULT_ANCHORS, DEFAULT_KEY = "anchors.jsonl", "anchor.key"
ED25519, HMAC_SHA256 = "ed25519", "hmac-sha256"
ANCHOR_FILE = "锚定"  # the kind of a problem with the anchor file itself


class AnchorError(CaseworkError):
    """The anchor key cannot be read or created."""


def _beside_db(chosen: str, db_url: str | None) -> Path:
    """An absolute path as is; a relative one in the SQLite database's folder (as the archive)."""
    from casework import settings

    path = Path(chosen).expanduser()
    if path.is_absolute():
        return path.resolve()
    db_file = settings.sqlite_file(db_url or settings.DB.get())
    base = db_file.parent if db_file is not None else settings.data_home()
    return (base / path).resolve()


def anchors_path(path: Path | str | None = None, db_url: str | None = None) -> Path:
    """The anchor file: ``path``, else ``CASEWORK_ANCHORS``, else ``anchors.jsonl`` beside the
    SQLite database (``make run``: ``var/anchors.jsonl``)."""
    if path:
        return Path(path).expanduser().resolve()
    from casework import settings

    configured = settings.ANCHORS.get() if settings.ANCHORS.is_set() else DEFAULT_ANCHORS
    return _beside_db(configured, db_url)


def key_path(path: Path | str | None = None, db_url: str | None = None) -> Path:
    """The signing key: ``path``, else ``CASEWORK_ANCHOR_KEY``, else ``anchor.key`` beside the
    SQLite database."""
    if path:
        return Path(path).expanduser().resolve()
    from casework import settings

    configured = settings.ANCHOR_KEY.get() if settings.ANCHOR_KEY.is_set() else DEFAULT_KEY
    return _beside_db(configured, db_url)


# --- keys -----------------------------------------------------------------------------------


class Key(Protocol):
    """A signing (or only verifying) key: ``alg`` and ``key_id`` are written into each anchor."""

    @property
    def alg(self) -> str: ...

    @property
    def key_id(self) -> str: ...

    def sign(self, data: bytes) -> str: ...

    def verify(self, data: bytes, signature: str) -> bool: ...


@dataclass(frozen=True)
class HmacKey:
    """A shared secret: anyone who can verify can also sign, so keep the file apart."""

    secret: bytes
    alg: str = HMAC_SHA256

    @property
    def key_id(self) -> str:
        return hashlib.sha256(b"casework-anchor" + self.secret).hexdigest()[:16]

    def sign(self, data: bytes) -> str:
        return hmac.new(self.secret, data, hashlib.sha256).hexdigest()

    def verify(self, data: bytes, signature: str) -> bool:
        return hmac.compare_digest(self.sign(data), signature)


@dataclass(frozen=True)
class Ed25519Key:
    """The bureau's Ed25519 key; ``private`` is None where only the public key is held."""

    public: Any
    private: Any = None
    alg: str = ED25519

    @property
    def key_id(self) -> str:
        from cryptography.hazmat.primitives import serialization

        raw = self.public.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
        return hashlib.sha256(raw).hexdigest()[:16]

    def sign(self, data: bytes) -> str:
        if self.private is None:
            raise AnchorError("只有公钥，不能签署锚定记录（需要单位持有的 Ed25519 私钥）")
        return str(self.private.sign(data).hex())

    def verify(self, data: bytes, signature: str) -> bool:
        from cryptography.exceptions import InvalidSignature

        try:
            self.public.verify(bytes.fromhex(signature), data)
        except (InvalidSignature, ValueError):
            return False
        return True


def load_key(path: Path | str | None = None, db_url: str | None = None) -> Key | None:
    """The key in ``path`` (PEM private or public Ed25519 key, or a hex HMAC secret), or None."""
    chosen = key_path(path, db_url)
    public = chosen.with_name(chosen.name + ".pub")
    if not chosen.is_file() and public.is_file():
        chosen = public
    if not chosen.is_file():
        return None
    data = chosen.read_bytes().strip()
    if data.startswith(b"-----BEGIN"):
        from cryptography.hazmat.primitives import serialization
        from cryptography.hazmat.primitives.asymmetric import ed25519

        if b"PRIVATE KEY" in data:
            private = serialization.load_pem_private_key(data, password=None)
            if not isinstance(private, ed25519.Ed25519PrivateKey):
                raise AnchorError(f"锚定密钥 {chosen} 不是 Ed25519 私钥")
            return Ed25519Key(private.public_key(), private)
        pub = serialization.load_pem_public_key(data)
        if not isinstance(pub, ed25519.Ed25519PublicKey):
            raise AnchorError(f"锚定密钥 {chosen} 不是 Ed25519 公钥")
        return Ed25519Key(pub)
    try:
        return HmacKey(bytes.fromhex(data.decode("ascii")))
    except ValueError:
        raise AnchorError(
            f"锚定密钥 {chosen} 既不是 PEM 格式的 Ed25519 密钥，也不是十六进制密文"
        ) from None


def _write_private(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "wb") as f:
        f.write(data)


def new_key(
    path: Path | str | None = None, alg: str | None = None, db_url: str | None = None
) -> Key:
    """Create a key (mode 0600): Ed25519 where ``cryptography`` is installed, else HMAC."""
    chosen = key_path(path, db_url)
    if chosen.exists():
        raise AnchorError(f"锚定密钥 {chosen} 已存在，不会覆盖")
    if alg is None:
        try:
            import cryptography  # noqa: F401
        except ImportError:  # pragma: no cover - cryptography is a dependency
            alg = HMAC_SHA256
        else:
            alg = ED25519
    if alg == HMAC_SHA256:
        _write_private(chosen, secrets.token_hex(32).encode() + b"\n")
    else:
        from cryptography.hazmat.primitives import serialization
        from cryptography.hazmat.primitives.asymmetric import ed25519

        private = ed25519.Ed25519PrivateKey.generate()
        pem = private.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
        _write_private(chosen, pem)
        chosen.with_name(chosen.name + ".pub").write_bytes(
            private.public_key().public_bytes(
                serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
            )
        )
    key = load_key(chosen)
    assert key is not None
    return key


# --- anchors --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Anchor:
    """One anchored moment: the heads of both chains and the refusals so far."""

    n: int
    at: str
    audit_seq: int
    audit_hash: str
    archive_seq: int
    archive_hash: str
    refusals: int
    refusals_hash: str

    @property
    def label(self) -> str:
        return f"第{self.n}号锚定（{self.at[:19].replace('T', ' ')}）"


def refusal_chain(conn: Connection) -> list[str]:
    """The running hash over the refusals in order: element ``i`` covers the first ``i``."""
    chain = [GENESIS]
    rows = conn.execute(select(refusals).order_by(refusals.c.id)).mappings()
    for row in rows:
        body = canonical_json({k: row[k] for k in ("id", "at", "actor", "command", "reason")})
        chain.append(hashlib.sha256((chain[-1] + body).encode("utf-8")).hexdigest())
    return chain


def chain_heads(conn: Connection) -> dict[str, Any]:
    """The heads of the audit chain, the archive manifest and the refusals, now."""
    return _heads(conn)


def edition_pins(path: Path | str) -> list[Pin]:
    """The audit chain head a published catalog edition (its JSON file) recorded (SEL-09)."""
    body = json.loads(Path(path).read_text(encoding="utf-8"))
    heads = body.get("chain_heads") or {}
    audit = heads.get("audit")
    if not audit:
        raise AnchorError(f"目录文件{path}没有记录审计链头（不是本系统发布的目录 JSON）")
    label = f"第{body.get('edition')}期考核机构目录（{body.get('published_on')}）"
    return [Pin(int(audit["seq"]), str(audit["hash"]), label)]


def _heads(conn: Connection) -> dict[str, Any]:
    audit = conn.execute(select(audit_head.c.seq, audit_head.c.hash)).first()
    manifest = conn.execute(select(archive_head.c.seq, archive_head.c.hash)).first()
    chain = refusal_chain(conn)
    return {
        "audit": {"seq": audit.seq if audit else 0, "hash": audit.hash if audit else GENESIS},
        "archive": {
            "seq": manifest.seq if manifest else 0,
            "hash": manifest.hash if manifest else GENESIS,
        },
        "refusals": {"count": len(chain) - 1, "hash": chain[-1]},
    }


def _signed_bytes(record: dict[str, Any]) -> bytes:
    return canonical_json({k: v for k, v in record.items() if k != "sig"}).encode("utf-8")


def _line_hash(line: str) -> str:
    return hashlib.sha256(line.encode("utf-8")).hexdigest()


@contextlib.contextmanager
def _locked_append(path: Path) -> Iterator[int]:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_RDWR | os.O_APPEND | os.O_CREAT, 0o640)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        yield fd
    finally:
        os.close(fd)


def write_anchor(
    store: Store, path: Path | str | None = None, key: Path | str | None = None
) -> tuple[Anchor, Key, bool]:
    """Append the signed heads of ``store`` to the anchor file.

    Returns:
        The anchor, the key that signed it, and whether that key was created just now.
    """
    signer = load_key(key, store.url)
    created = signer is None
    if signer is None:
        signer = new_key(key, db_url=store.url)
    with store.read() as conn:
        heads = _heads(conn)
    target = anchors_path(path, store.url)
    with _locked_append(target) as fd:
        lines = [ln for ln in target.read_text(encoding="utf-8").splitlines() if ln.strip()]
        record: dict[str, Any] = {
            "n": len(lines) + 1,
            "at": datetime.now(UTC).isoformat(timespec="seconds"),
            "db": store.engine.url.render_as_string(hide_password=True),
            **heads,
            "prev": _line_hash(lines[-1]) if lines else GENESIS,
            "alg": signer.alg,
            "key": signer.key_id,
        }
        record["sig"] = signer.sign(_signed_bytes(record))
        os.write(fd, (canonical_json(record) + "\n").encode("utf-8"))
        os.fsync(fd)
    return _anchor(record), signer, created


def _anchor(record: dict[str, Any]) -> Anchor:
    return Anchor(
        n=int(record["n"]),
        at=str(record["at"]),
        audit_seq=int(record["audit"]["seq"]),
        audit_hash=str(record["audit"]["hash"]),
        archive_seq=int(record["archive"]["seq"]),
        archive_hash=str(record["archive"]["hash"]),
        refusals=int(record["refusals"]["count"]),
        refusals_hash=str(record["refusals"]["hash"]),
    )


@dataclass(frozen=True)
class Anchors:
    """The anchors read from the file, and what is wrong with the file itself."""

    path: Path
    anchors: tuple[Anchor, ...]
    problems: tuple[str, ...]

    def until(self, at: str | None) -> Anchors:
        """Only the anchors made at or before ``at`` (ISO time; None keeps all)."""
        if at is None:
            return self
        kept = tuple(a for a in self.anchors if a.at <= at)
        return Anchors(self.path, kept, self.problems)

    def audit_pins(self) -> list[Pin]:
        return [Pin(a.audit_seq, a.audit_hash, a.label) for a in self.anchors]

    def archive_pins(self) -> list[Pin]:
        return [Pin(a.archive_seq, a.archive_hash, a.label) for a in self.anchors]

    def refusal_problems(self, conn: Connection) -> list[str]:
        """Refusals removed or edited since an anchor recorded them."""
        chain = refusal_chain(conn)
        found = []
        for a in self.anchors:
            if a.refusals >= len(chain):
                found.append(
                    f"拒绝记录被删除：{a.label}时已有{a.refusals}条，现只有{len(chain) - 1}条"
                )
            elif chain[a.refusals] != a.refusals_hash:
                found.append(f"拒绝记录被改动或删除：前{a.refusals}条与{a.label}不符")
        return found


def read_anchors(
    path: Path | str | None = None, key: Path | str | None = None, db_url: str | None = None
) -> Anchors:
    """Every anchor in the file, each checked: its signature and its link to the line before.

    A missing file holds no anchors (and no problems): nothing was anchored yet.
    """
    target = anchors_path(path, db_url)
    if not target.is_file():
        return Anchors(target, (), ())
    lines = [ln for ln in target.read_text(encoding="utf-8").splitlines() if ln.strip()]
    signer = load_key(key, db_url) if lines else None
    anchors, problems = [], []
    if lines and signer is None:
        problems.append(f"找不到锚定密钥 {key_path(key, db_url)}，无法校验锚定记录的签名")
    prev = GENESIS
    for i, line in enumerate(lines, start=1):
        try:
            record = json.loads(line)
            anchor = _anchor(record)
        except (ValueError, KeyError, TypeError):
            problems.append(f"锚定文件第{i}行无法读取（被改动）")
            prev = _line_hash(line)
            continue
        if record.get("prev") != prev or anchor.n != i:
            problems.append(f"锚定文件第{i}行与前一行不衔接（有锚定记录被删除、插入或改动）")
        if signer is not None:
            if record.get("alg") != signer.alg or record.get("key") != signer.key_id:
                problems.append(f"锚定文件第{i}行不是用本单位的锚定密钥签署的")
            elif not signer.verify(_signed_bytes(record), str(record.get("sig", ""))):
                problems.append(f"锚定文件第{i}行签名无效（被改动）")
        anchors.append(anchor)
        prev = _line_hash(line)
    return Anchors(target, tuple(anchors), tuple(problems))
