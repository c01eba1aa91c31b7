"""Documents a clerk accepts (issue #13): official fonts named in the .docx, titles that never
break inside a word, 28 characters per line, the 发文字号 as configured, contacts on published
texts, file names that carry city and case, the notice cited by its full title, Attachment 8
composed from structured fields (EXIT-06), the suspension notice (EXIT-04), the written
findings (EXIT-05) and the reports to the province (SEL-08, REN-08); no None/nan/NaT and no
UTC date in any document."""

from __future__ import annotations

import re
from datetime import date, datetime
from pathlib import Path

import docx
import pytest
from docx.oxml.ns import qn

from casework import documents
from casework import registry as r
from casework.documents import layout, revocation
from casework.documents.citations import NOTICE_CITATION
from casework.documents.config import load_settings, local_date
from casework.documents.model import DocNumber, DocumentRefused, Heading
from casework.queries.keys import FILING, RENEWAL, case_number_of
from casework.registry.scenario import city_officer
from tests.documents.contacts import ADDRESS, PHONE, jinan_contact  # noqa: F401 (fixture)
from tests.documents.world import JINAN, World

CASES = {
    # kind: (world case, id key)
    "receipt": ("a", "filing_id"),
    "scope": ("a", "filing_id"),
    "renewal": ("a", "renewal_id"),
    "revocation": ("c", "filing_id"),
    "suspension": ("c", "exit_case_id"),
    "findings": ("c", "exit_case_id"),
    "att4": ("a", "renewal_id"),
    "att5": ("a", "renewal_id"),
    "att6": ("a", "renewal_id"),
    "call": ("a", "call_id"),
    "notice": ("a", "notice_id"),
    "renewal-notice": ("a", "round_id"),
    "renewal-results": ("a", "round_id"),
    "att4-blank": ("a", "round_id"),
    "att5-blank": ("a", "round_id"),
}


@pytest.fixture(scope="module")
def reported(world: World) -> int:
    """The renewal result of case A reported to the province (REN-08)."""
    return int(
        r.report_to_province(
            world.store,
            city_officer(JINAN),
            city_code=JINAN,
            kind="续期结果",
            case_ids=[world.ids["a"]["renewal_id"]],
            on=date(2028, 1, 5),
        )
    )


def every_document(world: World, reported: int) -> list[documents.Document]:
    made = [documents.build(world.store, k, world.ids[c][key]) for k, (c, key) in CASES.items()]
    made.append(documents.build(world.store, "revocation", world.ids["b"]["filing_id"]))
    made.append(documents.build(world.store, "province-report", reported))
    return made


def test_every_kind_is_exercised(reported: int) -> None:
    assert set(documents.KINDS) == {*CASES, "province-report"}


def test_no_document_states_none_nan_nat_or_a_timestamp(
    world: World,
    reported: int,
    jinan_contact: Path,  # noqa: F811 (fixture)
) -> None:
    """Issue #13: no None/nan/NaT (e.g. 建议“nan”) reaches any document."""
    made = every_document(world, reported)

    texts = {d.name: d.plain_text for d in made}

    for name, text in texts.items():
        for leftover in ("None", "nan", "NaN", "NaT", "<NA>", "00:00"):
            assert leftover not in text, f"{name} states {leftover}"
    assert len(texts) == len(made)


def test_a_leftover_nan_inside_chinese_text_refuses_the_document() -> None:
    doc = documents.Document("att6", "x", (Heading("建议“nan”"), Heading("意见建议nan")))

    with pytest.raises(DocumentRefused) as refused:
        documents.render([doc], "docx", Path("/nonexistent"))

    assert len(refused.value.problems) == 2


def test_file_names_carry_city_and_case_and_never_collide(
    world: World,
    reported: int,
    jinan_contact: Path,  # noqa: F811 (fixture)
) -> None:
    made = every_document(world, reported)

    names = [d.name for d in made]

    assert len(set(names)) == len(names)
    assert all(n.startswith("济南市-") for n in names)
    receipt = documents.build(world.store, "receipt", world.ids["a"]["filing_id"])
    code = case_number_of(world.store, FILING, world.ids["a"]["filing_id"])
    assert receipt.name.endswith(f"备案编号{code}")
    att6 = documents.build(world.store, "att6", world.ids["a"]["renewal_id"])
    number = case_number_of(world.store, RENEWAL, world.ids["a"]["renewal_id"])
    assert number.startswith("XQ-370100-") and att6.name.endswith(f"续期评估案件编号{number}")
    call = documents.build(world.store, "call", world.ids["a"]["call_id"])
    assert call.name.endswith(f"征集公告编号{world.ids['a']['call_id']}")  # not a case


