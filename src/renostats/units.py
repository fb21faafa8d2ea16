"""Quantities as Chinese ledgers and press releases write them.

A figure such as ``960余万户`` carries a number (960), a multiplier (万), a qualifier (余: "more than"),
and a measure word (户). :func:`parse_quantity` turns such text into a :class:`Quantity` in base units
(money in yuan, area in m², length in m, percentages as fractions) with the bound its qualifier
implies; :func:`parse_quantities` does the same for a whole ledger column without a Python loop over
rows in the common cases; :func:`extract_figures` finds every figure in a paragraph of prose.

The vocabulary (docs/architecture.md) is shared by every module:

``kind``
    money (yuan; 元, 圆, 块, with 角/毛 and 分, 整), area (m²; 平方米, 公顷, 亩, km²), length (m), count
    (``unit`` keeps the measure word), percent (a fraction: ``97.5%``, ``百分之八十``, ``三成``,
    ``千分之五``), points (percentage points, ``12.5个百分点``: a difference of percentages, never a
    percentage itself; ``value`` is a fraction, 0.125, and ``unit`` is ``pp``), duration, energy
    (kWh), number (bare; also ``三百五又三分之一``). A fraction alone (``三分之一``, ``五百分之二``) is a
    share: kind percent.
``qualifier``
    exact; over (余, 多, 超过, 逾, 以上); under (不足, 不到, 小于, 以下); nearly (近, 将近, 接近);
    about (约, 左右; and vague numbers such as ``三五百``, ``八九亿``, ``百分之二三十``, whose ``low`` and
    ``high`` are the two readings); at_least (至少, 不少于, ``(含)以上``); at_most (最多, 不超过, 以内);
    range (``3至5年``, ``10-15万元``, ``一百二十到一百五十万元``: ``low`` and ``high`` are the ends and
    ``value`` their midpoint).
``low``, ``high``
    The bound the qualifier implies: both equal ``value`` when exact, ``low`` for over/at_least,
    ``high`` for under/nearly/at_most, neither for about (except a vague number's two readings).

Signs: ``负5``, ``-5%`` and ``减少5``/``下降5%`` are negative; ``增加``/``增长`` announce a positive
change. Traditional script (萬, 億, 圓, 兩, 點, 負) reads as simplified.

What the reader refuses, rather than guess (a :class:`~renostats.errors.InputError`, a ``ValueError``,
saying why): text with no number (``万元``), numerals that do not form one number (``十十``, ``两两``,
``1,23``, ``1.234,5``), 几/数 (``几十万``: no bounds can be read from it), 兆 (10**6 or 10**12?),
qualifiers that contradict each other (``至少九千块钱以上``), a double sign (``减少负5``), an Arabic digit
elided after a multiplier (``3万5``: 30,005 or 35,000?), values too large for a float, dates
(``2020年``, ``二〇二〇年``, ``4月18日``), and text longer than 100 characters (use
:func:`extract_figures` on prose).

Examples
--------
>>> q = parse_quantity("960余万户")
>>> q.value, q.unit, q.kind, q.qualifier, q.low, q.high
(9600000.0, '户', 'count', 'over', 9600000.0, nan)
>>> parse_quantity("248.25万平方米").value
2482500.0
>>> parse_quantity("百分之八十").value
0.8
>>> q = parse_quantity("10-15万元")
>>> (q.low, q.high, q.kind)
(100000.0, 150000.0, 'money')
>>> q = parse_quantity("三五百户")
>>> (q.low, q.high, q.qualifier)
(300.0, 500.0, 'about')
>>> q = parse_quantity("增长12.5个百分点")
>>> (q.value, q.unit, q.kind)
(0.125, 'pp', 'points')
"""

from __future__ import annotations

import math
import re
import unicodedata
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import numpy as np
import pandas as pd

from renostats._validate import number, one_of
from renostats.errors import InputError

__all__ = [
    "KINDS",
    "MAX_LENGTH",
    "QUALIFIERS",
    "Quantity",
    "chinese_number",
    "extract_figures",
    "format_chinese_number",
    "parse_quantities",
    "parse_quantity",
    "scale_decimal",
]

KINDS = ("money", "area", "length", "count", "percent", "points", "duration", "energy", "number", "date")
QUALIFIERS = ("exact", "over", "under", "nearly", "about", "at_least", "at_most", "range")
COLUMNS = ["value", "unit", "kind", "qualifier", "low", "high"]
MAX_LENGTH = 100  # characters in one figure; longer text is prose (extract_figures)


@dataclass(frozen=True)
class Quantity:
    """A parsed figure in base units, with its qualifier and the bounds it implies."""

    value: float
    unit: str
    kind: str
    qualifier: str
    low: float
    high: float
    text: str


# --------------------------------------------------------------------------------------------------
# Vocabulary

# surface form -> (kind, canonical unit, factor to the base unit). Matched longest first.
_UNITS: dict[str, tuple[str, str, float]] = {
    # money
    "元": ("money", "yuan", 1.0),
    "圆": ("money", "yuan", 1.0),
    "块钱": ("money", "yuan", 1.0),
    "块": ("money", "yuan", 1.0),
    "yuan": ("money", "yuan", 1.0),
    # area
    "平方公里": ("area", "m²", 1e6),
    "平方千米": ("area", "m²", 1e6),
    "km2": ("area", "m²", 1e6),
    "平方米": ("area", "m²", 1.0),
    "平米": ("area", "m²", 1.0),
    "m2": ("area", "m²", 1.0),  # also ㎡ and m² after NFKC normalisation
    "㎡": ("area", "m²", 1.0),  # in prose, where characters keep their places
    "公顷": ("area", "m²", 1e4),
    "亩": ("area", "m²", 10000.0 / 15.0),
    # length
    "公里": ("length", "m", 1000.0),
    "千米": ("length", "m", 1000.0),
    "km": ("length", "m", 1000.0),
    "米": ("length", "m", 1.0),
    "m": ("length", "m", 1.0),
    # duration
    "个工作日": ("duration", "工作日", 1.0),
    "工作日": ("duration", "工作日", 1.0),
    "个小时": ("duration", "小时", 1.0),
    "小时": ("duration", "小时", 1.0),
    "个月": ("duration", "月", 1.0),
    "周年": ("duration", "年", 1.0),
    "年": ("duration", "年", 1.0),
    "周": ("duration", "周", 1.0),
    "天": ("duration", "天", 1.0),
    "日": ("duration", "天", 1.0),
    # energy
    "千瓦时": ("energy", "kWh", 1.0),
    "瓦时": ("energy", "kWh", 0.001),  # after a numeral that ended in 千: 3千瓦时
    "kwh": ("energy", "kWh", 1.0),
    "kWh": ("energy", "kWh", 1.0),
    "度": ("energy", "kWh", 1.0),
    # percent and percentage points
    "%": ("percent", "%", 0.01),
    "‰": ("percent", "%", 0.001),
    "个百分点": ("points", "pp", 0.01),
    "百分点": ("points", "pp", 0.01),
}
_COUNT_WORDS = (
    "人次", "户", "栋", "幢", "家", "人", "名", "份", "套", "项", "支", "座", "条", "间", "台", "辆",
    "所", "处", "件", "张", "位", "部", "片", "批", "次", "只", "头", "株", "吨", "个",
)  # fmt: skip
for _w in _COUNT_WORDS:
    _UNITS.setdefault(_w, ("count", _w, 1.0))

