"""Archived reports an auditor accepts, for every procedure kind: every word that was entered
and every criterion in full in the PDF's text and in the HTML read with JavaScript off; a header
naming who decided (by name), who archived, when, the program and rubric versions; PDF/A-2b with
named embedded fonts, page numbers and an archive footer (case, entry, digest); text that
extracts as written; no nan/None/NaT anywhere. All reports are made in one batch (one Chromium).
"""

from __future__ import annotations

import hashlib
import io
import re
import shutil
import subprocess
from collections.abc import Iterator
from html.parser import HTMLParser
from pathlib import Path

import pikepdf
import pytest

import casework
from casework.registry.scenario import city_officer
from casework.reports.archiving import MadeReport, ReportMaker, store_report
from casework.reports.content import Field
from casework.reports.pdfa import no_collection
from casework.reports.view import value_text
from tests.documents.world import JINAN, World

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(
        not (shutil.which("chromium") and shutil.which("pdftotext") and shutil.which("pdffonts")),
        reason="Debian chromium or poppler-utils missing (make system-deps)",
    ),
]
KINDS = {
    "selection": ("selection", "a", "application_id"),
    "filing": ("filing", "a", "filing_id"),
    "scope": ("scope", "a", "filing_id"),
    "renewal": ("renewal", "a", "renewal_id"),
    "exit-withdrawal": ("exit", "b", "filing_id"),
    "exit-violation": ("exit", "c", "filing_id"),
}
MISSING_WORDS = re.compile(r"(?<![A-Za-z])(nan|NaN|None|NaT|null|undefined)(?![A-Za-z])")
OFFICER_NAME = "370100经办人"  # the display name of officer370100, who decided and archives


@pytest.fixture(scope="module")
def reports(world: World) -> Iterator[dict[str, MadeReport]]:
    maker = ReportMaker(world.store, city_officer(JINAN))
    made = {}
    with maker.browser():
        for kind, (procedure, who, key) in KINDS.items():
            params, data = maker.resolve(procedure, world.ids[who][key])
            made[kind] = maker.make(params, data)
    yield made


def flat(text: str) -> str:
    return "".join(text.split())


def pdf_text(pdf: bytes, tmp_path: Path, *args: str) -> str:
    """``pdftotext`` of the PDF; ``-raw`` (content order) keeps a wrapped table cell whole
    instead of interleaving it with the cell beside it."""
    path = tmp_path / "r.pdf"
    path.write_bytes(pdf)
    return subprocess.run(
        ["pdftotext", *args, str(path), "-"], capture_output=True, text=True, check=True
    ).stdout


class _Text(HTMLParser):
    """The text a browser with JavaScript off shows: scripts and styles dropped."""

    def __init__(self) -> None:
        super().__init__()
        self.parts: list[str] = []
        self._skip = 0

    def handle_starttag(self, tag: str, attrs: object) -> None:
        self._skip += tag in ("script", "style")

    def handle_endtag(self, tag: str) -> None:
        self._skip -= tag in ("script", "style")

    def handle_data(self, data: str) -> None:
        if not self._skip:
            self.parts.append(data)


def without_scripts(html: str) -> str:
    parser = _Text()
    parser.feed(html)
    return "".join(parser.parts)


def fields(made: MadeReport) -> list[Field]:
    return [f for s in made.data.sections for form in s.forms for f in form.fields]


def record_texts(made: MadeReport) -> list[str]:
    """Every text of the record: facts, form titles, labels (criteria) and values in full."""
    texts = [v for _, v in made.data.facts]
    texts += [form.title for s in made.data.sections for form in s.forms]
    texts += [t for f in fields(made) for t in (f.label, value_text(f))]
    return [t for t in texts if t.strip()]


@pytest.mark.parametrize("kind", KINDS)
def test_pdf_text_holds_every_field_and_criterion_of_the_record_in_full(
    kind: str, reports: dict[str, MadeReport], tmp_path: Path
) -> None:
    made = reports[kind]

    text = flat(pdf_text(made.pdf, tmp_path, "-raw"))

    missing = [t for t in record_texts(made) if flat(t) not in text]
    assert missing == []


def test_selection_report_prints_every_attachment_1_criterion_whole(
    reports: dict[str, MadeReport], tmp_path: Path
) -> None:
    """The criteria were cut to ~12 characters (SEL-04's checklist as the panel saw it)."""
    made = reports["selection"]
    criteria = [f.label for f in fields(made) if f.kind == "choice" and len(f.label) > 20]

    text = flat(pdf_text(made.pdf, tmp_path, "-raw"))

    assert len(criteria) >= 20
    assert all(flat(c) in text for c in criteria)
    assert "…" not in text


def test_exit_termination_plan_keeps_every_line(
    reports: dict[str, MadeReport], tmp_path: Path
) -> None:
    """EXIT-02: the plan's last line was lost in the PDF."""
    made = reports["exit-withdrawal"]
    plan = next(f for f in fields(made) if f.label.startswith("终止考核工作实施方案"))

    text = pdf_text(made.pdf, tmp_path)

    lines = [line for line in str(plan.value).splitlines() if line]
    assert len(lines) == 4
    assert all(line.replace(" ", "") in text.replace(" ", "") for line in lines)


