"""What day it is for the bureau: the date in Asia/Shanghai, never a UTC timestamp's date."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

BUREAU_TZ = ZoneInfo("Asia/Shanghai")


def now() -> datetime:
    """The current time in Asia/Shanghai (aware)."""
    return datetime.now(BUREAU_TZ)


def today() -> date:
    """Today's date in Asia/Shanghai."""
    return now().date()