_QUAL_PREFIX = {
    "不超过": "at_most",
    "不高于": "at_most",
    "不大于": "at_most",
    "最多": "at_most",
    "至多": "at_most",
    "不少于": "at_least",
    "不低于": "at_least",
    "不小于": "at_least",
    "至少": "at_least",
    "超过": "over",
    "多于": "over",
    "高于": "over",
    "大于": "over",
    "逾": "over",
    "超": "over",
    "不足": "under",
    "不到": "under",
    "少于": "under",
    "低于": "under",
    "小于": "under",
    "将近": "nearly",
    "接近": "nearly",
    "近": "nearly",
    "大约": "about",
    "约为": "about",
    "大概": "about",
    "约": "about",
    # words that only announce a figure
    "共计": "exact",
    "合计": "exact",
    "累计": "exact",
    "共": "exact",
    "达到": "exact",
    "达": "exact",
    "为": "exact",
    "人民币": "exact",
}
# verbs of change: the figure after them is a change with this sign
_SIGN_PREFIX = {
    "增加": 1,
    "增长": 1,
    "上升": 1,
    "提高": 1,
    "减少": -1,
    "下降": -1,
    "降低": -1,
    "下滑": -1,
    "上涨": 1,
    "下跌": -1,
}
_QUAL_SUFFIX = {
    "(含)以上": "at_least",
    "以上": "over",
    "之多": "over",
    "有余": "over",
    "多": "over",
    "余": "over",
    "(含)以下": "at_most",
    "以下": "under",
    "以内": "at_most",
    "左右": "about",
    "上下": "about",
    "人民币": "exact",
}
_QUAL_INFIX = {"余": "over", "多": "over", "来": "about"}

_CN_DIGITS = {
    "零": 0, "〇": 0, "一": 1, "壹": 1, "二": 2, "贰": 2, "两": 2, "三": 3, "叁": 3, "四": 4, "肆": 4,
    "五": 5, "伍": 5, "六": 6, "陆": 6, "七": 7, "柒": 7, "八": 8, "捌": 8, "九": 9, "玖": 9,
}  # fmt: skip
_CN_SMALL = {"十": 10, "拾": 10, "百": 100, "佰": 100, "千": 1000, "仟": 1000}
_CN_BIG = {"万": 10_000, "亿": 100_000_000}
_MULT = {"十": 10.0, "百": 100.0, "千": 1000.0, "万": 1e4, "亿": 1e8}
_CN_CHARS = "".join(_CN_DIGITS) + "".join(_CN_SMALL) + "".join(_CN_BIG) + "点"
# Traditional and variant characters, read as their simplified forms before anything else.
_TRADITIONAL = str.maketrans(
    {
        "萬": "万", "億": "亿", "圓": "圆", "兩": "两", "倆": "两", "俩": "两", "點": "点", "負": "负",
        "貳": "贰", "參": "叁", "陸": "陆", "餘": "余", "約": "约", "幾": "几", "個": "个", "廿": "二十",
        "卅": "三十", "−": "-", "－": "-", "～": "~", "〜": "~", "（": "(", "）": ")",
    }
)  # fmt: skip
# Two numerals written side by side for "one or the other": 三五百 (300 to 500), 八九亿, 十一二.
_VAGUE_PAIRS = {(a, a + 1) for a in range(1, 9)} | {(3, 5)}


def _alt(words) -> str:
    return "|".join(re.escape(w) for w in sorted(words, key=len, reverse=True))


_UNIT_RE = _alt(_UNITS)
_PRE_RE = _alt(_QUAL_PREFIX)
_SIGN_RE = _alt(_SIGN_PREFIX)
_SUF_RE = _alt(_QUAL_SUFFIX)
_NUM_CHARS = f"0-9{_CN_CHARS}"
# read as part of a numeral only to refuse it whole: 几 (十几万: no bounds), 兆 (10**6 or 10**12?)
_VAGUE_CHARS = "几兆"
_RUN_CHARS = _NUM_CHARS + _VAGUE_CHARS
# Not the first character of a unit: 3百分点 is 3 percentage points, 1万千瓦时 10,000 kWh.
_NOT_UNIT = r"(?!百分[点之]|千(?:瓦时|米))"
_RUN_CHAR = rf"{_NOT_UNIT}[{_RUN_CHARS}]"
# A numeral: digits, Chinese numerals, 点, decimal points and thousands commas (checked later), read
# possessively so that no input makes the scan backtrack.
_RUN = rf"{_RUN_CHAR}(?:{_RUN_CHAR}|[.,](?=[0-9{_CN_CHARS}]))*+"

# One figure: [sign verb] [qualifier] [sign] numeral [余/多/来] [multipliers] [余/多] [unit] [qualifier]
_FIGURE = (
    rf"(?P<verb>{_SIGN_RE})?(?P<pre>{_PRE_RE})?(?P<sign>[-+负])?"
    rf"(?P<num>{_RUN})"
    r"(?P<inf1>[余多来])?"
    rf"(?P<mult>(?:{_NOT_UNIT}[十百千万亿])*+)"
    r"(?P<inf2>[余多])?"
    rf"(?P<unit>{_UNIT_RE})?"
    rf"(?P<suf>{_SUF_RE})?"
)
_FIGURE_FULL = re.compile(_FIGURE)
_FRACTION_WORDS = {
    "百分之": Decimal("0.01"),
    "佰分之": Decimal("0.01"),
    "千分之": Decimal("0.001"),
    "仟分之": Decimal("0.001"),
    "万分之": Decimal("0.0001"),
}
_PERCENT_WORDS = re.compile(
    rf"(?P<verb>{_SIGN_RE})?(?P<pre>{_PRE_RE})?(?P<sign>[-+负])?(?P<per>{_alt(_FRACTION_WORDS)})"
    rf"(?P<sign2>[-+负])?(?P<num>{_RUN})(?P<suf>{_SUF_RE})?"
)
_CHENG = re.compile(
    rf"(?P<verb>{_SIGN_RE})?(?P<pre>{_PRE_RE})?(?P<sign>[-+负])?(?P<num>{_RUN})成"
    rf"(?P<frac>[{''.join(_CN_DIGITS)}0-9])?(?P<suf>{_SUF_RE})?"
)
# Fractions: 三分之一, 五百分之二 (2/500), 三百五又三分之一 (350 1/3); 分 ends the denominator, so its
# run may end in 百 (the figure's own run stops before 百分之)
_FRAC_RUN = rf"[{_RUN_CHARS}](?:[{_RUN_CHARS}]|\.(?=[0-9{_CN_CHARS}]))*+"
_FRACTION = re.compile(
    rf"(?P<verb>{_SIGN_RE})?(?P<pre>{_PRE_RE})?(?P<sign>[-+负])?(?:(?P<whole>{_FRAC_RUN})又)?"
    rf"(?P<den>{_FRAC_RUN})分之(?P<sign2>[-+负])?(?P<num>{_RUN})(?P<suf>{_SUF_RE})?"
)
_RANGE_SEPS = ("至", "到", "~", "——", "--", "—", "–", "-")
_DATE = re.compile(r"(?:\d{4}年(?:\d{1,2}月(?:\d{1,2}[日号])?)?|\d{1,2}月\d{1,2}[日号]|\d{1,2}月[底初中]旬?)")
_SPACE = re.compile(r"[\s\u200b\u200c\u200d\u2060\ufeff]")
_ARABIC_OK = re.compile(r"(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?")
_DIGIT1 = f"[{''.join(_CN_DIGITS)}0-9]"
_MONEY_TAIL = re.compile(
    rf"(?P<head>.*?[元圆块])?(?:(?P<jiao>{_DIGIT1})[角毛])?(?:(?P<fen>{_DIGIT1})分)?(?P<zheng>[整正])?(?P<qian>钱)?"
)


