"""The apps archive a completed procedure on submission (the archived report: executed headless
from its recorded parameters, exported to self-contained HTML and PDF, entered in the archive).

Archiving takes seconds, so it runs in a background thread and reports back on the page. It can
be switched off with ``CASEWORK_ARCHIVE_ON_SUBMIT=0`` (tests of the apps themselves, or a
deployment that archives in a nightly batch with ``casework report``). The files go to the
store's configured archive folder (``casework.settings.archive_dir``), whatever the kernel's
working directory (Voilà runs it in ``notebooks/``), so ``casework archive verify`` finds them.
"""

from __future__ import annotations

import logging
import threading
from typing import Any

from casework import settings
from casework.ui.context import AppContext
from casework.ui.kit import Messages

log = logging.getLogger("casework.ui")


def enabled() -> bool:
    return settings.archive_on_submit()


def archive_after(ctx: AppContext, messages: Messages, procedure: str, case_id: int) -> Any:
    """Start archiving ``procedure`` for ``case_id``; returns the thread (None when disabled)."""
    if not enabled():
        return None

    def work() -> None:
        from casework.reports import archive_procedure

        try:
            entry = archive_procedure(ctx.store, ctx.actor, procedure, int(case_id))
            messages.info(f"归档报告已生成（归档序号 {getattr(entry, 'seq', '')}）")
        except Exception as exc:  # archiving must never break the page
            log.exception("archiving %s %s failed", procedure, case_id)
            messages.error(f"归档报告未能生成，已记录，可稍后用 casework report 补做：{exc}")

    thread = threading.Thread(target=work, name=f"archive-{procedure}-{case_id}", daemon=True)
    thread.start()
    return thread
