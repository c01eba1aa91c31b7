"""Official documents generated from case data, never typed by hand.

Letters the bureau stamps and sends (Attachments 2/2-1, 3/3-1, 7/7-1, 8), printable forms
(Attachments 4, 5, 6) and the texts the city publishes (征集公告, 公示, 续期评估通知, 续期结果公布),
as ``.docx`` in official-document layout and as PDF with the Chinese fonts embedded.

``build`` reads the case, checks it and returns the validated document model; ``write`` renders
it. A wrong or missing field refuses the document with every problem named
(:class:`~casework.documents.model.DocumentRefused`); nothing half-made is saved.
"""

from __future__ import annotations

import tempfile
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from casework.documents import forms, gather, letters, publications
from casework.documents.config import DocumentSettings, load_settings
from casework.documents.model import Document, DocumentRefused
from casework.errors import CaseworkError
from casework.store.engine import Store

Maker = Callable[[Store, int, DocumentSettings, dict[str, Any]], Document]
FORMATS = ("docx", "pdf")


@dataclass(frozen=True)
class Kind:
    """One kind of document: what it is, which id it is issued for, how it is made."""

    key: str
    label: str
    attachment: str
    case: str
    rules: str
    make: Maker


def _on(opts: dict[str, Any]) -> dict[str, Any]:
    return {k: opts[k] for k in ("issued_on", "department") if opts.get(k) is not None}


KINDS: dict[str, Kind] = {
    k.key: k
    for k in (
        Kind(
            "receipt",
            "备案回执",
            "附件2、2-1",
            "备案编号",
            "SEL-05, ATT2-TERM",
            lambda s, i, c, o: letters.filing_receipt(gather.receipt(s, i, c, **_on(o))),
        ),
        Kind(
            "scope",
            "范围调整回执",
            "附件3、3-1",
            "备案编号（--on 调整日期）",
            "SEL-06",
            lambda s, i, c, o: letters.scope_change_receipt(
                gather.scope_change(s, i, c, on=o.get("on"), **_on(o))
            ),
        ),
        Kind(
            "renewal",
            "备案续期回执",
            "附件7、7-1",
            "续期评估案件编号",
            "REN-05",
            lambda s, i, c, o: letters.renewal_receipt(gather.renewal_receipt(s, i, c, **_on(o))),
        ),
        Kind(
            "revocation",
            "撤销备案函",
            "附件8",
            "备案编号",
            "EXIT-02, EXIT-06",
            lambda s, i, c, o: letters.revocation_letter(gather.revocation(s, i, c, **_on(o))),
        ),
        Kind(
            "att4",
            "续期评估明细表",
            "附件4",
            "续期评估案件编号",
            "REN-04, REN-07",
            lambda s, i, c, o: forms.attachment4_sheets(
                gather.renewal_sheets(s, i), f"续期评估明细表-{i}"
            ),
        ),
        Kind(
            "att5",
            "备案续期申请表",
            "附件5",
            "续期评估案件编号",
            "REN-02, ATT5-STATS",
            lambda s, i, c, o: forms.attachment5(gather.application(s, i), f"备案续期申请表-{i}"),
        ),
        Kind(
            "att6",
            "续期评估组意见反馈表",
            "附件6",
            "续期评估案件编号",
            "REN-04, REN-05",
            lambda s, i, c, o: forms.attachment6(gather.opinion(s, i), f"续期评估组意见反馈表-{i}"),
        ),
        Kind(
            "call",
            "征集公告",
            "—",
            "征集公告编号",
            "SEL-02",
            lambda s, i, c, o: publications.call_announcement(gather.call(s, i, c, **_on(o))),
        ),
        Kind(
            "notice",
            "拟备案公示",
            "—",
            "公示编号",
            "SEL-05",
            lambda s, i, c, o: publications.filing_notice(gather.notice(s, i, c, **_on(o))),
        ),
        Kind(
            "renewal-notice",
            "续期评估通知",
            "—",
            "续期评估轮次编号",
            "REN-01",
            lambda s, i, c, o: publications.renewal_notice(gather.renewal_round(s, i, c, **_on(o))),
        ),
        Kind(
            "renewal-results",
            "续期评估结果公布",
            "—",
            "续期评估轮次编号",
            "REN-05",
            lambda s, i, c, o: publications.renewal_results(
                gather.renewal_results(s, i, c, **_on(o))
            ),
        ),
    )
}


def build(
    store: Store,
    kind: str,
    case_id: int,
    *,
    issued_on: date | None = None,
    department: str | None = None,
    on: date | None = None,
    settings: DocumentSettings | None = None,
) -> Document:
    """The validated document ``kind`` for case ``case_id`` (see :data:`KINDS`).

    Raises:
        DocumentRefused: a field is missing or wrong, or the case is not at that step.
        NotFound: no such case.
    """
    if kind not in KINDS:
        raise CaseworkError(f"未知的文书类型“{kind}”，可选：{'、'.join(KINDS)}")
    cfg = settings or load_settings()
    opts = {"issued_on": issued_on, "department": department, "on": on}
    return KINDS[kind].make(store, case_id, cfg, opts)


def render(
    documents: Sequence[Document],
    fmt: str,
    output_dir: Path,
    settings: DocumentSettings | None = None,
) -> list[Path]:
    """Render documents as ``.docx`` or PDF into ``output_dir`` (PDFs in one LibreOffice run).

    Every document is validated before anything is written; on any failure nothing is left.
    """
    from casework.documents.docx import write_docx
    from casework.documents.model import validate
    from casework.documents.pdf import docx_to_pdf

    if fmt not in FORMATS:
        raise CaseworkError(f"文书格式应为 docx 或 pdf，而不是“{fmt}”")
    cfg = settings or load_settings()
    for d in documents:
        validate(d)
    output_dir.mkdir(parents=True, exist_ok=True)
    if fmt == "docx":
        return [write_docx(d, cfg, output_dir / f"{d.name}.docx") for d in documents]
    with tempfile.TemporaryDirectory(prefix="casework-docx-") as scratch:
        sources = [write_docx(d, cfg, Path(scratch) / f"{d.name}.docx") for d in documents]
        return docx_to_pdf(sources, output_dir)


def write(
    store: Store,
    kind: str,
    case_id: int,
    fmt: str = "docx",
    output_dir: Path = Path("."),
    **options: Any,
) -> Path:
    """Build and render one document; returns the file written."""
    return render([build(store, kind, case_id, **options)], fmt, output_dir)[0]


__all__ = ["FORMATS", "KINDS", "Document", "DocumentRefused", "Kind", "build", "render", "write"]