# --------------------------------------------------------------------------------------------------
# Numerals


class _Refuse(Exception):
    """A numeral that cannot be read as one number (turned into an InputError with its text)."""


class _Ambiguous(_Refuse):
    """Text that reads as a figure in more than one way."""


def _tokens(run: str) -> list[tuple[str, Any]]:
    """The tokens of a numeral: ('D', digit, char) a Chinese digit, ('Z', 0, char) 零 or 〇,
    ('A', digits) an Arabic number, ('S', 10 | 100 | 1000), ('B', 10**4 | 10**8), ('P',) 点."""
    out: list[tuple[str, Any]] = []
    i, n = 0, len(run)
    while i < n:
        c = run[i]
        if c.isdigit() and c.isascii():
            j = i
            while j < n and (run[j].isascii() and (run[j].isdigit() or run[j] in ".,")):
                j += 1
            text = run[i:j]
            if not _ARABIC_OK.fullmatch(text):
                raise _Refuse(f"{text!r} is not a well-formed number (digits, thousands commas, one point)")
            out.append(("A", text.replace(",", "")))
            i = j
            continue
        if c in ("零", "〇"):
            out.append(("Z", 0, c))
        elif c in _CN_DIGITS:
            out.append(("D", _CN_DIGITS[c], c))
        elif c in _CN_SMALL:
            out.append(("S", _CN_SMALL[c]))
        elif c in _CN_BIG:
            out.append(("B", _CN_BIG[c]))
        elif c == "点":
            out.append(("P",))
        elif c == "几":
            raise _Refuse("几 says 'some': no number or bounds can be read from it")
        elif c == "兆":
            raise _Refuse("兆 is 10**6 in some texts and 10**12 in others: write 万亿 or 百万")
        else:
            raise _Refuse(f"{c!r} is not part of a number")
        i += 1
    return out


def _numeral(run: str) -> tuple[Decimal, Decimal]:
    """The value of a numeral as (low, high): equal unless the numeral is vague (三五百: 300, 500)."""
    toks = _tokens(run)
    if not toks:
        raise _Refuse("no number")
    pairs = [
        i
        for i in range(len(toks) - 1)
        if toks[i][0] == "D" and toks[i + 1][0] == "D" and (toks[i][1], toks[i + 1][1]) in _VAGUE_PAIRS
    ]
    only_digits = all(t[0] in ("D", "Z") for t in toks)
    if pairs and not (only_digits and len(toks) > 2) and not any(t[0] == "P" for t in toks):
        if len(pairs) > 1:
            raise _Refuse("more than one pair of numerals side by side")
        i = pairs[0]
        low = _exact(toks[: i + 1] + toks[i + 2 :])
        high = _exact(toks[:i] + toks[i + 1 :])
        if not low < high:
            raise _Refuse("a vague pair whose readings are not in order")
        return low, high
    value = _exact(toks)
    return value, value


def _exact(toks) -> Decimal:
    if any(t[0] == "P" for t in toks):
        at = next(i for i, t in enumerate(toks) if t[0] == "P")
        whole, frac = toks[:at], toks[at + 1 :]
        if not whole:
            raise _Refuse("点 with no whole number before it")
        if frac and frac[0][0] == "A":
            if "." in frac[0][1]:
                raise _Refuse("two decimal points")
            k = 1
        else:
            k = 0
            while k < len(frac) and frac[k][0] in ("D", "Z"):
                k += 1
        digits, tail = frac[:k], frac[k:]
        if not digits or any(t[0] not in ("S", "B") for t in tail):
            raise _Refuse("the digits after 点 must be plain numerals, then at most a multiplier")
        if any(t[0] == "D" and t[2] == "两" for t in digits):
            raise _Refuse("两 is not a digit after 点")
        text = "".join(t[1] if t[0] == "A" else str(t[1]) for t in digits)
        value = _integer(whole) + Decimal("0." + text)
        return value * _product(tail)
    arabic_decimal = [i for i, t in enumerate(toks) if t[0] == "A" and "." in t[1]]
    if arabic_decimal:
        i = arabic_decimal[0]
        if i != 0 or any(t[0] not in ("S", "B") for t in toks[1:]):
            raise _Refuse("a decimal number can be followed only by multipliers (10.1万)")
        return Decimal(toks[0][1]) * _product(toks[1:])
    return _integer(toks)


def _product(toks) -> Decimal:
    out = Decimal(1)
    for t in toks:
        out *= t[1]
    return out


def _integer(toks) -> Decimal:
    if not toks:
        raise _Refuse("no number")
    if len(toks) == 1 and toks[0][0] == "Z":
        return Decimal(0)
    if all(t[0] in ("D", "Z") for t in toks) and len(toks) > 1:
        # read digit by digit: 二〇二〇, 一七二零; not 两两 or 零一
        if any(t[2] == "两" for t in toks):
            raise _Refuse("两 is not read digit by digit")
        if toks[0][0] == "Z":
            raise _Refuse("a leading 零 (a code, not a quantity)")
        return Decimal("".join(str(t[1]) for t in toks))
    bigs = [i for i, t in enumerate(toks) if t[0] == "B"]
    if not bigs:
        return _section(toks)
    top = max(toks[i][1] for i in bigs)
    at = max(i for i in bigs if toks[i][1] == top)
    left, right = toks[:at], toks[at + 1 :]
    if not left:
        raise _Refuse("a multiplier with no number before it")
    if left[-1][0] == "Z":
        raise _Refuse("零 before a multiplier")
    head = _integer(left)
    return head * top + _remainder(right, top)


