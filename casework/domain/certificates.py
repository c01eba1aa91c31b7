"""Certificate record actions (EXIT-10, SUP-04): their names and what may be corrected."""

from __future__ import annotations

from typing import Final

CORRECT: Final = "更正"
REVOKE: Final = "撤销"
NOT_RECOGNISED: Final = "不予认定"
INSTITUTION_ACTIONS: Final = (CORRECT, REVOKE)
"""What an institution may do to its own certificate records, also after exit (EXIT-10)."""
ENDING_ACTIONS: Final = (REVOKE, NOT_RECOGNISED)
"""Actions after which a certificate is no longer valid."""
IN_FORCE: Final = "已生效"
REJECTED: Final = "已驳回"
CORRECTABLE: Final = {"id_number": "身份证号", "project_code": "考核项目", "issued_on": "发证日期"}
"""Fields of a certificate record an institution may correct (EXIT-10)."""
