"""Fonts for official documents: the first installed family of each role's preference list.

Official documents set the title in 小标宋 and the body in 仿宋_GB2312 (GB/T 9704-2012); where
those are not installed, the Noto CJK families (``fonts-noto-cjk``) stand in. ``fc-list`` tells
what is installed.
"""

from __future__ import annotations

import shutil
import subprocess
from collections.abc import Sequence
from functools import lru_cache

FALLBACK = {
    "title": "Noto Serif CJK SC",
    "body": "Noto Serif CJK SC",
    "heading": "Noto Sans CJK SC",
    "table": "Noto Serif CJK SC",
}


@lru_cache(maxsize=1)
def installed_families() -> frozenset[str]:
    """Every font family name fontconfig knows, in every language it lists."""
    exe = shutil.which("fc-list")
    if exe is None:
        return frozenset()
    out = subprocess.run([exe, ":", "family"], capture_output=True, text=True, check=False)
    names = {n.strip() for line in out.stdout.splitlines() for n in line.split(",")}
    return frozenset(n for n in names if n)


def pick(role: str, preferences: Sequence[str], installed: frozenset[str] | None = None) -> str:
    """The first of ``preferences`` that is installed, else the role's Noto CJK fallback."""
    have = installed_families() if installed is None else installed
    for name in preferences:
        if name in have:
            return name
    return FALLBACK.get(role, FALLBACK["body"])
