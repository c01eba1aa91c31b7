"""Each form and letter matches its attachment in the notice, field by field.

The attachments are parsed out of ``source-notice.md`` (the notice's own text): every fixed
piece of an attachment — title words, sentences, row and column labels, checkboxes, notes,
signature lines — with the blanks a case fills (XXXX, _____, 20XX年M月, 年 月 日, the
department and seal) cut out. Each piece must appear in the generated document's text, in the
notice's order. Attachments 2/2-1 and 7/7-1 (ATT2-TERM), 3/3-1 (SEL-06), 4 (REN-07, ATT4-*),
5 (ATT5-STATS, REN-02), 6 (REN-04, REN-05) and 8 (EXIT-06).
"""

from __future__ import annotations

import re
from functools import cache

import pytest

from casework import documents
from casework.documents.model import Document
from casework.paths import REPO_DIR
from tests.documents.world import World

NOTICE = REPO_DIR.parent / "shared" / "regulation" / "source-notice.md"
SECTION = re.compile(r"^附件\s*(\d+(?:-\d+)?)\s*$", re.M)
BLANKS = re.compile(
    r"XXXX（考核机构名称）|X{2,}"
    r"|_+\s*年\s*_+\s*月(?:\s*_+\s*日)?"  # a date to fill in
    r"|20XX\s*年\s*M(?:-1)?\s*月"
    r"|_{2,}"
    r"|技能人才评价管理部门名称（公章）"
    r"|年\s+月\s+日"  # the date of a signature
    r"|（模板）|\(模板\)"
)
"""What a case fills in: cut out of the notice's text, each leaving a gap between pieces."""
HINTS = re.compile(r"^说明考核机构")
"""Attachment 5's instructions for filling a cell, replaced by the institution's own text."""
GAP = "¦"
pytestmark = pytest.mark.skipif(
    not NOTICE.exists(), reason="shared/regulation/ is not beside the repo"
)

PUNCT = str.maketrans({"(": "（", ")": "）", ",": "，", ":": "：", ";": "；", "☑": "□"})


def norm(text: str) -> str:
    """Text compared without layout: no whitespace, full-width punctuation, ticks as boxes."""
    return re.sub(r"\s+", "", text).translate(PUNCT)


def _flow(section: str) -> list[str]:
    """The section in reading order as items: a table cell is an item of its own (a value is
    filled between cells); consecutive lines of text run on (a title or paragraph the notice
    wraps), except after a line ending in "：" (a blank follows). Markup removed."""
    out: list[str] = []
    running = False
    for line in section.splitlines():
        line = line.replace('<input type="checkbox"/>', "□")
        line = re.sub(r"<[^>]+>", " ", line).replace("**", "").strip()
        if not line or re.fullmatch(r"[|\-\s]+", line):
            continue
        if line.startswith("|"):
            cells = [c.strip() for c in line.strip("|").split("|")]
            out += [c for c in cells if c and not HINTS.match(c)]
            running = False
            continue
        line = line.lstrip("- ").strip()
        if running:
            out[-1] += line
        else:
            out.append(line)
        running = not norm(line).endswith("：")
    return out


@cache
def sections() -> dict[str, str]:
    text = NOTICE.read_text(encoding="utf-8")
    marks = list(SECTION.finditer(text))
    return {
        m.group(1): text[m.end() : (marks[i + 1].start() if i + 1 < len(marks) else len(text))]
        for i, m in enumerate(marks)
    }


def pieces(*labels: str, once: tuple[str, ...] = ()) -> list[str]:
    """The fixed pieces of the attachments ``labels`` (e.g. "2", "2-1"), in order.

    ``once``: labels the notice's table repeats only because a page break cut a merged cell.
    The Attachment 4 table header, repeated on every page, counts once.
    """
    items = [item for label in labels for item in _flow(sections()[label])]
    kept: list[str] = []
    i = 0
    while i < len(items):
        key = norm(items[i])
        if key == "一级指标" and any(norm(k) == "一级指标" for k in kept):
            while i < len(items) and norm(items[i]) != "评分":
                i += 1
            i += 1  # skip a repeated header
            continue
        if key in once and any(norm(k) == key for k in kept):
            i += 1
            continue
        kept.append(items[i])
        i += 1
    text = GAP.join(kept)
    return [norm(p) for p in BLANKS.sub(GAP, text).split(GAP) if norm(p)]


def in_order(expected: list[str], document: Document) -> list[str]:
    """The pieces not found in the document's text after the previous one (empty: all in order)."""
    text = norm("".join(document.texts()))
    missing, at = [], 0
    for piece in expected:
        found = text.find(piece, at)
        if found < 0:
            missing.append(piece)
        else:
            at = found + len(piece)
    return missing


def test_the_notice_has_the_eight_attachments_this_test_reads() -> None:
    assert {"2", "2-1", "3", "3-1", "4", "5", "6", "7", "7-1", "8"} <= set(sections())
    assert any(p.endswith("机构代码为") for p in pieces("2"))