def test_file_names_carry_the_public_case_number_never_the_internal_id(
    world: World,
    reported: int,
    jinan_contact: Path,  # noqa: F811 (fixture)
) -> None:
    """docs/case-numbers.md: a case's documents carry its public number (a bare record id, which
    no page shows, is left only to calls, notices, rounds and reports to the province)."""
    made = every_document(world, reported)

    cases = [d.name for d in made if re.search(r"(备案|续期评估案件|退出案件)编号", d.name)]

    assert cases and all(
        re.search(r"(备案编号[^-]*[A-Z]|(续期评估|退出)案件编号(XQ|TC)-\d{6}-\d{4}-\d{4})", n)
        for n in cases
    ), cases


def test_a_timestamp_is_dated_in_asia_shanghai_not_utc() -> None:
    """17:30 UTC on 1 April is 01:30 on 2 April in Jinan."""
    assert local_date(datetime(2026, 4, 1, 17, 30)) == date(2026, 4, 2)
    assert local_date(datetime(2026, 4, 1, 15, 30)) == date(2026, 4, 1)


# --- published texts -----------------------------------------------------------------------
@pytest.mark.parametrize(("kind", "rule"), [("call", "SEL-02"), ("notice", "SEL-05")])
def test_publication_without_contact_address_and_telephone_is_refused(
    world: World, kind: str, rule: str
) -> None:
    """公示 and 征集公告 name where to object or ask: without both, nothing is made."""
    with pytest.raises(DocumentRefused) as refused:
        documents.build(world.store, kind, world.ids["a"][f"{kind}_id"])

    assert set(refused.value.problems["列"]) == {"联系地址", "联系电话"}
    assert set(refused.value.problems["规则"]) == {rule}


@pytest.mark.parametrize("kind", ["call", "notice", "renewal-notice", "renewal-results"])
def test_published_texts_cite_the_notice_by_its_full_title_and_number(
    world: World,
    kind: str,
    jinan_contact: Path,  # noqa: F811 (fixture)
) -> None:
    case, key = CASES[kind]

    doc = documents.build(world.store, kind, world.ids[case][key])

    assert NOTICE_CITATION in doc.plain_text
    assert NOTICE_CITATION == (
        "《山东省人力资源和社会保障厅关于做好专项职业能力考核机构备案管理工作的通知》"
        "（鲁人社函〔2025〕23号）"
    )
    if kind in ("call", "notice"):
        assert f"联系地址：{ADDRESS}" in doc.plain_text
        assert f"联系电话：{PHONE}" in doc.plain_text


# --- .docx typography (GB/T 9704-2012) -------------------------------------------------------
@pytest.fixture(scope="module")
def receipt_docx(world: World, tmp_path_factory: pytest.TempPathFactory) -> docx.document.Document:
    out = tmp_path_factory.mktemp("docx")
    path = documents.write(world.store, "receipt", world.ids["a"]["filing_id"], "docx", out)
    return docx.Document(str(path))


@pytest.mark.parametrize(
    ("style", "font"),
    [
        ("公文标题", "方正小标宋简体"),
        ("公文正文", "仿宋_GB2312"),
        ("公文小标题", "黑体"),
        ("公文二级标题", "楷体_GB2312"),
        ("落款", "仿宋_GB2312"),
        ("表格文字", "仿宋_GB2312"),
    ],
)
def test_docx_names_the_official_font_in_every_attribute_east_asian_included(
    receipt_docx: docx.document.Document, style: str, font: str
) -> None:
    """Word on a bureau PC uses the official fonts; the installed Noto CJK is only for our PDF."""
    rfonts = receipt_docx.styles[style].element.rPr.find(qn("w:rFonts"))

    assert rfonts.get(qn("w:eastAsia")) == font
    assert rfonts.get(qn("w:ascii")) == font and rfonts.get(qn("w:hAnsi")) == font
    assert "Noto" not in receipt_docx.styles[style].element.xml


def test_body_sets_28_characters_per_line_and_22_lines_per_page(
    receipt_docx: docx.document.Document,
) -> None:
    """GB/T 9704-2012 5.2.1: 16 pt characters condensed by 0.25 pt fill the 156 mm line 28 times."""
    body = receipt_docx.styles["公文正文"].element.rPr
    spacing = int(body.find(qn("w:spacing")).get(qn("w:val"))) / 20
    grid = receipt_docx.sections[0]._sectPr.find(qn("w:docGrid"))
    line_pt = 156 * 72 / 25.4

    assert 28 * (16 + spacing) <= line_pt < 29 * (16 + spacing)
    assert grid.get(qn("w:linePitch")) == "579"  # 225 mm / 22 lines
    assert (
        round(
            (
                receipt_docx.sections[0].page_width
                - receipt_docx.sections[0].left_margin
                - receipt_docx.sections[0].right_margin
            )
            / 36000
        )
        == 156
    )


