"""Official documents generated from case data, never typed by hand.

Letters the bureau stamps and sends (Attachments 2/2-1, 3/3-1, 7/7-1, 8; the suspension notice
and the written findings of an investigation, EXIT-04/EXIT-05; the reports to the province,
SEL-08/REN-08), printable forms (Attachments 4, 5, 6; the blank 4 and 5 sent out with a
renewal notice, REN-01) and the texts the city publishes (征集公告, 公示, 续期评估通知,
续期结果公布), as ``.docx`` in official-document layout (GB/T 9704-2012, official fonts named)
and as PDF with the installed Chinese fonts embedded.

Every file is named ``<city>-<document>-<case>``, so no document of one case or city overwrites
another's. :data:`KINDS` is the registry the ``casework letter`` command lists.

``build`` reads the case, checks it and returns the validated document model; ``write`` renders
it. A wrong or missing field refuses the document with every problem named
(:class:`~casework.documents.model.DocumentRefused`); nothing half-made is saved.
"""

from __future__ import annotations

import re
import tempfile
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from datetime import date
from pathlib import Path
from typing import Any

from casework.documents import (
    exit_notices,
    forms,
    gather,
    letters,
    province,
    publications,
    revocation,
    sources,
)
from casework.documents.config import DocumentSettings, load_settings
from casework.documents.model import DocNumber, Document, DocumentRefused, Signature, validate
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


def _renewal_city(store: Store, renewal_id: int) -> str:
    from casework.queries.renewals import renewal_facts

    return str(renewal_facts(store, renewal_id).filing.filing["city_code"])


def _form(store: Store, renewal_id: int, document: Document) -> Document:
    """A renewal form, placed in its city (the forms' case data carry no bureau)."""
    return replace(document, city_code=_renewal_city(store, renewal_id))


def _blank(store: Store, round_id: int, attachment: str) -> Document:
    """A blank form sent out with round ``round_id``'s renewal notice (REN-01): Attachment 4 by
    the rubric the round is scored under, Attachment 5; placed in the round's city."""
    from casework.domain import rubrics
    from casework.queries.renewal_rounds import round_facts

    rnd = round_facts(store, round_id).round
    city = str(rnd["city_code"])
    if attachment == "4":
        rubric: Any = rubrics.by_id(str(rnd["rubric_id"]))  # a round is scored by a renewal one
        return forms.attachment4_blank(rubric, city, "续期评估明细表（空白）")
    return forms.attachment5_blank(city, "备案续期申请表（空白）")


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
            lambda s, i, c, o: revocation.revocation_letter(gather.revocation(s, i, c, **_on(o))),
        ),
        Kind(
            "suspension",
            "暂停考核活动通知",
            "—",
            "退出案件编号（违规调查）",
            "EXIT-04",
            lambda s, i, c, o: exit_notices.suspension_notice(sources.exit_case(s, i, c, **_on(o))),
        ),
        Kind(
            "findings",
            "书面核查意见",
            "—",
            "退出案件编号（违规调查）",
            "EXIT-05",
            lambda s, i, c, o: exit_notices.findings_letter(
                sources.exit_case(s, i, c, findings=True, **_on(o))
            ),
        ),
        Kind(
            "province-report",
            "报省厅报告",
            "—",
            "报省厅记录编号",
            "SEL-08, REN-08",
            lambda s, i, c, o: province.province_report(sources.province_report(s, i, c, **_on(o))),
        ),
        Kind(
            "att4",
            "续期评估明细表",
            "附件4",
            "续期评估案件编号",
            "REN-04, REN-07",
            lambda s, i, c, o: _form(
                s, i, forms.attachment4_sheets(gather.renewal_sheets(s, i), "续期评估明细表")
            ),
        ),
        Kind(
            "att5",
            "备案续期申请表",
            "附件5",
            "续期评估案件编号",
            "REN-02, ATT5-STATS",
            lambda s, i, c, o: _form(
                s, i, forms.attachment5(gather.application(s, i), "备案续期申请表")
            ),
        ),
        Kind(
            "att4-blank",
            "续期评估明细表（空白）",
            "附件4",
            "续期评估轮次编号",
            "REN-01, REN-02",
            lambda s, i, c, o: _blank(s, i, "4"),
        ),
        Kind(
            "att5-blank",
            "备案续期申请表（空白）",
            "附件5",
            "续期评估轮次编号",
            "REN-01, REN-02",
            lambda s, i, c, o: _blank(s, i, "5"),
        ),
        Kind(
            "att6",
            "续期评估组意见反馈表",
            "附件6",
            "续期评估案件编号",
            "REN-04, REN-05",
            lambda s, i, c, o: _form(
                s, i, forms.attachment6(gather.opinion(s, i), "续期评估组意见反馈表")
            ),
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
    number: str | None = None,
    settings: DocumentSettings | None = None,
) -> Document:
    """The validated document ``kind`` for case ``case_id`` (see :data:`KINDS`), named
    ``<city>-<document>-<case>``; ``number`` the registry number of its 发文字号 (printed when
    the city configures a ``doc_number`` pattern in bureaus.yaml).

    Raises:
        DocumentRefused: a field is missing or wrong, or the case is not at that step.
        NotFound: no such case.
    """
    if kind not in KINDS:
        raise CaseworkError(f"未知的文书类型“{kind}”，可选：{'、'.join(KINDS)}")
    cfg = settings or load_settings()
    opts = {"issued_on": issued_on, "department": department, "on": on}
    made = KINDS[kind].make(store, case_id, cfg, opts)
    return _finish(store, made, KINDS[kind], case_id, cfg, number)


