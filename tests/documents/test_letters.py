"""Letters and forms are generated from the case: each letter's content checked field by field
against the store (SEL-05, ATT2-TERM, SEL-06, REN-05, EXIT-06), refused whole when a field is
wrong or missing, and rendered as .docx in official-document layout."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import docx
import pytest
from sqlalchemy import select

from casework import documents
from casework.documents.config import DocumentSettings, load_settings
from casework.documents.model import DocumentRefused, Paragraph, Signature, validate
from casework.domain.terms import filing_term
from casework.store.tables import filing_projects, filing_terms, filings, institutions, projects
from tests.documents.contacts import jinan_contact  # noqa: F401 (fixture)
from tests.documents.world import World

DEPARTMENT = "济南市人力资源和社会保障局"


def docx_text(path: Path) -> str:
    """Every paragraph and table cell of a .docx, in order; a title's line breaks (set so that
    no line breaks inside a word) are layout, not text."""
    d = docx.Document(str(path))
    parts = [p.text.replace("\n", "") for p in d.paragraphs]
    for t in d.tables:
        parts += [c.text for row in t.rows for c in row.cells]
    return "\n".join(parts)


def filing_facts(world: World, filing_id: int) -> dict[str, object]:
    with world.store.read() as conn:
        f = conn.execute(select(filings).where(filings.c.id == filing_id)).mappings().one()
        name = conn.execute(
            select(institutions.c.name).where(institutions.c.id == f["institution_id"])
        ).scalar_one()
        first = conn.execute(
            select(filing_terms.c.first_day).where(
                filing_terms.c.filing_id == filing_id, filing_terms.c.seq == 1
            )
        ).scalar_one()
        filed = conn.execute(
            select(projects.c.name)
            .join(filing_projects, filing_projects.c.project_code == projects.c.project_code)
            .where(
                filing_projects.c.filing_id == filing_id,
                filing_projects.c.added_on == f["filed_on"],
            )
        ).scalars()
        return {
            "name": name,
            "code": f["code"],
            "first": first,
            "projects": sorted(filed),
            "filed_on": f["filed_on"],
        }


def test_filing_receipt_states_name_code_term_and_projects_of_the_case(
    world: World, tmp_path: Path
) -> None:
    """SEL-05, ATT2-TERM: Attachment 2 and 2-1 filled from the filing, field by field."""
    fid = world.ids["a"]["filing_id"]
    case = filing_facts(world, fid)

    path = documents.write(world.store, "receipt", fid, "docx", tmp_path)
    text = docx_text(path)

    term = filing_term(case["first"])  # type: ignore[arg-type]
    assert f"关于同意{case['name']}开展专项职业能力考核工作的函" in text
    assert f"{case['name']}：" in text
    assert f"机构代码为{case['code']}，{term.receipt_text}。" in text
    assert "有效期3年（自2025年3月至2028年2月）" in text
    for i, project in enumerate(case["projects"], 1):  # type: ignore[arg-type]
        assert f"{i}\n{project}" in text
    assert DEPARTMENT in text
    assert "2025年3月27日" in text and case["filed_on"] == date(2025, 3, 27)
    assert "XXXX" not in text and "20XX" not in text


def test_scope_change_receipt_lists_each_change_with_code_and_term_unchanged(
    world: World, tmp_path: Path
) -> None:
    """SEL-06: Attachment 3/3-1 — 删除项目 on its day, code and term stated unchanged."""
    fid = world.ids["a"]["filing_id"]

    text = docx_text(documents.write(world.store, "scope", fid, "docx", tmp_path))

    assert "机构代码（3701ZK2025001）及有效期（自2025年3月至2028年2月）不变。" in text
    assert "1\n项目P002\n删除项目" in text
    assert "2026年9月1日" in text


def test_scope_addition_receipt_of_an_earlier_day_says_added(world: World) -> None:
    """SEL-06: the day a project was added gives 新增项目."""
    fid = world.ids["a"]["filing_id"]
    from casework.documents.gather import scope_dates

    first_change = scope_dates(world.store, fid)[0]

    doc = documents.build(world.store, "scope", fid, on=first_change)

    assert doc.facts["调整情况"] == "项目P003：新增项目"


def test_renewal_receipt_states_the_new_term_and_the_projects_continuing(world: World) -> None:
    """REN-05: Attachment 7/7-1 — the next 36 months, the projects in scope at its start."""
    doc = documents.build(world.store, "renewal", world.ids["a"]["renewal_id"])

    assert doc.facts["有效期"] == "有效期3年（自2028年3月至2031年2月）"
    assert doc.facts["考核项目"] == "项目P001、项目P003"
    assert "你单位《专项职业能力考核机构备案续期申请表》收悉。" in doc.plain_text


@pytest.mark.parametrize(
    ("who", "circumstance", "basis"),
    [
        ("b", "因你单位出现自愿撤销备案情形", "（鲁人社函〔2025〕23号）三（一）有关要求"),
        ("c", "因你单位出现不考试就发证情形", "（鲁人社函〔2025〕23号）四（三）有关要求"),
    ],
    ids=["withdrawal", "violation"],
)
def test_revocation_letter_states_the_circumstance_and_the_rule_applied(
    world: World, who: str, circumstance: str, basis: str
) -> None:
    """EXIT-02, EXIT-06: Attachment 8 names the circumstance and the rule applied."""
    doc = documents.build(world.store, "revocation", world.ids[who]["filing_id"])

    assert circumstance in doc.plain_text
    assert basis in doc.plain_text
    assert "现撤销你单位专项职业能力考核机构备案" in doc.plain_text


def test_revocation_letter_for_a_live_filing_is_refused_naming_the_rule(world: World) -> None:
    """EXIT-06: no revocation letter without an exit case that revoked the filing."""
    with pytest.raises(DocumentRefused) as refused:
        documents.build(world.store, "revocation", world.ids["a"]["filing_id"])

    assert refused.value.rule_id == "EXIT-06"
    assert "退出情形" in set(refused.value.problems["列"])


def test_missing_department_refuses_the_letter_and_writes_nothing(
    world: World, tmp_path: Path
) -> None:
    """The issuing department is a blank the bureau fills; missing, nothing is made."""
    cfg = load_settings()
    empty = DocumentSettings({}, cfg.issue_date, cfg.fonts)

    with pytest.raises(DocumentRefused, match="技能人才评价管理部门名称"):
        documents.build(world.store, "receipt", world.ids["a"]["filing_id"], settings=empty)

    assert list(tmp_path.iterdir()) == []


def test_a_placeholder_left_in_any_field_refuses_the_document() -> None:
    doc = documents.Document(
        "receipt",
        "x",
        (
            Paragraph("机构代码为_____，有效期3年（自20XX年M月至20XX年M-1月）"),
            Signature("", "2025年1月1日"),
        ),
    )

    with pytest.raises(DocumentRefused) as refused:
        validate(doc)

    assert len(refused.value.problems) == 2


def test_bureau_override_file_replaces_only_the_city_it_names(
    world: World, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    override = tmp_path / "bureaus.yaml"
    override.write_text('cities:\n  "370100": {department: 济南市职业技能鉴定指导中心}\n', "utf-8")
    monkeypatch.setenv("CASEWORK_BUREAUS", str(override))

    doc = documents.build(world.store, "receipt", world.ids["a"]["filing_id"])

    assert doc.facts["落款"] == "济南市职业技能鉴定指导中心"
    assert load_settings().bureau("370200").department == "青岛市人力资源和社会保障局"


@pytest.mark.parametrize(
    ("kind", "case", "field", "expected"),
    [
        ("att4", ("a", "renewal_id"), "总分", "90、85、80、82"),
        ("att5", ("a", "renewal_id"), "考核情况", "项目P001 120/102；项目P003 120/102"),
        ("att6", ("a", "renewal_id"), "综合得分", "82.33"),
        ("call", ("a", "call_id"), "征集范围", "项目P001、项目P002"),
        ("notice", ("a", "notice_id"), "工作日", "5"),
        ("renewal-notice", ("a", "round_id"), "自评截止", "2027年12月1日"),
        ("renewal-results", ("a", "round_id"), "评估结果", "济南鲁锦织造有限公司：合格"),
    ],
    ids=lambda v: v if isinstance(v, str) else None,
)
def test_forms_and_publications_are_filled_from_the_case(
    world: World,
    kind: str,
    case: tuple[str, str],
    field: str,
    expected: str,
    jinan_contact: Path,  # noqa: F811 (fixture)
) -> None:
    """Attachments 4–6 (REN-04, REN-07, ATT5-STATS), SEL-02, SEL-05, REN-01, REN-05."""
    doc = documents.build(world.store, kind, world.ids[case[0]][case[1]])

    assert doc.facts[field] == expected


def test_docx_uses_named_official_styles_with_an_installed_cjk_font(
    world: World, tmp_path: Path
) -> None:
    path = documents.write(world.store, "receipt", world.ids["a"]["filing_id"], "docx", tmp_path)

    d = docx.Document(str(path))

    styles = {p.style.name for p in d.paragraphs}
    assert {"公文标题", "公文正文", "落款", "附件标签"} <= styles
    title = d.styles["公文标题"]
    assert title.font.size.pt == 22 and d.styles["公文正文"].font.size.pt == 16
    assert title.font.name  # first installed of 小标宋…, else Noto Serif CJK SC


def test_letter_command_writes_the_docx_and_refuses_with_exit_code_2(
    world: World, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from casework.cli import main
    from casework.queries.keys import FILING, case_number_of

    db = world.url
    filing = case_number_of(world.store, FILING, 1)  # the public number (docs/case-numbers.md)
    ok = main(["--db", db, "letter", "receipt", "--case", filing, "-o", str(tmp_path)])
    refused = main(
        ["--db", db, "letter", "renewal", "--case", "XQ-370100-2025-0099", "-o", str(tmp_path)]
    )

    assert ok == 0 and refused == 2
    assert [p.suffix for p in tmp_path.iterdir()] == [".docx"]
    assert "未找到续期评估" in capsys.readouterr().err
