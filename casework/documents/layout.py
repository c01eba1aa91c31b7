"""Measures of the GB/T 9704-2012 page, and title lines that never break inside a word.

The 版心 is 156 mm × 225 mm: 28 characters of 三号 (16 pt) per line and 22 lines per page
(GB/T 9704-2012 5.2.1). A title in 二号 (22 pt) is set on one or more lines "词意完整，排列
对称" (7.3.1): :func:`title_lines` breaks it only between the words its builder names (an
institution's name, a phrase of the template), choosing the fewest, most even lines.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from itertools import combinations, pairwise

TEXT_WIDTH_MM = 156.0
TEXT_HEIGHT_MM = 225.0
LANDSCAPE_WIDTH_MM = 225.0
BODY_PT = 16.0
TITLE_PT = 22.0
CHARS_PER_LINE = 28
LINES_PER_PAGE = 22
PT_PER_MM = 72 / 25.4

ORG_SUFFIXES = (
    "股份有限公司",
    "有限责任公司",
    "有限公司",
    "职业培训学校",
    "培训学校",
    "技工学校",
    "职业学院",
    "学校",
    "学院",
    "研究院",
    "中心",
    "协会",
    "学会",
    "工作室",
    "合作社",
    "集团",
    "公司",
)
"""Where an institution's name may break when it does not fit on one title line: before
its organisational form (济南鲁锦织造 | 有限公司)."""
_PLACE = re.compile(r"^(.{2,}?[省市区县])(?=.{2,})")


PHRASES = (
    "专项职业能力考核机构",
    "专项职业能力考核",
    "人力资源和社会保障局",
    "人力资源社会保障局",
    "续期评估结果",
    "续期评估",
    "考核项目",
    "征集遴选",
    "征集公告",
    "结果公布",
    "备案续期",
    "拟备案",
    "的公告",
    "的公示",
    "的通知",
    "的报告",
    "的函",
)
"""Phrases of the titles a city types (征集公告, 公示, 续期评估通知) that a line never splits."""
_TOKENS = re.compile(
    "|".join(re.escape(p) for p in PHRASES) + r"|\d{4}年度?|第[一二三四五六七八九十\d]+批"
)


def words_of(text: str) -> tuple[str, ...]:
    """A typed title cut into words a line may break between: the known phrases, a year, a
    batch, and the runs of text between them (each kept whole)."""
    out: list[str] = []
    pos = 0
    for m in _TOKENS.finditer(text):
        if m.start() > pos:
            out.append(text[pos : m.start()])
        out.append(m.group(0))
        pos = m.end()
    if pos < len(text):
        out.append(text[pos:])
    return tuple(out)


def width(text: str) -> float:
    """Width in em: CJK and full-width characters 1, ASCII (digits, Latin) ½."""
    return sum(0.5 if ord(ch) < 0x2E80 else 1.0 for ch in text)


def chars_per_line(font_pt: float, landscape: bool = False) -> int:
    """How many full-width characters of ``font_pt`` fit on a line of the 版心."""
    mm = LANDSCAPE_WIDTH_MM if landscape else TEXT_WIDTH_MM
    return int(mm * PT_PER_MM // font_pt)


def split_name(word: str, limit: float) -> list[str]:
    """A long name split where its meaning allows: after each place name (山东省|济南市|…),
    before its organisational form (…|有限公司); only a name still longer than ``limit`` is
    cut into pieces of ``limit`` characters."""
    if width(word) <= 8:
        return [word]
    for suffix in ORG_SUFFIXES:
        if word.endswith(suffix) and len(word) > len(suffix) + 1:
            return [*split_name(word[: -len(suffix)], limit), suffix]
    place = _PLACE.match(word)
    if place:
        return [place.group(1), *split_name(word[len(place.group(1)) :], limit)]
    if width(word) <= limit:
        return [word]
    n = max(1, int(limit))
    return [word[i : i + n] for i in range(0, len(word), n)]


def title_lines(words: Sequence[str], per_line: float, greedy: bool = False) -> list[str]:
    """Join ``words`` into the fewest lines of at most ``per_line`` em, breaking only between
    words; among equally few lines the most even ones (7.3.1: 排列对称), or with ``greedy``
    each line as full as it can be (a 附件说明 running on under the name)."""
    split = [split_name(w, per_line) for w in words]
    pieces = [p for parts in split for p in parts]
    if not pieces:
        return []
    ends = {sum(len(parts) for parts in split[: i + 1]) for i in range(len(split))}
    n = len(pieces)
    searched = 0 if greedy or n > 14 else n  # beyond 14 pieces the search is too long
    best: tuple[int, float, list[str]] | None = None
    for k in range(0, searched):
        for cuts in combinations(range(1, n), k):
            bounds = (0, *cuts, n)
            lines = ["".join(pieces[a:b]) for a, b in pairwise(bounds)]
            widths = [width(line) for line in lines]
            if max(widths) > per_line:
                continue
            inside = sum(1 for c in cuts if c not in ends)  # a break inside a name
            score = (inside, max(widths) - min(widths))
            if best is None or score < best[:2]:
                best = (*score, lines)
        if best is not None:
            return best[2]
    lines, current = [], ""
    for p in pieces:
        if current and width(current + p) > per_line:
            lines.append(current)
            current = p
        else:
            current += p
    return [*lines, current] if current else lines
