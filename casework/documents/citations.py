"""How the documents cite the notice and the pilot scheme (GB/T 9704-2012 7.3.3: a document is
cited by its title first, then its number in round brackets)."""

from __future__ import annotations

from casework.domain import rules

ISSUER = "山东省人力资源和社会保障厅"
NOTICE_CITATION = f"《{ISSUER}{rules.NOTICE_TITLE}》（{rules.NOTICE_NO}）"
"""《山东省人力资源和社会保障厅关于做好专项职业能力考核机构备案管理工作的通知》（鲁人社函〔2025〕23号）
— the title as the notice's own heading reads, with the issuer."""
PILOT_SCHEME = (
    f"《{ISSUER}关于印发〈山东省专项职业能力考核社会化改革试点方案〉的通知》"
    f"（{rules.PILOT_SCHEME_NO}）"
)
"""The pilot scheme Attachments 2, 3 and 7 cite, word for word."""


def clause_citation(basis: str) -> str:
    """A recorded basis (``鲁人社函〔2025〕23号 三（二）``) as the letter cites it: the notice by
    its full title and number, then the clause; any other regulation as recorded."""
    basis = basis.strip().removesuffix("有关要求").removesuffix("的规定").strip()
    if basis.startswith(rules.NOTICE_NO):
        rest = basis[len(rules.NOTICE_NO) :].strip()
        return f"{NOTICE_CITATION}{rest}"
    if basis.startswith(NOTICE_CITATION):
        return basis
    return basis