ATTACHMENTS = [
    # (attachments of the notice, document kind, case, rule IDs)
    (("2", "2-1"), "receipt", ("a", "filing_id"), "SEL-05, ATT2-TERM"),
    (("3", "3-1"), "scope", ("a", "filing_id"), "SEL-06"),
    (("4",), "att4", ("a", "renewal_id"), "REN-06, REN-07, ATT4-PLAN, ATT4-PUBLISH, ATT4-SIGN"),
    (("5",), "att5", ("a", "renewal_id"), "ATT5-STATS, REN-02"),
    (("6",), "att6", ("a", "renewal_id"), "REN-04, REN-05"),
    (("7", "7-1"), "renewal", ("a", "renewal_id"), "REN-05, ATT2-TERM"),
    (("8",), "revocation", ("c", "filing_id"), "EXIT-06"),
    (("8",), "revocation", ("b", "filing_id"), "EXIT-02"),
]


@pytest.mark.parametrize(
    ("labels", "kind", "case", "rules"),
    ATTACHMENTS,
    ids=[f"{k}-att{'+'.join(a)}-{c[0]}" for a, k, c, _ in ATTACHMENTS],
)
def test_document_has_every_label_row_and_note_of_its_attachment_in_order(
    world: World, labels: tuple[str, ...], kind: str, case: tuple[str, str], rules: str
) -> None:
    """Field by field: each fixed piece of the attachment, in the notice's order."""
    once = ("备案期内工作总结", "工作开展情况") if kind == "att5" else ()
    expected = pieces(*labels, once=tuple(norm(o) for o in once))
    doc = documents.build(world.store, kind, world.ids[case[0]][case[1]])

    missing = in_order(expected, doc)

    assert len(expected) > 5
    assert missing == [], f"{rules}: {kind} lacks (or misorders) {missing}"


def test_attachment5_has_the_rows_notes_and_two_signature_lines_the_notice_has(
    world: World,
) -> None:
    """ATT5-STATS, REN-02: the rows issue #13 found missing are there."""
    doc = documents.build(world.store, "att5", world.ids["a"]["renewal_id"])
    text = norm(doc.plain_text)

    assert "备案期内是否开展考核是□否□" in text
    assert text.count("附后") == 2
    assert "自有场地□租用场地□" in text
    assert all(f"{n}." in text.split("备注：")[-1] for n in (1, 2, 3, 4))
    assert text.count("法定代表人（签字）：") == 2
    assert text.count("单位名称（公章）") == 2


def test_a_missing_label_is_caught(world: World) -> None:
    """The comparison can fail: a document without a row of its attachment is reported."""
    doc = documents.build(world.store, "att6", world.ids["a"]["renewal_id"])
    expected = pieces("6")

    missing = in_order([*expected, norm("备案期内是否开展考核")], doc)

    assert missing == [norm("备案期内是否开展考核")]


BLANKS_SENT = [("4", "att4-blank"), ("5", "att5-blank")]


@pytest.mark.parametrize(("label", "kind"), BLANKS_SENT, ids=[k for _, k in BLANKS_SENT])
def test_blank_attachment_sent_with_the_renewal_notice_has_every_label_of_its_attachment(
    world: World, label: str, kind: str
) -> None:
    """REN-01, REN-02: the blank Attachments 4 and 5 go out with the renewal notice (issue #13),
    each with every fixed piece of its attachment in the notice's order."""
    once = ("备案期内工作总结", "工作开展情况") if label == "5" else ()
    expected = pieces(label, once=tuple(norm(o) for o in once))

    doc = documents.build(world.store, kind, world.ids["a"]["round_id"])

    assert len(expected) > 5
    assert in_order(expected, doc) == [], f"REN-01: {kind} lacks (or misorders) pieces"
    assert doc.city_code == "370100"
    assert doc.name.startswith("济南市-")


@pytest.mark.parametrize(("label", "kind"), BLANKS_SENT, ids=[k for _, k in BLANKS_SENT])
def test_blank_attachment_carries_no_case_data(world: World, label: str, kind: str) -> None:
    """REN-01: a blank form names no institution, code, score, tick or date; the filled form of
    the same round does (so the check can fail)."""
    filled = documents.build(world.store, f"att{label}", world.ids["a"]["renewal_id"])
    facts = {
        norm(p) for v in filled.facts.values() for p in re.split(r"[、；]", str(v)) if len(p) > 2
    }

    doc = documents.build(world.store, kind, world.ids["a"]["round_id"])
    text = norm(doc.plain_text)

    assert norm("济南鲁锦织造有限公司") in facts
    assert norm("济南鲁锦织造有限公司") in norm(filled.plain_text)
    assert sorted(f for f in facts if f in text) == []
    assert "济南鲁锦织造有限公司" not in text and "☑" not in doc.plain_text
    assert not re.search(r"\d{4}年\d{1,2}月", doc.plain_text)
    assert not doc.facts
