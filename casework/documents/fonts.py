"""Fonts for official documents: the official names the .docx carries, and the installed
families our own PDF rendering substitutes for them.

GB/T 9704-2012 sets the title in 小标宋, the body in 仿宋_GB2312 and headings in 黑体 and
楷体_GB2312. The .docx names those (the first name of each role in ``bureaus.yaml``), so Word on
a bureau PC, where they are installed, uses them. This machine has Noto CJK instead
(``fonts-noto-cjk``): :func:`substitutes` maps each official name to the first installed one
of the role's other names (else Noto), and :func:`fontconfig_file` hands that map to LibreOffice
when it converts a .docx to PDF. ``fc-list`` tells what is installed.
"""

from __future__ import annotations

import shutil
import subprocess
from collections.abc import Mapping, Sequence
from functools import lru_cache
from pathlib import Path
from xml.sax.saxutils import escape

OFFICIAL = {
    "title": "方正小标宋简体",
    "body": "仿宋_GB2312",
    "heading": "黑体",
    "subheading": "楷体_GB2312",
    "table": "仿宋_GB2312",
}
"""The official font of each role when the configuration names none (GB/T 9704-2012)."""
FALLBACK = {
    "title": "Noto Serif CJK SC",
    "body": "Noto Serif CJK SC",
    "heading": "Noto Sans CJK SC",
    "subheading": "Noto Serif CJK SC",
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


def official(role: str, preferences: Sequence[str]) -> str:
    """The font the .docx names for ``role``: the first configured, installed here or not."""
    return preferences[0] if preferences else OFFICIAL.get(role, OFFICIAL["body"])


def pick(role: str, preferences: Sequence[str], installed: frozenset[str] | None = None) -> str:
    """The first of ``preferences`` that is installed, else the role's Noto CJK fallback."""
    have = installed_families() if installed is None else installed
    for name in preferences:
        if name in have:
            return name
    return FALLBACK.get(role, FALLBACK["body"])


def substitutes(
    fonts: Mapping[str, Sequence[str]], installed: frozenset[str] | None = None
) -> dict[str, str]:
    """Official name → the installed family that renders it in our PDFs (only for official
    fonts that are not installed here)."""
    have = installed_families() if installed is None else installed
    out = {}
    for role in OFFICIAL:
        prefs = tuple(fonts.get(role) or ())
        name = official(role, prefs)
        if name not in have:
            out[name] = pick(role, prefs[1:], have)
    return out


def fontconfig_file(mapping: Mapping[str, str], folder: Path) -> Path:
    """A fontconfig file that includes the system's and makes each official name resolve to
    its substitute (a strong binding, so LibreOffice's fallback lookup takes it)."""
    rules = "".join(
        '  <match target="pattern">\n'
        f'    <test qual="any" name="family"><string>{escape(name)}</string></test>\n'
        '    <edit name="family" mode="prepend" binding="strong">'
        f"<string>{escape(sub)}</string></edit>\n"
        "  </match>\n"
        for name, sub in mapping.items()
    )
    path = folder / "fonts.conf"
    path.write_text(
        '<?xml version="1.0"?>\n<!DOCTYPE fontconfig SYSTEM "urn:fontconfig:fonts.dtd">\n'
        "<fontconfig>\n"
        '  <include ignore_missing="yes">/etc/fonts/fonts.conf</include>\n'
        f"{rules}</fontconfig>\n",
        encoding="utf-8",
    )
    return path
