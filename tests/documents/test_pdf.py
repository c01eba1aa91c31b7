"""A letter's PDF is the .docx converted by LibreOffice, with the Chinese fonts embedded and its
text real text: pdftotext reads the institution's name and the term back (ATT2-TERM)."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

from casework import documents
from tests.backend import sqlite_only
from tests.documents.world import World

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(
        not (shutil.which("soffice") and shutil.which("pdftotext")),
        reason="LibreOffice or poppler-utils missing (make system-deps)",
    ),
    # LibreOffice's rendering does not depend on the engine; the letters' content (read from
    # the store) is checked on both engines by test_letters.py.
    sqlite_only("the PDF conversion is engine-independent: run once, in the SQLite run"),
]


def test_receipt_pdf_has_extractable_chinese_and_embedded_fonts(
    world: World, tmp_path: Path
) -> None:
    path = documents.write(world.store, "receipt", world.ids["a"]["filing_id"], "pdf", tmp_path)

    text = subprocess.run(["pdftotext", str(path), "-"], capture_output=True, text=True).stdout
    fonts = subprocess.run(["pdffonts", str(path)], capture_output=True, text=True).stdout

    flat = "".join(text.split())
    assert "济南鲁锦织造有限公司" in flat
    assert "有效期3年（自2025年3月至2028年2月）" in flat
    rows = [line.split() for line in fonts.splitlines()[2:] if "CJK" in line]
    assert rows and all("yes" in r[-5:-3] for r in rows)  # emb (and sub) columns
    assert [p.name for p in tmp_path.iterdir()] == [path.name]  # no .docx left behind


def test_letter_pdf_sets_28_characters_per_body_line_in_the_substituted_fonts(
    world: World, tmp_path: Path
) -> None:
    """GB/T 9704-2012 5.2.1: every full body line holds 28 characters; the .docx names
    仿宋_GB2312 and 方正小标宋简体, which our PDF renders in the installed Noto CJK."""
    from casework.documents import layout

    path = documents.write(world.store, "revocation", world.ids["c"]["filing_id"], "pdf", tmp_path)

    text = subprocess.run(["pdftotext", str(path), "-"], capture_output=True, text=True).stdout
    fonts = subprocess.run(["pdffonts", str(path)], capture_output=True, text=True).stdout
    lines = [line.replace(" ", "") for line in text.splitlines() if line.strip()]
    body = lines[lines.index("济南历下烹饪培训学校：") + 1 :]
    inside = body[1:8]  # neither the paragraph's indented first line nor its last
    full = [
        line for line in inside if line.isascii() is False and not any(c.isdigit() for c in line)
    ]

    assert len(full) >= 3
    assert all(layout.width(line) == 28 for line in full), full
    assert "Noto" in fonts and "GB2312" not in fonts
