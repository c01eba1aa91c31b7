"""Write the corpus of small test files into ``tests/intake/corpus/`` (run it after a change).

Each file has one defect — or one quirk that must be read correctly — and :data:`CORPUS` says
which kind it is imported as and what must happen: refused with a rule and words of the
message, or imported. The rows refer to the test world of ``tests/intake/conftest.py``:
institution 甲 (USCC :data:`USCC`, 济南) filed for P001 from 2025-03-01, site S1, batch B1.

    .venv/bin/python -m tests.intake.make_corpus
"""

from __future__ import annotations

import io
from pathlib import Path
from typing import Final, NamedTuple

from openpyxl import Workbook

from casework.domain.identifiers import make_resident_id, make_uscc

CORPUS_DIR: Final = Path(__file__).parent / "corpus"
USCC: Final = make_uscc("52370100MJ0000001")
OUTSIDER: Final = make_uscc("91110108MA0000001")  # registered in Beijing (11…)
NEWCOMER: Final = make_uscc("52370100MJ0000009")
PEOPLE: Final = [make_resident_id(f"37010219850101{i:03d}") for i in range(1, 9)]
"""Eight valid resident IDs; the 17th digit alternates odd (男) and even (女) from 001."""


def gender(id_number: str) -> str:
    return "男" if int(id_number[16]) % 2 else "女"


class Case(NamedTuple):
    kind: str
    rule: str | None
    """The rule of the first expected problem; None when the file must import."""
    words: str
    """Words the refusal (message or problems table) must contain; rows expected if imported."""


STAFF_HEADER = (
    "机构统一社会信用代码,姓名,身份证号,岗位,考核项目,专兼职,证书类别,证书等级,职称,从业年限,"
    "劳动合同期限（月）,社保缴纳月数,其他任职单位"
)
RESULTS_HEADER = (
    "机构统一社会信用代码,批次号,身份证号,性别,年龄,成绩,是否通过,"
    "考评员1身份证号,考评员2身份证号,考评员3身份证号"
)
BATCH_HEADER = (
    "机构统一社会信用代码,批次号,考核项目,场地编号,计划制定日期,考核日期,"
    "结果公示开始日期,结果公示结束日期"
)


def _staff_row(i: int, role: str = "考务管理", extra: str = "") -> str:
    p = PEOPLE[i]
    return f"{USCC},人员{i},{p},{role},,专职,,,,,24,24,{extra}"


def _result_row(i: int, batch: str = "B1", age: int = 40) -> str:
    p = PEOPLE[i]
    return f"{USCC},{batch},{p},{gender(p)},{age},85,是,{PEOPLE[5]},{PEOPLE[6]},{PEOPLE[7]}"


def _csv(*lines: str, encoding: str = "utf-8") -> bytes:
    return ("\n".join(lines) + "\n").encode(encoding)


