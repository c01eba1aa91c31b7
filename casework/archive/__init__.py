"""The tamper-evident evidence archive: content-addressed files plus a hash-chained manifest.

Files live under ``CASEWORK_ARCHIVE`` (default ``./var/archive``), named by SHA-256 and
digested with SM3 too; the manifest (``archive_entries``) records for each archived record the
case, procedure, who, when, rubric version, parameters and package version. ``verify`` re-hashes
everything; retention follows EXIT-08 with legal holds and recorded destruction decisions.
"""

from casework.archive.manifest import (
    ELECTRONIC,
    PAPER,
    ArchivedFile,
    Entry,
    entries,
    entry,
    record_entry,
)
from casework.archive.objects import Digests, ObjectStore, archive_root
from casework.archive.retention import (
    DESTROY,
    KEEP,
    closing_of,
    decide_disposal,
    destroy,
    expired,
    keep_until,
    place_hold,
    release_hold,
    retention_table,
)
from casework.archive.verify import ArchiveProblem, verify

__all__ = [
    "DESTROY",
    "ELECTRONIC",
    "KEEP",
    "PAPER",
    "ArchiveProblem",
    "ArchivedFile",
    "Digests",
    "Entry",
    "ObjectStore",
    "archive_root",
    "closing_of",
    "decide_disposal",
    "destroy",
    "entries",
    "entry",
    "expired",
    "keep_until",
    "place_hold",
    "record_entry",
    "release_hold",
    "retention_table",
    "verify",
]