def _finish(
    store: Store,
    document: Document,
    kind: Kind,
    case_id: int,
    cfg: DocumentSettings,
    number: str | None,
) -> Document:
    """Name the file after city, document and case, and put the 发文字号 above the title.

    A case is named by its public number (docs/case-numbers.md: the 机构代码 of a 备案, the
    SQ/XQ/TC number of the others), never by the internal record id no page shows; a call,
    notice, round or report to the province is not a case and keeps the number its page shows.
    """
    from casework.queries.keys import KIND_OF_LABEL, case_number_of

    label = kind.case.split("（")[0]
    case_kind = KIND_OF_LABEL.get(label)
    shown = case_number_of(store, case_kind, case_id) if case_kind else str(case_id)
    city = cfg.city_name(document.city_code) if document.city_code else "全省"
    name = f"{city}-{document.name}-{label}{shown}"
    blocks = document.blocks
    signed = [b for b in blocks if isinstance(b, Signature)]
    year = re.match(r"(\d{4})年", signed[0].dated) if signed else None
    if number and year and document.city_code:
        text = cfg.bureau(document.city_code).number(int(year.group(1)), number)
        if text:
            blocks = (DocNumber(text), *blocks)
    return validate(replace(document, name=name, blocks=blocks))


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
    from casework.documents.pdf import docx_to_pdf

    if fmt not in FORMATS:
        raise CaseworkError(f"文书格式应为 docx 或 pdf，而不是“{fmt}”")
    cfg = settings or load_settings()
    for d in documents:
        validate(d)
    output_dir.mkdir(parents=True, exist_ok=True)
    if fmt == "docx":
        return [write_docx(d, cfg, output_dir / f"{d.name}.docx") for d in documents]
    from casework.documents.fonts import substitutes

    with tempfile.TemporaryDirectory(prefix="casework-docx-") as scratch:
        made = [write_docx(d, cfg, Path(scratch) / f"{d.name}.docx") for d in documents]
        return docx_to_pdf(made, output_dir, substitutes(cfg.fonts))


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


__all__ = [
    "FORMATS",
    "KINDS",
    "Document",
    "DocumentRefused",
    "Kind",
    "build",
    "render",
    "write",
]
