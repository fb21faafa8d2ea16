"""The scanner behind ``extract_figures``: dates, figures and ranges of figures in running prose.

Imports :mod:`renostats.units._tables` and the patterns of :mod:`renostats.units._grammar`.
"""

from __future__ import annotations

import re
import unicodedata

from renostats.units._grammar import _DIGIT1, _FIGURE, _PERCENT_WORDS, _RUN, _RUN_CHAR
from renostats.units._tables import _CN_CHARS, _CN_DIGITS, _TRADITIONAL, _UNITS


def _normalise_in_place(text: str) -> str:
    """Like :func:`_normalise` character by character, keeping every offset (for prose spans)."""
    out = []
    for c in text:
        if c == "，":
            out.append(c)  # a full-width comma in prose separates clauses, never thousands
            continue
        n = unicodedata.normalize("NFKC", c).translate(_TRADITIONAL)
        out.append(n if len(n) == 1 else c)
    return "".join(out)


# Prose: dates first (so 4月18日 is not a count), then figures and ranges of figures.
def _unnamed(pattern: str) -> str:
    return re.sub(r"\(\?P<\w+>", "(?:", pattern)


# In prose a comma belongs to a number only before exactly three digits (1,234); elsewhere it
# separates (24,12栋), and a number glued to more digits by a comma (1,2345户) is left out whole.
_PROSE_RUN = rf"{_RUN_CHAR}(?:{_RUN_CHAR}|\.(?=[0-9{_CN_CHARS}])|,(?=[0-9]{{3}}(?![0-9])))*+"
_PROSE_FIGURE = _FIGURE.replace(_RUN, _PROSE_RUN).replace("(?P<", "(?P<f_")
_PROSE = re.compile(
    r"(?P<date>\d{4}年(?:\d{1,2}月(?:\d{1,2}[日号])?)?|[〇零一二三四五六七八九]{4}年"
    r"|\d{1,2}月(?:\d{1,2}[日号]|[底初]|[上中下]旬)?)"
    rf"|(?P<pct>{_unnamed(_PERCENT_WORDS.pattern)})"
    rf"|{_PROSE_FIGURE}(?:{_DIGIT1}[角毛](?:{_DIGIT1}分)?)?(?P<f_range>(?:至|到|~|——|--|—|–|-){_unnamed(_FIGURE)}(?:不等)?)?"
)


def _is_word_numeral(match: re.Match) -> bool:
    """Lone Chinese numerals inside words (一批, 一道, 三统一) are not figures."""
    num = match.group("f_num")
    if not num or num[0] not in _CN_CHARS or match.group("f_range"):
        return False
    unit = match.group("f_unit")
    if (
        num == "一"
        and not match.group("f_mult")
        and _UNITS.get(unit or "", ("",))[0] not in ("money", "area", "length")
    ):
        return True  # 一户一策, 一日两报告: set phrases, not figures
    if len(num) == 1 and num in _CN_DIGITS and not match.group("f_mult"):
        # 一批, 两报告, 三次: a lone digit before no measure word, or before one of these words of batches,
        # times and spans, is read as part of a phrase and dropped; before 个, 户, 家 ... it is a count
        return unit is None or unit in (
            "批",
            "次",
            "天",
            "日",
            "年",
            "周",
            "片",
            "部",
            "处",
            "条",
            "位",
            "台",
        )
    return unit is None and not match.group("f_mult")