def test_title_lines_break_only_between_words(receipt_docx: docx.document.Document) -> None:
    title = next(p for p in receipt_docx.paragraphs if p.style.name == "公文标题")

    lines = title.text.split("\n")

    assert lines == ["关于同意济南鲁锦织造有限公司", "开展专项职业能力考核工作的函"]


@pytest.mark.parametrize(
    ("words", "expected"),
    [
        (
            (
                "关于撤销",
                "山东省济南市历下区齐鲁传统手工艺职业培训学校",
                "专项职业能力考核机构",
                "备案的函",
            ),
            [
                "关于撤销山东省济南市历下区",
                "齐鲁传统手工艺职业培训学校",
                "专项职业能力考核机构备案的函",
            ],
        ),
        (
            layout.words_of("2025年专项职业能力考核机构拟备案名单公示"),
            ["2025年专项职业能力考核机构", "拟备案名单公示"],
        ),
    ],
)
def test_a_long_title_breaks_at_a_word_boundary_within_the_line(
    words: tuple[str, ...], expected: list[str]
) -> None:
    """GB/T 9704-2012 7.3.1: 20 characters of 二号 per line, one kept as slack."""
    lines = layout.title_lines(words, layout.chars_per_line(layout.TITLE_PT) - 1)

    assert lines == expected
    assert all(layout.width(line) <= 19 for line in lines)


def test_date_sits_four_characters_from_the_right_with_the_department_centred_over_it(
    receipt_docx: docx.document.Document,
) -> None:
    """GB/T 9704-2012 7.3.5.1: 成文日期右空四字，发文机关署名以成文日期为准居中."""
    dept, dated = [p for p in receipt_docx.paragraphs if p.style.name == "落款" and p.text][:2]
    char = 16 - 0.25

    date_indent = dated.paragraph_format.right_indent.pt / char
    dept_indent = dept.paragraph_format.right_indent.pt / char

    assert dated.text == "2025年3月27日" and round(date_indent, 2) == 4
    centre_date = date_indent + layout.width(dated.text) / 2
    centre_dept = dept_indent + layout.width(dept.text) / 2
    assert abs(centre_date - centre_dept) < 0.01


def test_document_number_is_the_configured_pattern_above_the_title(
    world: World,
    jinan_contact: Path,  # noqa: F811 (fixture)
) -> None:
    with_number = documents.build(world.store, "receipt", world.ids["a"]["filing_id"], number="12")
    without = documents.build(world.store, "receipt", world.ids["a"]["filing_id"])

    assert with_number.blocks[0] == DocNumber("济人社函〔2025〕12号")
    assert isinstance(with_number.blocks[1], Heading)
    assert not any(isinstance(b, DocNumber) for b in without.blocks)


