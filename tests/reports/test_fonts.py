"""The report's font: subset per report from a face reduced once (GB 2312 and ASCII) and kept in
the user's cache folder — and still holding every character a report shows, a rare hanzi of a
name included (taken from the installed face then), so the PDF loses no text."""

from __future__ import annotations

import io
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest
from fontTools.ttLib import TTFont

from casework.reports import fonts
from casework.reports.export import ChromiumSession, printable
from casework.reports.pdfa import to_pdfa

pytestmark = pytest.mark.skipif(
    not (fonts.NOTO / fonts.FACES["normal"]).exists(), reason="fonts-noto-cjk missing"
)
COMMON_TEXT = "济南市人力资源和社会保障局 备案决定书 2025年3月1日 第1页共2页"
RARE = "镕堃喆𠮷"
"""Hanzi of names outside GB 2312 (the installed face has them, the reduced font does not)."""


def cmap_of(data: bytes) -> set[int]:
    return set(TTFont(io.BytesIO(data)).getBestCmap())


@pytest.fixture
def reduction(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """A reduced font made for these tests in their own cache folder, over a few hundred
    characters instead of GB 2312's 7,000 (the same code; seconds, not a minute a face)."""
    few = "".join(sorted(set(fonts.ALWAYS + COMMON_TEXT + fonts.common_characters()[::40])))
    monkeypatch.setattr(fonts, "common_characters", lambda: few)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    fonts.forget_reduced()
    with fonts.building_allowed():
        yield
    fonts.forget_reduced()


def test_the_characters_kept_are_ascii_punctuation_and_all_of_gb2312() -> None:
    common = fonts.common_characters()

    assert len(common) > 7000
    assert set(fonts.ALWAYS) <= set(common) and "镕" not in common and "济" in common


def test_the_reduced_font_holds_every_common_character_the_installed_face_has(
    reduction: None,
) -> None:
    common = {ord(c) for c in fonts.common_characters()}

    face = fonts.reduced("normal")

    assert face is not None
    assert common & fonts._source_unicodes("normal") <= face.unicodes
    assert not {ord(c) for c in RARE} & face.unicodes


def test_a_subset_of_the_reduced_font_draws_exactly_what_the_installed_face_draws(
    reduction: None,
) -> None:
    unicodes = {ord(c) for c in COMMON_TEXT + fonts.ALWAYS}
    face = fonts.reduced("normal")
    assert face is not None

    quick = TTFont(io.BytesIO(fonts._from_reduced(face, unicodes)))
    slow = TTFont(io.BytesIO(fonts._from_source("normal", unicodes)))

    assert quick.getGlyphOrder() and len(quick.getGlyphOrder()) == len(slow.getGlyphOrder())
    for tag in ("cmap", "glyf", "loca", "hmtx", "vmtx", "GSUB", "GPOS"):  # by glyph index
        assert quick.getTableData(tag) == slow.getTableData(tag), tag


def test_a_report_with_a_rare_character_gets_it_in_its_font(reduction: None) -> None:
    face = fonts.subset("normal", [COMMON_TEXT + RARE])

    assert {ord(c) for c in COMMON_TEXT + RARE} <= cmap_of(face.data)


def test_a_character_no_installed_face_has_does_not_leave_the_reduced_font(
    reduction: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert fonts.reduced("bold") is not None

    def never(weight: str, unicodes: set[int]) -> bytes:
        raise AssertionError(f"the installed face was subset for {sorted(unicodes)[:5]}")

    monkeypatch.setattr(fonts, "_from_source", never)

    face = fonts.subset("bold", [COMMON_TEXT + "😀"])

    assert {ord(c) for c in COMMON_TEXT} <= cmap_of(face.data)


def test_the_same_text_gives_the_same_font_byte_for_byte(reduction: None) -> None:
    first = fonts.font_css([COMMON_TEXT])
    fonts.forget_reduced()  # read back from the cache folder

    again = fonts.font_css([COMMON_TEXT])

    assert first == again


def test_a_single_report_never_waits_for_the_reduced_font_to_be_made(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "empty"))
    fonts.forget_reduced()
    try:
        face = fonts.reduced("normal")  # not made: only a batch of BUILD_AT reports makes it
        font = fonts.subset("normal", [COMMON_TEXT + RARE])
    finally:
        fonts.forget_reduced()

    assert face is None
    assert not (tmp_path / "empty").exists()
    assert {ord(c) for c in COMMON_TEXT + RARE} <= cmap_of(font.data)


def test_without_a_writable_cache_folder_reports_are_subset_from_the_installed_face(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    blocked = tmp_path / "not-a-folder"
    blocked.write_text("")
    monkeypatch.setenv("XDG_CACHE_HOME", str(blocked))
    fonts.forget_reduced()
    try:
        with fonts.building_allowed():
            face = fonts.reduced("normal")
            font = fonts.subset("normal", [COMMON_TEXT + RARE])
    finally:
        fonts.forget_reduced()

    assert face is None
    assert {ord(c) for c in COMMON_TEXT + RARE} <= cmap_of(font.data)


def test_a_kept_reduced_font_is_read_back_and_a_damaged_one_never_used(tmp_path: Path) -> None:
    data = fonts.subset("normal", [COMMON_TEXT]).data
    fonts._keep(tmp_path, "face", data)
    kept = fonts._cached(tmp_path, "face")

    (path,) = tmp_path.glob("face-*.ttf")
    path.write_bytes(data[:-1] + b"\x00")
    damaged = fonts._cached(tmp_path, "face")

    assert kept is not None and kept.data == data
    assert damaged is None


@pytest.mark.slow
@pytest.mark.skipif(
    not (shutil.which("chromium") and shutil.which("pdftotext") and shutil.which("pdffonts")),
    reason="Debian chromium or poppler-utils missing (make system-deps)",
)
def test_a_rare_character_of_a_report_is_in_the_pdf_text_in_the_embedded_font(
    tmp_path: Path,
) -> None:
    text = f"机构负责人：朱{RARE}（{COMMON_TEXT}）"
    footer = "归档记录1"  # printed in the page margin, in the report's font too
    html = (
        '<html><head><meta charset="utf-8">'
        f"<style>{fonts.font_css([text, footer])}\n"
        f'body {{ font-family: "{fonts.FAMILY}"; }}</style></head>'
        f"<body><p>{text}</p></body></html>"
    )
    with ChromiumSession() as session:
        printed = session.pdf(printable(html, footer))
    path = tmp_path / "r.pdf"
    path.write_bytes(to_pdfa(printed, title="字体", author="测试", subject="字体", creator="测试"))

    extracted = subprocess.run(
        ["pdftotext", str(path), "-"], capture_output=True, text=True, check=True
    ).stdout
    listed = subprocess.run(["pdffonts", str(path)], capture_output=True, text=True).stdout

    assert f"朱{RARE}" in "".join(extracted.split())
    names = {line.split()[0].split("+")[-1] for line in listed.splitlines()[2:]}
    assert names == {"NotoSerifCJKsc-Regular"}
