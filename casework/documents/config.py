"""The blanks the notice leaves to each city: its 技能人才评价管理部门名称, its contact address
and telephone (printed under 公示 and 征集公告), its 发文字号 pattern, the issue date, and fonts.

``schemas/bureaus.yaml`` lists every city; ``CASEWORK_BUREAUS`` names a YAML file whose
``cities`` (and other keys) are merged over it, so a deployment overrides only what differs.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime
from functools import lru_cache
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import yaml

from casework.documents.model import problem, refuse
from casework.paths import policy_file

SHANGHAI = ZoneInfo("Asia/Shanghai")
ISSUE_DATE_MODES = ("case", "today")
FONT_ROLES = ("title", "body", "heading", "subheading", "table")
NUMBER_FIELDS = ("{year}", "{number}")


@dataclass(frozen=True)
class Bureau:
    """One city's issuing department, as printed on its letters and notices."""

    city_code: str
    city: str
    department: str
    contact: str = ""
    address: str = ""
    phone: str = ""
    doc_number: str = ""  # e.g. 济人社函〔{year}〕{number}号

    def number(self, year: int, number: str | None) -> str:
        """The 发文字号 of a document issued in ``year`` with registry ``number``; empty when
        the city configures no pattern or the number is not given (the registry assigns it)."""
        if not self.doc_number.strip() or not (number or "").strip():
            return ""
        return self.doc_number.format(year=year, number=str(number).strip())


@dataclass(frozen=True)
class DocumentSettings:
    """The configuration of every document: bureaus, issue-date rule and font preferences."""

    bureaus: dict[str, Bureau]
    issue_date: str
    fonts: dict[str, tuple[str, ...]]

    def bureau(self, city_code: str, department: str | None = None) -> Bureau:
        """The city's bureau; ``department`` (e.g. from ``--department``) overrides its name.

        Raises:
            DocumentRefused: the city or its department name is not configured.
        """
        found = self.bureaus.get(city_code)
        name = (department or (found.department if found else "")).strip()
        if found is None or not name:
            raise refuse(
                "公文落款",
                [problem("bureaus.yaml", city_code, name, "须配置该市技能人才评价管理部门名称")],
            )
        return Bureau(
            found.city_code,
            found.city,
            name,
            found.contact,
            found.address,
            found.phone,
            found.doc_number,
        )

    def city_name(self, city_code: str) -> str:
        """The city's name for file names (its code when it is not configured)."""
        found = self.bureaus.get(city_code)
        return found.city if found else city_code

    def issued_on(self, recorded: date | None, override: date | None = None) -> date:
        """The 成文日期: ``override`` if given, else per ``issue_date`` the recorded date or
        today. Raises DocumentRefused when the case records no date for the act."""
        if override is not None:
            return override
        if self.issue_date == "today":
            return today_in_shandong()
        if recorded is None:
            raise refuse("公文", [problem("—", "成文日期", "", "案件中没有该事项的办理日期")])
        return recorded


def today_in_shandong() -> date:
    """Today in Asia/Shanghai: a document made at 00:30 Beijing time is dated that day, not
    the day before (the UTC date)."""
    return datetime.now(SHANGHAI).date()


def local_date(value: datetime | date) -> date:
    """The Asia/Shanghai date of a stored timestamp (the store keeps naive UTC timestamps)."""
    if not isinstance(value, datetime):
        return value
    aware = value if value.tzinfo is not None else value.replace(tzinfo=UTC)
    return aware.astimezone(SHANGHAI).date()


def _merge(base: dict[str, Any], extra: dict[str, Any]) -> dict[str, Any]:
    out = dict(base)
    for key, value in extra.items():
        out[key] = _merge(out[key], value) if isinstance(out.get(key), dict) else value
    return out


def _read(path: Path) -> dict[str, Any]:
    data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    if not isinstance(data, dict):
        raise refuse("配置", [problem(str(path), "—", type(data).__name__, "应为 YAML 映射")])
    return data


def settings_from(raw: dict[str, Any]) -> DocumentSettings:
    """Check and convert the raw YAML (every problem at once)."""
    problems = []
    bureaus: dict[str, Bureau] = {}
    for code, entry in (raw.get("cities") or {}).items():
        entry = entry or {}
        department = str(entry.get("department") or "").strip()
        if not department:
            problems.append(problem("cities", str(code), "", "department 不能为空"))
        pattern = str(entry.get("doc_number") or "").strip()
        if pattern and not all(f in pattern for f in NUMBER_FIELDS):
            problems.append(
                problem("cities", str(code), pattern, "doc_number 须含 {year} 和 {number}")
            )
        bureaus[str(code)] = Bureau(
            str(code),
            str(entry.get("name") or code),
            department,
            str(entry.get("contact") or "").strip(),
            str(entry.get("address") or "").strip(),
            str(entry.get("phone") or "").strip(),
            pattern,
        )
    mode = str(raw.get("issue_date", "case"))
    if mode not in ISSUE_DATE_MODES:
        problems.append(problem("issue_date", "—", mode, "应为 case 或 today"))
    fonts_raw = raw.get("fonts") or {}
    fonts = {role: tuple(str(f) for f in fonts_raw.get(role) or ()) for role in FONT_ROLES}
    if problems:
        raise refuse("文书配置（bureaus.yaml）", problems)
    return DocumentSettings(bureaus, mode, fonts)


@lru_cache(maxsize=8)
def _load(base: Path, override: str) -> DocumentSettings:
    raw = _read(base)
    if override:
        raw = _merge(raw, _read(Path(override)))
    return settings_from(raw)


def load_settings() -> DocumentSettings:
    """``schemas/bureaus.yaml`` merged with ``CASEWORK_BUREAUS`` if set."""
    from casework import settings

    return _load(policy_file("bureaus.yaml"), settings.BUREAUS.get())
