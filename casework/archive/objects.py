"""Content-addressed files: each stored once under its SHA-256, also digested with SM3.

SM3 is the national standard hash (GB/T 32905-2016) that Chinese archival and e-government
systems check; SHA-256 names the file. A file is written to a temporary name, flushed to disk
and renamed, so a crash never leaves a half-written object under a valid name.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from casework import settings
from casework.errors import CaseworkError

OBJECTS = "objects"


def archive_root(root: Path | str | None = None, db_url: str | None = None) -> Path:
    """The archive folder: ``root``, else the configured one of the store at ``db_url``
    (``casework.settings.archive_dir``: never relative to the working directory)."""
    if root:
        return Path(root).expanduser().resolve()
    return settings.archive_dir(db_url)


def sm3(data: bytes) -> str:
    """SM3 (GB/T 32905) of ``data``, hex."""
    try:
        return hashlib.new("sm3", data).hexdigest()
    except ValueError as exc:  # an OpenSSL build without SM3
        raise CaseworkError("本机 OpenSSL 不支持 SM3（GB/T 32905）摘要，无法归档") from exc


@dataclass(frozen=True)
class Digests:
    """A file's size and its SHA-256 and SM3 digests."""

    sha256: str
    sm3: str
    size: int

    @classmethod
    def of(cls, data: bytes) -> Digests:
        return cls(hashlib.sha256(data).hexdigest(), sm3(data), len(data))


class ObjectStore:
    """Files under ``root/objects/ab/abcdef…`` named by their SHA-256."""

    def __init__(self, root: Path | str | None = None, *, db_url: str | None = None) -> None:
        self.root = archive_root(root, db_url)
        self.objects = self.root / OBJECTS

    def path(self, sha256: str) -> Path:
        return self.objects / sha256[:2] / sha256

    def put(self, data: bytes) -> Digests:
        """Store ``data`` (once: an identical file is already there) and return its digests."""
        digests = Digests.of(data)
        target = self.path(digests.sha256)
        if target.exists() and Digests.of(target.read_bytes()) == digests:
            return digests
        target.parent.mkdir(parents=True, exist_ok=True)
        tmp = target.with_name(f".{target.name}.{os.getpid()}.part")
        with tmp.open("wb") as f:
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
        tmp.replace(target)
        return digests

    def read(self, sha256: str) -> bytes:
        return self.path(sha256).read_bytes()

    def exists(self, sha256: str) -> bool:
        return self.path(sha256).is_file()

    def remove(self, sha256: str) -> bool:
        """Delete one object (destruction); True if a file was removed."""
        target = self.path(sha256)
        if not target.exists():
            return False
        target.unlink()
        return True

    def files(self) -> Iterator[Path]:
        """Every file under ``objects/`` (stored objects and anything else put there)."""
        if self.objects.is_dir():
            yield from (p for p in sorted(self.objects.rglob("*")) if p.is_file())