def _xlsx(
    sheets: dict[str, list[list[object]]], merges: dict[str, list[str]] | None = None
) -> bytes:
    book = Workbook()
    book.remove(book.active)  # type: ignore[arg-type]
    for title, rows in sheets.items():
        ws = book.create_sheet(title)
        for row in rows:
            ws.append(row)
        for cells in (merges or {}).get(title, []):
            ws.merge_cells(cells)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def files() -> dict[str, tuple[bytes, Case]]:
    """Every corpus file: name → (content, expectation)."""
    fw = str.maketrans("0123456789", "０１２３４５６７８９")
    p0 = PEOPLE[0]
    batch_rows = [
        ["某考核机构2025年考核批次表", None, None, None, None, None, None, None],
        [
            "机构统一社会信用代码",
            "批次号",
            "考核项目",
            "场地编号",
            "计划制定日期",
            "考核日期",
            "结果公示",
            None,
        ],
        [None, None, None, None, None, None, "开始日期", "结束日期"],
        [USCC, "B2", "P001", "S1", "2025年4月1日", "2025.4.20", 45772, "2025/4/30"],
    ]
    return {
        # --- refused, with the rule and words of the message --------------------------------
        "renamed_columns.csv": (
            _csv(
                "统一社会信用代码,人员名字,身份证号,岗位,专兼职", f"{USCC},张三,{p0},考务管理,专职"
            ),
            Case("staff", "INTAKE-FORMAT", "人员名字"),
        ),
        "missing_column.csv": (
            _csv("机构统一社会信用代码,姓名,身份证号,岗位", f"{USCC},张三,{p0},考务管理"),
            Case("staff", "INTAKE-FORMAT", "缺少必填列“专兼职”"),
        ),
        "data_without_header.csv": (
            _csv(STAFF_HEADER, _staff_row(0) + ",多出的数据"),
            Case("staff", "INTAKE-FORMAT", "有数据但没有表头"),
        ),
        "wrong_sheet.xlsx": (
            _xlsx(
                {
                    "场地": [
                        [
                            "机构统一社会信用代码",
                            "场地编号",
                            "场地地址",
                            "所在市",
                            "产权性质",
                            "面积（平方米）",
                        ],
                        [USCC, "S9", "济南市", "济南", "自有", 100],
                    ]
                }
            ),
            Case("staff", "INTAKE-FORMAT", "现有工作表：场地"),
        ),
        "other_kind.csv": (
            _csv(BATCH_HEADER, f"{USCC},B3,P001,S1,2025-04-01,2025-04-20,,"),
            Case("results", "INTAKE-FORMAT", "看起来是“考核批次”数据"),
        ),
        "old_excel.xls": (
            b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 600,
            Case("staff", "INTAKE-FORMAT", ".xls"),
        ),
        "web_export.xls": (
            "<html><body><table><tr><td>姓名</td></tr></table></body></html>".encode(),
            Case("staff", "INTAKE-FORMAT", "网页"),
        ),
        "report.pdf.xlsx": (
            b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n",
            Case("staff", "INTAKE-FORMAT", "PDF"),
        ),
        "empty.csv": (b"", Case("staff", "INTAKE-FORMAT", "文件为空")),
        "header_only.csv": (_csv(STAFF_HEADER), Case("staff", "INTAKE-FORMAT", "没有数据行")),
        "bad_dates.csv": (
            _csv(BATCH_HEADER, f"{USCC},B4,P001,S1,2025-02-30,下周一,,"),
            Case("batches", "INTAKE-VALUE", "应为有效日期"),
        ),
        "bad_resident_id.csv": (
            _csv(
                STAFF_HEADER, _staff_row(0).replace(p0, p0[:-1] + ("0" if p0[-1] != "0" else "1"))
            ),
            Case("staff", "GB 11643", "校验码"),
        ),
        "bad_uscc.csv": (
            _csv(
                STAFF_HEADER,
                _staff_row(0).replace(USCC, USCC[:-1] + ("0" if USCC[-1] != "0" else "1")),
            ),
            Case("staff", "GB 32100", "校验码"),
        ),
        "outside_shandong.csv": (
            _csv("机构名称,统一社会信用代码,所在市,单位类型", f"北京某公司,{OUTSIDER},济南,企业"),
            Case("institutions", "ATT1-REGION", "山东省"),
        ),
        "duplicate_rows.csv": (
            _csv(RESULTS_HEADER, _result_row(0), _result_row(0)),
            Case("results", "INTAKE-UNIQUE", "重复"),
        ),
        "gender_mismatch.csv": (
            _csv(
                RESULTS_HEADER,
                _result_row(0).replace(
                    f",{gender(p0)},", f",{'女' if gender(p0) == '男' else '男'},"
                ),
            ),
            Case("results", "GB 11643", "性别"),
        ),
        "age_mismatch.csv": (
            _csv(RESULTS_HEADER, _result_row(0, age=25)),
            Case("results", "GB 11643", "出生日期"),
        ),
        "unknown_batch.csv": (
            _csv(RESULTS_HEADER, _result_row(0, batch="B404")),
            Case("results", "INTAKE-REF", "请先导入考核批次"),
        ),
        "unknown_project.csv": (
            _csv(BATCH_HEADER, f"{USCC},B5,P999,S1,2025-04-01,2025-04-20,,"),
            Case("batches", "SEL-01", "考核项目目录"),
        ),
        "unknown_institution.csv": (
            _csv(STAFF_HEADER, _staff_row(0).replace(USCC, NEWCOMER)),
            Case("staff", "INTAKE-REF", "请先导入机构名录"),
        ),
        "half_bad.csv": (
            _csv(STAFF_HEADER, _staff_row(0), _staff_row(1), _staff_row(2, role="厨师")),
            Case("staff", "INTAKE-VALUE", "应为以下之一"),
        ),
        "unreadable_numbers.csv": (
            _csv(RESULTS_HEADER, _result_row(0).replace(",85,", ",八十五,")),
            Case("results", "INTAKE-VALUE", "应为数字"),
        ),
        # --- read correctly ---------------------------------------------------------------
        "merged_header.xlsx": (
            _xlsx(
                {"Sheet1": [], "批次": batch_rows},
                {"批次": ["A1:H1", "G2:H2", "A2:A3", "B2:B3", "C2:C3", "D2:D3", "E2:E3", "F2:F3"]},
            ),
            Case("batches", None, "1"),
        ),
        "aliased_columns.csv": (
            _csv(
                "统一社会信用代码,姓名,身份证号码,人员类别,项目,全职/兼职,证书类型,等级,职称,工作年限,合同期限,社保月数",
                f"{USCC},考评甲,{PEOPLE[1]},考评员,P001,兼职,职业技能等级证书,高级工（三级）,,5年,,,",
            ),
            Case("staff", None, "1"),
        ),
        "fullwidth_digits.csv": (
            _csv(
                RESULTS_HEADER,
                _result_row(1)
                .replace(",85,", ",８５,")
                .replace(PEOPLE[1], PEOPLE[1].translate(fw)),
            ),
            Case("results", None, "1"),
        ),
        "gbk_encoded.csv": (
            _csv(STAFF_HEADER, _staff_row(3), encoding="gb18030"),
            Case("staff", None, "1"),
        ),
        "dates_as_text.csv": (
            _csv(BATCH_HEADER, f"{USCC},B6,P001,S1,2025年4月1日,20250420,2025.4.25,2025/4/30"),
            Case("batches", None, "1"),
        ),
        "tab_separated.csv": (
            _csv(STAFF_HEADER.replace(",", "\t"), _staff_row(4).replace(",", "\t")),
            Case("staff", None, "1"),
        ),
    }


def main() -> None:
    CORPUS_DIR.mkdir(parents=True, exist_ok=True)
    made = files()
    for old in CORPUS_DIR.iterdir():
        if old.is_file() and old.name not in made:
            old.unlink()
    for name, (content, _) in made.items():
        (CORPUS_DIR / name).write_bytes(content)
    print(f"{len(made)} files in {CORPUS_DIR}")


if __name__ == "__main__":
    main()
