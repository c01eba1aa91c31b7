"""How long each text may be, and which characters text may hold — declared once.

The store's short columns are declared with these lengths (``casework.store.tables`` uses the
constants below in ``String(n)``); every free-text column (``Text``) and every string inside a
JSON column may hold at most :data:`LONG_TEXT` characters. The same limits are enforced by the
registry's commands (``casework.registry.uow``), by the import schemas
(``casework.intake.schemas``) and by the apps' text inputs (``casework.ui.kit``), so that a
value refused on PostgreSQL (whose ``VARCHAR(n)`` is strict) is refused on SQLite (which would
store anything) too — with a message, never a traceback.

Control characters (C0 and C1, except tab, line feed and carriage return) are refused
everywhere: they are never typed by a person and only confuse readers of letters and exports.
"""

from __future__ import annotations

import re
from typing import Final

from casework.errors import RuleViolation

TEXT_RULE: Final = "INPUT-TEXT"
"""The code of a refusal for a text too long or holding control characters."""

# --- short fields (the store declares its VARCHAR columns with these) ---------------------
USERNAME: Final = 80
DISPLAY_NAME: Final = 80
UNIT_NAME: Final = 120
"""An institution's or a user's unit name (institutions.name, users.unit)."""
PERSON_NAME: Final = 40
ADDRESS: Final = 200
CONTACT: Final = 40
PHONE: Final = 40
CODE: Final = 40
"""Site codes, batch numbers, certificate numbers, institution codes."""
PROJECT_CODE: Final = 20
TITLE: Final = 200
HONOURS: Final = 200

# --- free text -------------------------------------------------------------------------------
LONG_TEXT: Final = 20_000
"""Any free-text field (notes, grounds, findings, statements, opinions): about ten pages."""
JSON_TEXT: Final = 1_000_000
"""A whole JSON value (a score sheet's rows, an Attachment 5 application, a form draft)."""

_CONTROL: Final = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")


def has_control(text: str) -> bool:
    """True if ``text`` holds a control character other than tab, line feed or CR."""
    return _CONTROL.search(text) is not None


def text_problem(text: str, max_length: int) -> str | None:
    """What is wrong with ``text`` for a field of ``max_length`` characters, or None."""
    if len(text) > max_length:
        return f"不能超过{max_length}个字符（现为{len(text)}个）"
    if has_control(text):
        return "不能含有控制字符"
    return None


def check_text(text: str, label: str, max_length: int = LONG_TEXT) -> str:
    """``text`` unchanged, or RuleViolation naming the field, the limit and INPUT-TEXT."""
    problem = text_problem(text, max_length)
    if problem is not None:
        raise RuleViolation(f"“{label}”{problem}：{shown(text)}", rule_id=TEXT_RULE)
    return text


def shown(text: str, width: int = 30) -> str:
    """A long value as a user may be shown it: its start and its length."""
    visible = _CONTROL.sub("�", text)
    return visible if len(visible) <= width else f"{visible[:width]}…（共{len(text)}个字符）"