def _remainder(toks, unit: int) -> Decimal:
    """What follows 万 or 亿: 三万五 (elided 千), 十万零一, 1万600, 四亿五千六百四十二万零一十五."""
    if not toks:
        return Decimal(0)
    if toks[0][0] == "Z":
        rest = toks[1:]
        if not rest or rest[0][0] == "Z":
            raise _Refuse("零 with nothing after it")
        value = _integer(rest)
    elif len(toks) == 1 and toks[0][0] == "D":
        value = Decimal(toks[0][1]) * unit / 10  # 三万五 = 35,000
    elif len(toks) == 1 and toks[0][0] == "A":
        digits = toks[0][1]
        if len(digits) < len(str(unit)) - 2:
            raise _Refuse(f"{digits!r} after a multiplier is ambiguous (elided place or units?)")
        value = Decimal(digits)
    else:
        value = _integer(toks)
    if value >= unit:
        raise _Refuse("the part after a multiplier is not smaller than it")
    return value


def _section(toks) -> Decimal:
    """A number below 10,000 (or an Arabic integer): 三千零五十, 一百五 (150), 千三, 零十, 1百01."""
    total = Decimal(0)
    last: int | None = None
    pending: tuple | None = None
    after_zero = False
    for pos, t in enumerate(toks):
        if t[0] in ("D", "A"):
            if pending is not None:
                raise _Refuse("two numbers side by side")
            pending = t
        elif t[0] == "Z":
            if pending is not None or after_zero:
                raise _Refuse("零 in the wrong place")
            after_zero = True
        else:  # small unit
            u = t[1]
            if last is not None and u >= last:
                raise _Refuse("multipliers out of order")
            if pending is None:
                if u == 10 or (pos == 0 and u in (100, 1000)):
                    n = Decimal(1)  # 十九, 一千零十, 千三, 百家
                else:
                    raise _Refuse("a multiplier with no digit before it")
            elif pending[0] == "A":
                if pos != 1 and (len(pending[1]) != 1 or pending[1] == "0"):
                    raise _Refuse("Arabic digits inside a Chinese numeral")
                n = Decimal(pending[1])
            else:
                n = Decimal(pending[1])
                if n == 0:
                    raise _Refuse("零 before a multiplier")
            total += n * u
            last, pending, after_zero = u, None, False
    if pending is None:
        if after_zero:
            raise _Refuse("零 at the end")
        return total
    if last is None:
        return Decimal(pending[1])
    if after_zero:
        value = Decimal(pending[1])
        if value >= last // 10:
            raise _Refuse("the part after 零 is too large for its place")
        return total + value
    if pending[0] == "A":
        digits = pending[1]
        if len(digits) != len(str(last)) - 1 or Decimal(digits) >= last:
            raise _Refuse(f"{digits!r} after {last} is ambiguous")
        return total + Decimal(digits)
    d = Decimal(pending[1])
    if last == 10:
        return total + d
    return total + d * last / 10  # 一百五 = 150, 四千三 = 4300


# --------------------------------------------------------------------------------------------------
# Public functions


def parse_quantity(text: Any) -> Quantity:
    """Parse one figure written the way Chinese ledgers and press releases write it.

    Parameters
    ----------
    text : str or number
        For example ``"3千万元"``, ``"2.5万亿元"``, ``"三十余万元"``, ``"97.5%"``, ``"四成"``,
        ``"超过1万人"``, ``"近10家"``, ``"3至5年"``, ``"１２栋"``, ``"1,234.5"``, ``"三万五"``,
        ``"3万4000"``, ``"负5%"``, ``"壹拾壹元壹角"``. A number passes through as kind ``number``.

    Returns
    -------
    Quantity
        ``value`` in base units: yuan, m², m, a fraction for percentages and percentage points; counts
        keep their measure word in ``unit``; durations keep 年/月/周/天/工作日/小时.

    Raises
    ------
    InputError
        (a ``ValueError``) When the text is empty, is a date, is not one figure, or could be read in
        more than one way; the message says which (see the module docstring for what is refused).

    Examples
    --------
    >>> parse_quantity("三千零五十").value
    3050.0
    >>> parse_quantity("超过1万人")  # doctest: +NORMALIZE_WHITESPACE
    Quantity(value=10000.0, unit='人', kind='count', qualifier='over', low=10000.0, high=nan,
             text='超过1万人')
    >>> parse_quantity("近10家").qualifier, parse_quantity("近10家").high
    ('nearly', 10.0)
    >>> parse_quantity("四成").value, parse_quantity("三万五").value, parse_quantity("负5%").value
    (0.4, 35000.0, -0.05)
    >>> parse_quantity("4月18日")
    Traceback (most recent call last):
    ...
    renostats.errors.InputError: '4月18日' is a date, not a quantity
    """
    if isinstance(text, bool | np.bool_):
        raise InputError(f"{text!r} is a truth value, not a quantity")
    if isinstance(text, int | float | np.integer | np.floating):
        try:
            v = float(text)
        except OverflowError:
            raise InputError(f"{_shown(text)} is too large for a quantity") from None
        if math.isnan(v):
            raise InputError("empty cell: no quantity")
        if not math.isfinite(v):
            raise InputError(f"{_shown(text)} is not a finite quantity")
        return Quantity(v, "", "number", "exact", v, v, str(text))
    if not isinstance(text, str):
        raise InputError(f"{_shown(text)} is not a quantity (text or a real number expected)")
    original = text
    if len(original) > 10 * MAX_LENGTH:
        raise InputError(_too_long(original))
    clean = _normalise(original)
    if not clean:
        raise InputError("empty cell: no quantity")
    if len(clean) > MAX_LENGTH:
        raise InputError(_too_long(original))
    if _DATE.fullmatch(clean) or _CN_YEAR.fullmatch(clean):
        raise InputError(f"{_shown(original)} is a date, not a quantity")
    if not re.search(rf"[{_NUM_CHARS}]", clean):
        raise InputError(f"{_shown(original)} has no number in it")
    try:
        value, unit, kind, qualifier, low, high = _parse(clean)
    except _Refuse as exc:
        raise InputError(f"{_shown(original)}: {exc}") from None
    return Quantity(value, unit, kind, qualifier, low, high, original)