@pytest.mark.parametrize("kind", KINDS)
def test_html_read_with_javascript_off_shows_every_form_value(
    kind: str, reports: dict[str, MadeReport]
) -> None:
    made = reports[kind]

    text = flat(without_scripts(made.html))

    assert [t for t in record_texts(made) if flat(t) not in text] == []
    assert 'class="cw-static cw-form"' in made.html  # the widgets are there too
    assert 'type="application/vnd.jupyter.widget-view+json"' in made.html


@pytest.mark.parametrize("kind", KINDS)
def test_every_report_opens_with_who_decided_who_archived_when_and_versions(
    kind: str, reports: dict[str, MadeReport], tmp_path: Path
) -> None:
    made = reports[kind]
    body = made.html.split("<main>", 1)[1]
    header = flat(without_scripts(body.split("</section>", 1)[0]))

    text = flat(pdf_text(made.pdf, tmp_path))

    stamp = made.stamp
    assert stamp is not None
    assert stamp.decided_by == OFFICER_NAME and stamp.archived_by == OFFICER_NAME
    assert "officer370100" not in text  # names, never user names
    assert re.fullmatch(r"\d{4}年\d{1,2}月\d{1,2}日 \d\d:\d\d", stamp.archived_at)
    assert re.match(r'\s*<section[^>]*class="cw-stamp"', body)  # the report opens with it
    for label, value in stamp.rows():
        assert flat(label + value) in header and flat(label + value) in text
    assert stamp.version == casework.__version__
    assert stamp.rubrics == (made.data.rubric_id or stamp.rubrics)
    if kind in ("selection", "renewal"):
        assert stamp.rubrics in ("selection-2025.1", "renewal-2025.1")


@pytest.mark.parametrize("kind", KINDS)
def test_no_nan_none_or_nat_reaches_a_report(
    kind: str, reports: dict[str, MadeReport], tmp_path: Path
) -> None:
    made = reports[kind]

    found = MISSING_WORDS.findall(pdf_text(made.pdf, tmp_path))
    found += MISSING_WORDS.findall(without_scripts(made.html))

    assert found == []


@pytest.mark.parametrize("kind", KINDS)
def test_pdf_is_pdf_a_2b_with_named_embedded_fonts(
    kind: str, reports: dict[str, MadeReport], tmp_path: Path
) -> None:
    made = reports[kind]
    path = tmp_path / "r.pdf"
    path.write_bytes(made.pdf)

    fonts = subprocess.run(["pdffonts", str(path)], capture_output=True, text=True).stdout

    rows = [line.split() for line in fonts.splitlines()[2:]]
    assert rows and all(r[0] != "[none]" and "Type 3" not in " ".join(r) for r in rows)
    assert all(r[-5] == "yes" for r in rows)  # emb
    assert {r[0].split("+")[-1] for r in rows} <= {
        "NotoSerifCJKsc-Regular",
        "NotoSerifCJKsc-Bold",
    }
    with pikepdf.open(io.BytesIO(made.pdf)) as pdf:
        meta = pdf.open_metadata()
        assert (meta["pdfaid:part"], meta["pdfaid:conformance"]) == ("2", "B")
        intents = list(pdf.Root.OutputIntents)
        assert [str(i.S) for i in intents] == ["/GTS_PDFA1"]
        assert intents[0].DestOutputProfile.read_bytes()[36:40] == b"acsp"  # an ICC profile
        with no_collection():  # see casework.reports.pdfa.no_collection
            report = pikepdf.pdfa.validate_written(path, "2b")
        assert report.passed, report


@pytest.mark.parametrize("kind", KINDS)
def test_every_page_has_its_number_and_the_archive_footer(
    kind: str, reports: dict[str, MadeReport], tmp_path: Path
) -> None:
    made = reports[kind]
    assert made.stamp is not None
    digest = hashlib.sha256(made.html.encode("utf-8")).hexdigest()

    pages = pdf_text(made.pdf, tmp_path).split("\f")[:-1]

    assert len(pages) >= 1
    for n, page in enumerate(pages, start=1):
        assert f"第{n}页共{len(pages)}页" in flat(page)
        assert flat(made.stamp.footer_text(digest)) in flat(page)
        assert made.stamp.case in page and f"归档记录{made.stamp.entry}" in flat(page)


def test_dates_extract_as_written_without_spaces_around_digits(
    reports: dict[str, MadeReport], tmp_path: Path
) -> None:
    made = reports["filing"]

    text = pdf_text(made.pdf, tmp_path)

    assert "自2025年3月至2028年2月" in text
    assert "2025年3月" in text and "2025 年" not in text


def test_archiving_a_report_stamps_it_with_its_own_entry_and_html_digest(
    world: World, reports: dict[str, MadeReport], tmp_path: Path
) -> None:
    made = reports["filing"]

    entry = store_report(world.store, city_officer(JINAN), made, tmp_path / "archive")

    html, pdf = entry.files
    archived = (tmp_path / "archive" / "objects" / pdf.sha256[:2] / pdf.sha256).read_bytes()
    text = flat(pdf_text(archived, tmp_path))
    assert f"归档记录第{entry.seq}号" in text
    assert html.sha256 in text