def test_a_document_number_pattern_without_its_fields_is_refused(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    bad = tmp_path / "b.yaml"
    bad.write_text('cities:\n  "370100": {doc_number: "济人社函12号"}\n', encoding="utf-8")
    monkeypatch.setenv("CASEWORK_BUREAUS", str(bad))

    with pytest.raises(DocumentRefused, match="文书配置"):
        load_settings()


# --- Attachment 8 from structured fields (EXIT-02, EXIT-06) --------------------------------
def test_circumstances_are_the_notices_list_as_data() -> None:
    """EXIT-06: SUP-02's six acts, the ten 不合格项, the general violation; EXIT-02's withdrawal."""
    violations = revocation.circumstances("违规")

    assert len(violations) == 1 + 6 + 10
    assert [c.text for c in revocation.circumstances("自愿撤销")] == ["自愿撤销备案"]
    assert "不考试就发证" in {c.text for c in violations}
    assert all("情形" not in c.text for c in revocation.circumstances())


def test_preview_composes_the_letter_from_the_chosen_circumstance_and_the_dates() -> None:
    """EXIT-05, EXIT-06: the facts come from dates; the template's blanks from the list."""
    facts = revocation.RevocationFacts(
        "V-06",
        opened_on=date(2026, 4, 1),
        findings_received_on=date(2026, 4, 10),
        closing_done_on=date(2026, 5, 20),
    )

    text = revocation.preview(
        "某某职业培训学校",
        facts,
        department="济南市人力资源和社会保障局",
        issued_on=date(2026, 5, 20),
    )

    assert "你单位于2026年4月10日收到书面核查意见，在15个工作日内未提交书面陈述和申辩" in text
    assert (
        f"因你单位出现不考试就发证情形，根据{NOTICE_CITATION}三（二）、四（三）有关要求，" in text
    )
    assert "情形。情形" not in text and "因你单位出现经" not in text


def test_pasted_free_text_is_refused_naming_the_field_and_rule() -> None:
    """The defect of issue #13: "因你单位出现经复核，…违规情形。情形，根据…"."""
    pasted = revocation.facts_from_record("经复核，该机构存在不考试就发证等违规情形。")

    with pytest.raises(DocumentRefused) as refused:
        revocation.preview(
            "某机构", pasted, department="济南市人力资源和社会保障局", issued_on=date(2026, 5, 1)
        )

    assert refused.value.rule_id == "EXIT-06"
    assert "具体行为" in set(refused.value.problems["列"])


def test_the_general_violation_needs_the_concrete_act() -> None:
    bare = revocation.RevocationFacts("V-01")
    named = revocation.RevocationFacts("V-01", detail="在异地设立考点开展考核")

    assert any(p[1] == "具体行为" for p in revocation.problems(bare))
    assert revocation.problems(named) == []
    assert revocation.circumstance_words(named) == (
        "违反法律法规、职业技能评价工作有关规定（在异地设立考点开展考核）"
    )


def test_a_withdrawal_circumstance_on_a_violation_case_is_refused() -> None:
    found = revocation.problems(revocation.RevocationFacts("W-01"), kind="违规")

    assert [p[4] for p in found] == ["EXIT-02"]


def test_recorded_fields_give_the_letter_the_preview_showed(world: World, tmp_path: Path) -> None:
    """What the exits page records (``record_fields``) reads back as the same letter."""
    facts = revocation.RevocationFacts("V-06", basis="鲁人社函〔2025〕23号 四（三）")

    fields = revocation.record_fields(facts)
    letter = documents.build(world.store, "revocation", world.ids["c"]["filing_id"])

    assert fields == {"circumstance": "不考试就发证", "basis": "鲁人社函〔2025〕23号 四（三）"}
    assert letter.facts["情形编号"] == "V-06"
    assert "我单位于2026年4月1日对你单位立案调查" in letter.plain_text


# --- suspension, findings, reports to the province -----------------------------------------
def test_suspension_notice_states_what_is_suspended_from_the_day_the_case_opened(
    world: World,
) -> None:
    """EXIT-04: assessments suspended, certificate data neither reviewed nor uploaded."""
    doc = documents.build(world.store, "suspension", world.ids["c"]["exit_case_id"])

    assert "自2026年4月1日起，全面暂停你单位专项职业能力考核活动，暂缓证书数据审核上网" in (
        doc.plain_text
    )
    assert "立案事由：投诉：不考试就发证" in doc.plain_text
    assert doc.facts["成文日期"] == "2026年4月1日"


def test_written_findings_state_facts_basis_and_the_15_working_days(world: World) -> None:
    """EXIT-05: facts, reasons and basis; a statement within 15 working days of receipt."""
    due = world.ids["c"]["statement_due"]

    doc = documents.build(world.store, "findings", world.ids["c"]["exit_case_id"])

    assert "经核查，存在不考试就发证。" in doc.plain_text
    assert f"{NOTICE_CITATION}三（二）" in doc.plain_text
    assert f"须在收到本意见15个工作日内（即{due.year}年{due.month}月{due.day}日前" in doc.plain_text


def test_findings_for_a_withdrawal_case_are_refused(world: World) -> None:
    with pytest.raises(DocumentRefused) as refused:
        documents.build(world.store, "findings", world.ids["b"]["exit_case_id"])

    assert refused.value.rule_id == "EXIT-05"


def test_report_to_the_province_lists_what_was_recorded_as_reported(
    world: World, reported: int
) -> None:
    """REN-08: addressed to the province, the results reported, dated the day sent."""
    doc = documents.build(world.store, "province-report", reported)

    assert doc.plain_text.startswith("关于济南市专项职业能力考核机构续期评估结果的报告\n山东省人力")
    assert "济南鲁锦织造有限公司" in doc.facts["报送事项"]
    assert doc.facts["成文日期"] == "2028年1月5日"
    assert set(doc.rules) == {"REN-08", "REN-05"}