def parse_quantities(values: pd.Series | Any, errors: str = "raise") -> pd.DataFrame:
    """Parse a column of ledger cells into a DataFrame aligned to its index.

    Parameters
    ----------
    values : Series or array-like
        Cells as text or numbers. Numbers pass through as kind ``number``; missing or blank cells stay
        missing.
    errors : {"raise", "coerce"}
        ``raise``: an InputError (a ValueError) naming every unparseable cell (index label and text).
        ``coerce``: those cells get missing values and the message goes to an extra ``error`` column.

    Returns
    -------
    DataFrame
        Columns value, unit, kind, qualifier, low, high (and error with ``errors="coerce"``).

    Notes
    -----
    Plain Arabic figures with optional multiplier, measure word or unit, percent sign and qualifier
    words (``12栋``, ``3.4万``, ``97.5%``, ``1,234``, ``60000余个``) are parsed in one vectorised pass
    (pyarrow's regular expressions); only the remaining distinct texts (Chinese numerals, ranges,
    百分之…, 成, signs, malformed text) go through :func:`parse_quantity` once each.

    Examples
    --------
    >>> parse_quantities(pd.Series(["12栋", "3.4万", None, 7, "三十余万元"]))[["value", "unit", "qualifier"]]
          value  unit qualifier
    0      12.0     栋     exact
    1   34000.0           exact
    2       NaN  <NA>      <NA>
    3       7.0           exact
    4  300000.0  yuan      over
    """
    one_of(errors, ("raise", "coerce"), name="errors")
    series = values if isinstance(values, pd.Series) else pd.Series(values)
    n = len(series)
    value = np.full(n, np.nan)
    low = np.full(n, np.nan)
    high = np.full(n, np.nan)
    unit = np.full(n, None, dtype=object)
    kind = np.full(n, None, dtype=object)
    qual = np.full(n, None, dtype=object)
    error = np.full(n, None, dtype=object)

    if pd.api.types.is_complex_dtype(series.dtype):
        obj = series.to_numpy(dtype=object)
        for i in np.flatnonzero(pd.notna(series).to_numpy()):
            error[i] = f"{obj[i]!r} is not a quantity (a complex number)"
        return _frame(series.index, value, unit, kind, qual, low, high, error, errors)
    if pd.api.types.is_numeric_dtype(series.dtype) and not pd.api.types.is_bool_dtype(series.dtype):
        numbers = series.to_numpy(dtype=float, na_value=np.nan)
        present = ~np.isnan(numbers)
        finite = present & np.isfinite(numbers)
        value[finite] = low[finite] = high[finite] = numbers[finite]
        unit[finite], kind[finite], qual[finite] = "", "number", "exact"
        for i in np.flatnonzero(present & ~finite):
            error[i] = f"{numbers[i]!r} is not a finite quantity"
        return _frame(series.index, value, unit, kind, qual, low, high, error, errors)

    obj = series.to_numpy(dtype=object, na_value=None)
    if pd.api.types.infer_dtype(obj, skipna=True) in ("string", "empty"):
        # all text (or missing): one pass over the whole column, nulls count as blank
        _parse_text_cells(obj, np.arange(n), value, unit, kind, qual, low, high, error)
        return _frame(series.index, value, unit, kind, qual, low, high, error, errors)
    is_num = np.fromiter(
        (
            isinstance(v, int | float | np.integer | np.floating) and not isinstance(v, bool | np.bool_)
            for v in obj
        ),
        dtype=bool,
        count=n,
    )
    for i in np.flatnonzero(is_num):
        try:
            q = parse_quantity(obj[i])
        except ValueError as exc:
            if not (isinstance(obj[i], float | np.floating) and np.isnan(obj[i])):
                error[i] = str(exc)
            continue
        value[i] = low[i] = high[i] = q.value
        unit[i], kind[i], qual[i] = "", "number", "exact"
    is_text = np.fromiter((isinstance(v, str) for v in obj), dtype=bool, count=n)
    other = ~is_num & ~is_text & pd.notna(pd.Series(obj)).to_numpy()
    for i in np.flatnonzero(other):
        error[i] = f"{_shown(obj[i])} is not a quantity"

    if is_text.any():
        text_idx = np.flatnonzero(is_text)
        _parse_text_cells(obj[text_idx], text_idx, value, unit, kind, qual, low, high, error)
    return _frame(series.index, value, unit, kind, qual, low, high, error, errors)


def chinese_number(text: str) -> float:
    """Value of a number written in Chinese numerals: ``十九`` 19, ``三千零五十`` 3050, ``三点五`` 3.5.

    Elided places are read as speakers mean them (``三万五`` 35,000, ``一百五`` 150), ``零十`` as ten
    (``一千零十`` 1010), ``万万`` as 亿; a vague pair (``三五百``) or anything that is not one number
    raises :class:`~renostats.errors.InputError`.

    Examples
    --------
    >>> chinese_number("两万三千"), chinese_number("一亿二千万"), chinese_number("三点五")
    (23000.0, 120000000.0, 3.5)
    >>> chinese_number("三万五"), chinese_number("一千零十"), chinese_number("四万万")
    (35000.0, 1010.0, 400000000.0)
    """
    if not isinstance(text, str):
        raise InputError(f"{_shown(text)} is not a number in Chinese numerals")
    clean = _normalise(text)
    if not clean or len(clean) > MAX_LENGTH or any(c not in _CN_CHARS for c in clean):
        raise InputError(f"{_shown(text)} is not a number in Chinese numerals")
    try:
        low, high = _numeral(clean)
    except _Refuse as exc:
        raise InputError(f"{_shown(text)}: {exc}") from None
    if low != high:
        raise InputError(f"{_shown(text)} is vague: {low} to {high}")
    value = float(low)
    if not math.isfinite(value):
        raise InputError(f"{_shown(text)} is too large")
    return value


def format_chinese_number(value: Any) -> str:
    """A non-negative number in Chinese numerals, as a careful clerk writes it.

    Integers below 10**16 (``零`` rules: 一千零十, 十万零一), and decimals after 点 as written.

    Examples
    --------
    >>> format_chinese_number(3050), format_chinese_number(100001), format_chinese_number("12.05")
    ('三千零五十', '十万零一', '十二点零五')
    """
    number = Decimal(str(value))
    if not number.is_finite() or number < 0 or number >= Decimal(10) ** 16:
        raise InputError(f"{_shown(value)}: only numbers in [0, 10**16) are written here")
    whole = int(number)
    text = str(number)
    frac = text.partition(".")[2] if "." in text else ""
    out = _format_int(whole)
    if out.startswith("一十"):
        out = out[1:]
    if frac:
        out += "点" + "".join("零一二三四五六七八九"[int(c)] for c in frac)
    return out


