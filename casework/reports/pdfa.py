"""The printed report as PDF/A-2b (ISO 19005-2, level B), the archival PDF.

Chromium prints the report with its fonts embedded (named TrueType subsets, see ``fonts.py``);
pikepdf then declares the document PDF/A-2b — XMP metadata with ``pdfaid:part=2`` and
``pdfaid:conformance=B``, the DocInfo agreeing with it, one sRGB output intent — writes it and
validates what it wrote with its PDF/A validator (no veraPDF package is installable here). A file
that does not pass is refused, never archived as PDF/A.
"""

from __future__ import annotations

import contextlib
import gc
import io
from collections.abc import Iterator

import pikepdf
from pikepdf import Name, Pdf
from pikepdf.pdfa import PdfaError
from pikepdf.pdfa import save as save_pdfa

from casework.errors import CaseworkError

FLAVOUR = "2b"
LANGUAGE = "zh-CN"


class NotPdfA(CaseworkError):
    """The printed report could not be made a valid PDF/A-2b file."""


@contextlib.contextmanager
def no_collection() -> Iterator[None]:
    """pikepdf's content check records every warning raised while it runs, so a ResourceWarning
    of an unrelated object collected meanwhile (an unclosed event loop of a finished kernel
    client) reads as a content error; no cyclic garbage collection runs inside.

    The garbage already there is left for the collector to take after the check, not collected
    first: in a batch's process (notebooks, executed outputs) a full collection took about half
    a second a report, most of making the PDF/A."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def to_pdfa(data: bytes, *, title: str, author: str, subject: str, creator: str) -> bytes:
    """``data`` (a PDF) as a validated PDF/A-2b file with the given document information.

    Raises:
        NotPdfA: the file does not pass PDF/A-2b validation (the findings are named).
    """
    out = io.BytesIO()
    with Pdf.open(io.BytesIO(data)) as pdf:
        pdf.Root.Lang = pikepdf.String(LANGUAGE)
        pdf.Root.ViewerPreferences = pikepdf.Dictionary(DisplayDocTitle=True)
        with pdf.open_metadata(set_pikepdf_as_editor=False) as meta:
            meta["dc:title"] = title
            meta["dc:creator"] = [author]
            meta["dc:description"] = subject
            meta["xmp:CreatorTool"] = creator
            meta["dc:language"] = [LANGUAGE]
        pdf.docinfo[Name.Title] = title
        pdf.docinfo[Name.Author] = author
        pdf.docinfo[Name.Subject] = subject
        pdf.docinfo[Name.Creator] = creator
        try:
            with no_collection():
                save_pdfa(pdf, out, FLAVOUR)
        except PdfaError as exc:
            raise NotPdfA(f"归档 PDF 未通过 PDF/A-2b 校验：{exc}") from exc
    return out.getvalue()