def _format_int(n: int) -> str:
    if n == 0:
        return "零"
    for unit, name in ((10**8, "亿"), (10**4, "万")):
        if n >= unit:
            head, rest = divmod(n, unit)
            tail = "" if rest == 0 else ("零" if rest < unit // 10 else "") + _format_int(rest)
            return _format_int(head) + name + tail
    out, zero = "", False
    for unit, name in ((1000, "千"), (100, "百"), (10, "十"), (1, "")):
        d = n // unit % 10
        if d == 0:
            zero = bool(out)
            continue
        out += ("零" if zero else "") + "零一二三四五六七八九"[d] + name
        zero = False
    return out


def extract_figures(text: str, context: int = 12) -> pd.DataFrame:
    """Every figure in a paragraph of Chinese prose, with its kind, qualifier, span and context.

    Dates (``4月18日``, ``6月底``, ``2020年``) come out with kind ``date`` and the date written in
    ``unit`` (value missing); ordinals (``第51个``) are left out, as are lone numerals that are part of
    words (一批, 一道), and figures the reader refuses (``1,2345户``: no part of them is guessed).

    Parameters
    ----------
    text : str
        Prose such as a press release.
    context : int
        Characters of context kept on each side.

    Returns
    -------
    DataFrame
        Columns value, unit, kind, qualifier, low, high, start, end, context; ``text[start:end]`` is the
        figure as written.

    Examples
    --------
    >>> figs = extract_figures("截至3月,该区24家规模以上工业企业复工率达100%,上岗人员已超过1万人。")
    >>> figs[["value", "unit", "kind", "qualifier"]]
         value unit     kind qualifier
    0      NaN   3月     date     exact
    1     24.0    家    count     exact
    2      1.0    %  percent     exact
    3  10000.0    人    count      over
    """
    if not isinstance(text, str):
        raise InputError(f"text must be a string of prose; got {_shown(text)}")
    context = int(number(context, name="context", low=0, integer=True))
    rows = []
    prose = _normalise_in_place(text)
    glued = -2
    for match in _PROSE.finditer(prose):
        start, end = match.span()
        surface = match.group(0)
        ends_glued = surface[-1].isdigit() and re.match(r",[0-9]", prose[end : end + 2]) is not None
        if start == glued + 1 or ends_glued:
            glued = end if ends_glued else -2  # 1,2345户: malformed thousands, no part of it is read
            continue
        if start > 0 and text[start - 1] == "第":
            continue  # ordinal
        if match.group("date"):
            rows.append((np.nan, surface, "date", "exact", np.nan, np.nan, start, end))
            continue
        if match.group("pct") and start > 0 and text[start - 1] in _RUN_CHARS + "0123456789":
            continue  # 五百分之二 is a fraction (2/500), not 百分之二
        if _is_word_numeral(match):
            continue
        if not match.group("f_unit") and text[end : end + 1] in ("月", "日", "号", "时", "点"):
            continue  # 1-2月, 3日: dates and times, not figures
        try:
            q = parse_quantity(surface)
        except ValueError:
            continue
        rows.append((q.value, q.unit, q.kind, q.qualifier, q.low, q.high, start, end))
    frame = pd.DataFrame(rows, columns=[*COLUMNS, "start", "end"])
    frame["context"] = [
        text[max(0, s - context) : min(len(text), e + context)].replace("\n", " ")
        for s, e in zip(frame["start"], frame["end"], strict=True)
    ]
    return frame.astype({"value": float, "low": float, "high": float, "start": int, "end": int})


# --------------------------------------------------------------------------------------------------
# Helpers

_CN_YEAR = re.compile(r"[〇零一二三四五六七八九]{4}年")


def _normalise(text: str) -> str:
    """Full-width forms to ASCII (NFKC: １２ -> 12, ％ -> %, ㎡ -> m2), traditional characters to
    simplified, no spaces or invisible characters. Thousands commas stay (their grouping is checked)."""
    return _SPACE.sub("", unicodedata.normalize("NFKC", text).translate(_TRADITIONAL))


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


def _shown(value: Any) -> str:
    shown = repr(value)
    return shown if len(shown) <= 60 else shown[:57] + "..."


def _too_long(original: str) -> str:
    return (
        f"{_shown(original)} is longer than {MAX_LENGTH} characters: not one figure "
        "(use extract_figures for prose)"
    )


def _qualifier(*parts: tuple[str | None, dict[str, str]]) -> str:
    """The one qualifier named by the parts; refuses parts that contradict each other."""
    found = {(p, table[p]) for p, table in parts if p}
    named = {q for _, q in found} - {"exact"}
    if len(named) > 1:
        words = ", ".join(f"{p} ({q})" for p, q in sorted(found) if q != "exact")
        raise _Refuse(f"the qualifiers conflict: {words}")
    return named.pop() if named else "exact"


def _bounds(value: float, qualifier: str) -> tuple[float, float]:
    if qualifier == "exact":
        return value, value
    if qualifier in ("over", "at_least"):
        return value, math.nan
    if qualifier in ("under", "nearly", "at_most"):
        return math.nan, value
    return math.nan, math.nan


def _float(value: Decimal) -> float:
    out = float(value)
    if not math.isfinite(out) or (value != 0 and out == 0):
        raise _Refuse("too large or too small for a number")
    return out


def _sign(verb: str | None, sign: str | None, *more: str | None) -> int:
    signs = [s for s in (sign, *more) if s]
    if len(signs) > 1 or (verb and signs):
        raise _Refuse("the sign is written twice")
    out = _SIGN_PREFIX.get(verb, 1) if verb else 1
    if signs and signs[0] in ("-", "负"):
        out = -out
    return out


def _parse(clean: str):
    """(value, unit, kind, qualifier, low, high) of normalised text, or _Refuse saying why."""
    single_error: _Refuse | None = None
    try:
        return _single(clean)
    except _Refuse as exc:
        single_error = exc
    ranged = _parse_range(clean)
    if ranged is not None:
        return ranged
    raise single_error


def _single(clean: str):
    m = _PERCENT_WORDS.fullmatch(clean)
    if m:
        low, high = _numeral(m.group("num"))
        scale = _FRACTION_WORDS[m.group("per")]
        sign = _sign(m.group("verb"), m.group("sign"), m.group("sign2"))
        return _result(low * scale * sign, high * scale * sign, "%", "percent", m)
    m = _FRACTION.fullmatch(clean)
    if m:
        num, den = _numeral(m.group("num")), _numeral(m.group("den"))
        whole = _numeral(m.group("whole")) if m.group("whole") else (Decimal(0), Decimal(0))
        if num[0] != num[1] or den[0] != den[1] or whole[0] != whole[1]:
            raise _Refuse("a fraction with a vague part")
        if den[0] == 0:
            raise _Refuse("a fraction over zero")
        value = (whole[0] + num[0] / den[0]) * _sign(m.group("verb"), m.group("sign"), m.group("sign2"))
        if m.group("whole"):  # 三百五又三分之一: a number with a fraction
            return _result(value, value, "", "number", m)
        return _result(value, value, "%", "percent", m)  # 三分之一 of something: a share
    m = _CHENG.fullmatch(clean)
    if m:
        low, high = _numeral(m.group("num"))
        if m.group("frac"):
            if low != high or low != low.to_integral_value():
                raise _Refuse("成 with a tenth after a vague or decimal number")
            frac = _numeral(m.group("frac"))[0] / 10
            low, high = low + frac, high + frac
        sign = _sign(m.group("verb"), m.group("sign"))
        return _result(low / 10 * sign, high / 10 * sign, "%", "percent", m)
    m = _MONEY_TAIL.fullmatch(clean)
    if m and (m.group("jiao") or m.group("fen") or m.group("zheng") or m.group("qian")):
        extra = Decimal(0)
        if m.group("jiao"):
            extra += _numeral(m.group("jiao"))[0] / 10
        if m.group("fen"):
            extra += _numeral(m.group("fen"))[0] / 100
        head = m.group("head")
        if not head:
            if not extra:
                raise _Refuse("no number")
            return _finish(extra, extra, "yuan", "money", "exact")
        got = _figure(head)
        if not extra and got[2] == "money":
            return got  # 圆整, 块钱: words that only close the amount
        value, _, kind, qualifier, _, _ = got
        if kind != "money" or qualifier != "exact":
            raise _Refuse("角 and 分 follow an exact amount of yuan")
        total = Decimal(repr(value)) + (-extra if value < 0 else extra)
        return _finish(total, total, "yuan", "money", "exact")
    return _figure(clean)


def _figure(clean: str):
    m = _FIGURE_FULL.match(clean)
    if m is None:
        raise _Refuse("not a figure renostats can read (number, multiplier, unit, qualifier)")
    if m.end() != len(clean):
        after = max(m.end(g) for g in ("num", "inf1", "mult", "inf2"))
        raise _Refuse(f"unknown unit or words {clean[after:]!r} after the number")
    num, mult, unit_word = m.group("num"), m.group("mult"), m.group("unit") or ""
    if (
        unit_word == "年"
        and not mult
        and not m.group("inf1")
        and re.fullmatch(r"\d{4}|[〇零一二三四五六七八九]{4}", num)
    ):
        raise _Refuse("a year, not a duration")
    if m.group("inf1") and not mult and m.group("inf2"):
        raise _Refuse("the qualifiers conflict: two of 余/多")
    low, high = _numeral(num)
    scale = Decimal(1)
    for c in mult:
        scale *= _CN_BIG.get(c) or _CN_SMALL[c]
    kind, unit, to_base = _UNITS.get(unit_word, ("number", "", 1.0))
    factor = Decimal(10000) / 15 if unit_word == "亩" else Decimal(repr(to_base))  # 亩: 10000/15 m², exactly
    sign = _sign(m.group("verb"), m.group("sign"))
    rmb = "人民币" in (m.group("pre"), m.group("suf"))
    if rmb:
        if kind not in ("money", "number"):
            raise _Refuse("人民币 with a unit that is not money")
        kind, unit = "money", "yuan"
    return _result(low * scale * factor * sign, high * scale * factor * sign, unit, kind, m)


def _result(low: Decimal, high: Decimal, unit: str, kind: str, m: re.Match):
    groups = m.groupdict()
    parts = [(groups.get("pre"), _QUAL_PREFIX), (groups.get("suf"), _QUAL_SUFFIX)]
    parts += [(groups.get("inf1"), _QUAL_INFIX), (groups.get("inf2"), _QUAL_INFIX)]
    if low != high:  # a vague number: about, between its two readings
        parts.append(("(vague)", {"(vague)": "about"}))
        if low > high:
            low, high = high, low
    qualifier = _qualifier(*parts)
    return _finish(low, high, unit, kind, qualifier)


def _finish(low: Decimal, high: Decimal, unit: str, kind: str, qualifier: str):
    lo, hi = _float(low), _float(high)
    if lo != hi:
        return ((lo + hi) / 2, unit, kind, qualifier, lo, hi)
    return (lo, unit, kind, qualifier, *_bounds(lo, qualifier))


def _parse_range(clean: str):
    """``3至5年``, ``10-15万元``, ``一百二十到一百五十万元``, ``1万元--5万元``; None if not a range."""
    text = clean[1:] if clean.startswith("从") else clean
    if text.endswith("不等"):
        text = text[:-2]
    readings = set()
    # every separator at every place (a double dash may also be a dash and a minus sign)
    for i in range(1, len(text) - 1):
        for sep in _RANGE_SEPS:
            if not text.startswith(sep, i) or i + len(sep) >= len(text):
                continue
            try:
                readings.add(_range_ends(text[:i], text[i + len(sep) :]))
            except _Ambiguous:
                raise
            except _Refuse:
                continue
    if len(readings) > 1:
        raise _Refuse("a range that can be read in more than one way")
    return readings.pop() if readings else None


def _range_ends(left: str, right: str):
    left = left.removesuffix("(含)")  # 1万(含)-5万元: both ends are in the range anyway
    r = _single(right)
    rm = _FIGURE_FULL.fullmatch(right)
    lm = _FIGURE_FULL.fullmatch(left)
    candidates = []
    if lm is not None and not lm.group("unit") and rm is not None:
        tail_unit = rm.group("unit") or ""
        written = rm.group("num") + rm.group("mult")
        bigs = re.search(r"[万亿]*$", written).group(0)
        head = written[: len(written) - len(bigs)]
        small = re.fullmatch(rf"[{''.join(_CN_DIGITS)}1-9]([{''.join(_CN_SMALL)}])", head)
        lone = re.fullmatch(rf"[{''.join(_CN_DIGITS)}1-9]", lm.group("num")) and not lm.group("mult")
        if small and lone:
            if bigs:
                raise _Ambiguous("a range whose left end could take 百/千 or not (八到九百亿)")
            candidates.append(left + small.group(1) + tail_unit)
        elif bigs and not re.search("[万亿]", lm.group("num") + lm.group("mult")):
            candidates.append(left + bigs + tail_unit)
        if tail_unit == "%" or not (small and lone):
            candidates.append(left + tail_unit)
    candidates.append(left)
    for cand in candidates:
        try:
            lo = _single(cand)
        except _Refuse:
            continue
        if (lo[1], lo[2]) != (r[1], r[2]) or lo[3] != "exact" or r[3] != "exact":
            continue
        if lo[0] <= r[0]:
            a, b = lo[0], r[0]
            return ((a + b) / 2, r[1], r[2], "range", a, b)
    raise _Refuse("not a range")


def scale_decimal(number: np.ndarray, digits: Any, scale: Any) -> np.ndarray:
    """``number * scale`` rounded to the decimals the exact product has, so 4.03万 is 40300, not
    40300.000000000004.

    ``digits`` is the number of decimals written (array or scalar); ``scale`` a power of ten (other
    scales, such as 亩, are applied as they are).

    Examples
    --------
    >>> scale_decimal(np.array([4.03, 147.58]), 2, 1e4)
    array([  40300., 1475800.])
    """
    scale = np.broadcast_to(np.asarray(scale, dtype=float), np.shape(number))
    product = number * scale
    with np.errstate(divide="ignore"):
        k = np.log10(scale)
    power = np.isfinite(k) & (np.abs(k - np.round(k)) < 1e-9)
    places = np.maximum(np.asarray(digits) - np.round(np.where(power, k, 0)), 0).astype(int)
    tens = 10.0**places
    exact = np.round(product * tens) / tens
    return np.where(power & (places < 16), exact, product)


# The vectorised pass: Arabic numbers only, the same grammar as _FIGURE otherwise (RE2 is linear).
# (Words with brackets and thousands commas in the pattern cost RE2 its fast automaton: commas are
# checked and removed first, and the rare (含) words go to the slow path.)
_FAST_PRE = _alt(w for w in _QUAL_PREFIX if w != "人民币")
_FAST_SUF = _alt(w for w in _QUAL_SUFFIX if w != "人民币" and "(" not in w)
_BAD_COMMA = r"(?:^|[^0-9]),|,(?:[^0-9]|$)|,[0-9]{0,2}(?:[^0-9]|$)|,[0-9]{4}|[0-9]{4},|\.[0-9]*,"
_FAST = (
    rf"^(?P<pre>{_FAST_PRE})?(?P<num>[-+]?[0-9]+(?:\.[0-9]+)?)"
    rf"(?P<inf1>[余多])?(?P<mult>[十百千]?[万亿]*)(?P<inf2>[余多])?(?P<unit>{_UNIT_RE})?(?P<suf>{_FAST_SUF})?$"
)
_FAST_SPACE = r"[\s\x{200b}\x{200c}\x{200d}\x{2060}\x{feff}]"


def _parse_text_cells(cells, positions, value, unit, kind, qual, low, high, error) -> None:
    import pyarrow as pa
    import pyarrow.compute as pc

    arr = pa.array(cells, type=pa.string(), from_pandas=True)
    # as parse_quantity: text over 10 * MAX_LENGTH characters is refused before it is normalised
    short = pc.fill_null(pc.less_equal(pc.utf8_length(arr), 10 * MAX_LENGTH), False)
    arr = pc.utf8_normalize(arr, form="NFKC")
    arr = pc.replace_substring_regex(arr, pattern=_FAST_SPACE, replacement="")
    blank = pc.fill_null(pc.equal(arr, ""), True).to_numpy(zero_copy_only=False)
    ok = pc.fill_null(pc.less_equal(pc.utf8_length(arr), MAX_LENGTH), False).to_numpy(zero_copy_only=False)
    ok &= short.to_numpy(zero_copy_only=False)
    if pc.any(pc.match_substring(arr, ",")).as_py():
        bad_comma = pc.fill_null(pc.match_substring_regex(arr, _BAD_COMMA), False)
        ok &= ~bad_comma.to_numpy(zero_copy_only=False)
        arr = pc.replace_substring(arr, ",", "")
    got = pc.extract_regex(arr, pattern=_FAST)
    matched = pc.is_valid(got).to_numpy(zero_copy_only=False) & ok & ~blank
    fast = np.flatnonzero(matched)
    if fast.size:
        got = got.take(pa.array(fast))
        num_text = got.field("num")
        num = pc.cast(num_text, pa.float64()).to_numpy(zero_copy_only=False)
        dot = pc.find_substring(num_text, ".").to_numpy(zero_copy_only=False)
        length = pc.utf8_length(num_text).to_numpy(zero_copy_only=False)
        digits = np.where(dot >= 0, length - dot - 1, 0)
        # the word fields take few distinct values: work on their dictionary codes
        words = {k: _codes(got.field(k)) for k in ("pre", "inf1", "mult", "inf2", "unit", "suf")}
        mult_codes, mult_words = words["mult"]
        mult = np.array([math.prod(_MULT[c] for c in m) for m in mult_words])[mult_codes]
        unit_codes, unit_words = words["unit"]
        spec = [_UNITS.get(w, ("number", "", 1.0)) for w in unit_words]
        factor = np.array([f for _, _, f in spec])[unit_codes]
        mu = np.array([w == "亩" for w in unit_words])[unit_codes]  # 10000/15 m²: one rounding, as 亩 is
        with np.errstate(over="ignore", invalid="ignore"):
            v = scale_decimal(num, digits, mult * np.where(mu, 1.0, factor))
            v = np.where(mu, v * 10000.0 / 15.0, v)
        key = np.zeros(fast.size, dtype=np.int64)
        for k in ("pre", "inf1", "inf2", "suf"):
            key = key * (len(words[k][1]) + 1) + words[k][0]
        key_codes, _ = pd.factorize(key)
        firsts = np.unique(key_codes, return_index=True)[1]  # one row per distinct combination
        q_table = np.array([_fast_qualifier(words, i) for i in firsts], dtype=object)
        q = q_table[key_codes]
        year = np.array([w == "年" for w in unit_words])[unit_codes] & (num >= 1000)
        # conflicting qualifiers, non-finite values and 4-digit numbers of 年 (years: dates) go to the
        # slow path, which says why it refuses them
        ok = (q != None) & ~year & np.isfinite(v) & ((v != 0) | (num == 0))  # noqa: E711
        lo, hi = v.copy(), v.copy()
        lo[np.isin(q, ["under", "nearly", "at_most", "about"])] = np.nan
        hi[np.isin(q, ["over", "at_least", "about"])] = np.nan
        sel = positions[fast[ok]]
        value[sel], low[sel], high[sel] = v[ok], lo[ok], hi[ok]
        unit[sel] = np.array([u for _, u, _ in spec], dtype=object)[unit_codes[ok]]
        kind[sel] = np.array([k for k, _, _ in spec], dtype=object)[unit_codes[ok]]
        qual[sel] = q[ok]
        matched[fast[~ok]] = False
    # everything else, once per distinct text
    rest = np.flatnonzero(~matched & ~blank)
    if rest.size:
        texts = cells[rest]
        codes, uniques = pd.factorize(texts)
        parsed = []
        for t in uniques:
            try:
                parsed.append(parse_quantity(t))
            except ValueError as exc:
                parsed.append(str(exc))
        for code, pos in zip(codes, positions[rest], strict=True):
            item = parsed[code]
            if isinstance(item, str):
                error[pos] = item
            else:
                value[pos], unit[pos], kind[pos], qual[pos] = item.value, item.unit, item.kind, item.qualifier
                low[pos], high[pos] = item.low, item.high


def _fast_qualifier(words, i) -> str | None:
    try:
        return _qualifier(
            (words["pre"][1][words["pre"][0][i]], _QUAL_PREFIX),
            (words["inf1"][1][words["inf1"][0][i]], _QUAL_INFIX),
            (words["inf2"][1][words["inf2"][0][i]], _QUAL_INFIX),
            (words["suf"][1][words["suf"][0][i]], _QUAL_SUFFIX),
        )
    except _Refuse:
        return None


def _codes(field) -> tuple[np.ndarray, list[str]]:
    """Dictionary codes of an Arrow string field (nulls as '') and its distinct words."""
    import pyarrow.compute as pc

    encoded = pc.dictionary_encode(pc.fill_null(field, ""))
    if hasattr(encoded, "combine_chunks"):
        encoded = encoded.combine_chunks()
    return encoded.indices.to_numpy(zero_copy_only=False), encoded.dictionary.to_pylist()


def _frame(index, value, unit, kind, qual, low, high, error, errors) -> pd.DataFrame:
    bad = np.flatnonzero(error != None)  # noqa: E711
    if bad.size and errors == "raise":
        labels = index[bad]
        listed = "; ".join(f"[{lab}] {error[i]}" for lab, i in zip(labels[:20], bad[:20], strict=False))
        more = f" (and {bad.size - 20} more)" if bad.size > 20 else ""
        raise InputError(f"{bad.size} cell(s) are not quantities: {listed}{more}")
    frame = pd.DataFrame(
        {
            "value": value,
            "unit": pd.array(unit, dtype="string"),
            "kind": pd.array(kind, dtype="string"),
            "qualifier": pd.array(qual, dtype="string"),
            "low": low,
            "high": high,
        },
        index=index,
    )
    if errors == "coerce":
        frame["error"] = pd.array(error, dtype="string")
    return frame


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
        # 一批, 两报告: a single numeral counts only with a strong measure word
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
