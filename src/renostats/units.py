"""Quantities as Chinese ledgers and press releases write them.

A figure such as ``960余万户`` carries a number (960), a multiplier (万), a qualifier (余: "more than"),
and a measure word (户). :func:`parse_quantity` turns such text into a :class:`Quantity` in base units
(money in yuan, area in m², length in m, percentages as fractions) with the bound its qualifier
implies; :func:`parse_quantities` does the same for a whole ledger column without a Python loop over
rows in the common cases; :func:`extract_figures` finds every figure in a paragraph of prose.

The vocabulary (DESIGN.md) is shared by every module:

``kind``
    money, area, length, count (``unit`` keeps the measure word), percent, duration, energy (kWh),
    number (bare).
``qualifier``
    exact; over (余, 多, 超过, 逾, 以上); under (不足, 不到, 以下); nearly (近, 将近, 接近);
    about (约, 左右); at_least (至少, 不少于); at_most (最多, 不超过, 以内); range (``3至5年``: ``low``
    and ``high`` are the ends and ``value`` their midpoint).
``low``, ``high``
    The bound the qualifier implies: both equal ``value`` when exact, ``low`` for over/at_least,
    ``high`` for under/nearly/at_most, neither for about.

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
"""

from __future__ import annotations

import math
import re
import unicodedata
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

__all__ = [
    "KINDS",
    "QUALIFIERS",
    "Quantity",
    "chinese_number",
    "extract_figures",
    "parse_quantities",
    "parse_quantity",
    "scale_decimal",
]

KINDS = ("money", "area", "length", "count", "percent", "duration", "energy", "number", "date")
QUALIFIERS = ("exact", "over", "under", "nearly", "about", "at_least", "at_most", "range")
COLUMNS = ["value", "unit", "kind", "qualifier", "low", "high"]


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
    "kwh": ("energy", "kWh", 1.0),
    "kWh": ("energy", "kWh", 1.0),
    "度": ("energy", "kWh", 1.0),
    # percent
    "%": ("percent", "%", 0.01),
    "‰": ("percent", "%", 0.001),
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
    "最多": "at_most",
    "至多": "at_most",
    "不少于": "at_least",
    "不低于": "at_least",
    "至少": "at_least",
    "超过": "over",
    "多于": "over",
    "高于": "over",
    "逾": "over",
    "超": "over",
    "不足": "under",
    "不到": "under",
    "少于": "under",
    "低于": "under",
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
}
_QUAL_SUFFIX = {
    "以上": "over",
    "之多": "over",
    "有余": "over",
    "多": "over",
    "余": "over",
    "以下": "under",
    "以内": "at_most",
    "左右": "about",
    "上下": "about",
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


def _alt(words) -> str:
    return "|".join(re.escape(w) for w in sorted(words, key=len, reverse=True))


_UNIT_RE = _alt(_UNITS)
_PRE_RE = _alt(_QUAL_PREFIX)
_SUF_RE = _alt(_QUAL_SUFFIX)
_ARABIC = r"[-+]?(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?"
_CN_NUM = f"[{_CN_CHARS}]+"

# One figure: [prefix] number [余/多] [multipliers] [余/多] [unit] [suffix]
_FIGURE = (
    rf"(?P<pre>{_PRE_RE})?"
    rf"(?P<num>{_ARABIC}|{_CN_NUM})"
    r"(?P<inf1>[余多来])?"
    r"(?P<mult>[十百千万亿]*)"
    r"(?P<inf2>[余多])?"
    rf"(?P<unit>{_UNIT_RE})?"
    rf"(?P<suf>{_SUF_RE})?"
)
_FIGURE_FULL = re.compile(rf"^{_FIGURE}$")
_PERCENT_WORDS = re.compile(rf"^(?P<pre>{_PRE_RE})?百分之(?P<num>{_ARABIC}|{_CN_NUM})(?P<suf>{_SUF_RE})?$")
_CHENG = re.compile(
    rf"^(?P<pre>{_PRE_RE})?(?P<num>[{''.join(_CN_DIGITS)}十\d])成(?P<frac>[{''.join(_CN_DIGITS)}\d])?"
    rf"(?P<suf>{_SUF_RE})?$"
)
_RANGE = re.compile(r"^(?P<a>.+?)(?:至|到|~|—|–|-)(?P<b>[^-~至到].*)$")
_DATE = re.compile(
    r"^(?:\d{4}年(?:\d{1,2}月(?:\d{1,2}[日号])?)?|\d{1,2}月\d{1,2}[日号]|\d{1,2}月[底初中]旬?)$"
)
_SPACE = re.compile(r"[\s,]")


# --------------------------------------------------------------------------------------------------
# Public functions


def parse_quantity(text: Any) -> Quantity:
    """Parse one figure written the way Chinese ledgers and press releases write it.

    Parameters
    ----------
    text : str or number
        For example ``"3千万元"``, ``"2.5万亿元"``, ``"三十余万元"``, ``"97.5%"``, ``"四成"``,
        ``"超过1万人"``, ``"近10家"``, ``"3至5年"``, ``"１２栋"``, ``"1,234.5"``. A number passes through
        as kind ``number``.

    Returns
    -------
    Quantity
        ``value`` in base units: yuan, m², m, a fraction for percentages; counts keep their measure word
        in ``unit``; durations keep 年/月/周/天/工作日/小时.

    Raises
    ------
    ValueError
        When the text is empty, is a date, or is not a figure; the message says which.

    Examples
    --------
    >>> parse_quantity("三千零五十").value
    3050.0
    >>> parse_quantity("超过1万人")  # doctest: +NORMALIZE_WHITESPACE
    Quantity(value=10000.0, unit='人', kind='count', qualifier='over', low=10000.0, high=nan,
             text='超过1万人')
    >>> parse_quantity("近10家").qualifier, parse_quantity("近10家").high
    ('nearly', 10.0)
    >>> parse_quantity("四成").value
    0.4
    >>> parse_quantity("4月18日")
    Traceback (most recent call last):
    ...
    ValueError: '4月18日' is a date, not a quantity
    """
    if isinstance(text, bool):
        raise ValueError(f"{text!r} is a truth value, not a quantity")
    if isinstance(text, int | float | np.integer | np.floating):
        if isinstance(text, float | np.floating) and math.isnan(text):
            raise ValueError("empty cell: no quantity")
        v = float(text)
        return Quantity(v, "", "number", "exact", v, v, str(text))
    original = str(text)
    clean = _normalise(original)
    if not clean:
        raise ValueError("empty cell: no quantity")
    if _DATE.match(clean):
        raise ValueError(f"{original!r} is a date, not a quantity")
    parsed = _parse_single(clean)
    if parsed is None:
        parsed = _parse_range(clean)
    if parsed is None:
        raise ValueError(_why(original, clean))
    value, unit, kind, qualifier, low, high = parsed
    return Quantity(value, unit, kind, qualifier, low, high, original)


def parse_quantities(values: pd.Series | Any, errors: str = "raise") -> pd.DataFrame:
    """Parse a column of ledger cells into a DataFrame aligned to its index.

    Parameters
    ----------
    values : Series or array-like
        Cells as text or numbers. Numbers pass through as kind ``number``; missing or blank cells stay
        missing.
    errors : {"raise", "coerce"}
        ``raise``: a ValueError naming every unparseable cell (index label and text). ``coerce``: those
        cells get missing values and the message goes to an extra ``error`` column.

    Returns
    -------
    DataFrame
        Columns value, unit, kind, qualifier, low, high (and error with ``errors="coerce"``).

    Notes
    -----
    Plain Arabic figures with optional multiplier, measure word or unit, percent sign and qualifier
    words (``12栋``, ``3.4万``, ``97.5%``, ``1,234``, ``60000余个``) are parsed in one vectorised pass
    (pyarrow's regular expressions); only the remaining distinct texts (Chinese numerals, ranges,
    百分之…, 成) go through :func:`parse_quantity` once each.

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
    if errors not in ("raise", "coerce"):
        raise ValueError(f"errors must be 'raise' or 'coerce', got {errors!r}")
    series = values if isinstance(values, pd.Series) else pd.Series(values)
    n = len(series)
    value = np.full(n, np.nan)
    low = np.full(n, np.nan)
    high = np.full(n, np.nan)
    unit = np.full(n, None, dtype=object)
    kind = np.full(n, None, dtype=object)
    qual = np.full(n, None, dtype=object)
    error = np.full(n, None, dtype=object)

    if pd.api.types.is_numeric_dtype(series.dtype) and not pd.api.types.is_bool_dtype(series.dtype):
        numbers = series.to_numpy(dtype=float, na_value=np.nan)
        present = ~np.isnan(numbers)
        value[present] = low[present] = high[present] = numbers[present]
        unit[present], kind[present], qual[present] = "", "number", "exact"
        return _frame(series.index, value, unit, kind, qual, low, high, error, errors)

    obj = series.to_numpy(dtype=object, na_value=None)
    if pd.api.types.infer_dtype(obj, skipna=True) in ("string", "empty"):
        # all text (or missing): one pass over the whole column, nulls count as blank
        _parse_text_cells(obj, np.arange(n), value, unit, kind, qual, low, high, error)
        return _frame(series.index, value, unit, kind, qual, low, high, error, errors)
    is_num = np.fromiter(
        (isinstance(v, int | float | np.integer | np.floating) and not isinstance(v, bool) for v in obj),
        dtype=bool,
        count=n,
    )
    if is_num.any():
        numbers = obj[is_num].astype(float)
        idx = np.flatnonzero(is_num)[~np.isnan(numbers)]
        numbers = numbers[~np.isnan(numbers)]
        value[idx] = low[idx] = high[idx] = numbers
        unit[idx], kind[idx], qual[idx] = "", "number", "exact"
    is_text = np.fromiter((isinstance(v, str) for v in obj), dtype=bool, count=n)
    other = ~is_num & ~is_text & pd.notna(pd.Series(obj)).to_numpy()
    for i in np.flatnonzero(other):
        error[i] = f"{obj[i]!r} is not a quantity"

    if is_text.any():
        text_idx = np.flatnonzero(is_text)
        _parse_text_cells(obj[text_idx], text_idx, value, unit, kind, qual, low, high, error)
    return _frame(series.index, value, unit, kind, qual, low, high, error, errors)


def chinese_number(text: str) -> float:
    """Value of a number written in Chinese numerals: ``十九`` 19, ``三千零五十`` 3050, ``三点五`` 3.5.

    Examples
    --------
    >>> chinese_number("两万三千"), chinese_number("一亿二千万"), chinese_number("三点五")
    (23000.0, 120000000.0, 3.5)
    """
    if not text or any(c not in _CN_CHARS for c in text):
        raise ValueError(f"{text!r} is not a number in Chinese numerals")
    if "点" in text:
        whole, _, frac = text.partition("点")
        tail = frac.lstrip("".join(_CN_DIGITS))  # 三点五万: the multiplier after the decimals
        frac = frac[: len(frac) - len(tail)]
        if not frac or any(c not in _MULT for c in tail):
            raise ValueError(f"{text!r}: the digits after 点 must be plain numerals")
        decimals = "".join(str(_CN_DIGITS[c]) for c in frac)
        value = (chinese_number(whole) if whole else 0.0) + float(f"0.{decimals}")
        scale = math.prod(_MULT[c] for c in tail)
        return float(scale_decimal(np.array([value]), np.array([len(frac)]), scale)[0])
    if all(c in _CN_DIGITS for c in text) and len(text) > 1:
        return float("".join(str(_CN_DIGITS[c]) for c in text))  # 二〇二〇 read digit by digit
    total, section, digit = 0, 0, None
    for c in text:
        if c in _CN_DIGITS:
            digit = _CN_DIGITS[c]
        elif c in _CN_SMALL:
            section += (1 if digit is None else digit) * _CN_SMALL[c]
            digit = None
        else:  # 万 or 亿 closes a section
            big = _CN_BIG[c]
            section += digit or 0
            if big == 1e8:
                total = (total + section) * big
            else:
                total += section * big
            section, digit = 0, None
    return float(total + section + (digit or 0))


def extract_figures(text: str, context: int = 12) -> pd.DataFrame:
    """Every figure in a paragraph of Chinese prose, with its kind, qualifier, span and context.

    Dates (``4月18日``, ``6月底``, ``2020年``) come out with kind ``date`` and the date written in
    ``unit`` (value missing); ordinals (``第51个``) are left out, as are lone numerals that are part of
    words (一批, 一道).

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
    rows = []
    for match in _PROSE.finditer(text):
        start, end = match.span()
        surface = match.group(0)
        if start > 0 and text[start - 1] == "第":
            continue  # ordinal
        if match.group("date"):
            rows.append((np.nan, surface, "date", "exact", np.nan, np.nan, start, end))
            continue
        if _is_word_numeral(match, text):
            continue
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


def _normalise(text: str) -> str:
    """Full-width forms to ASCII (NFKC: １２ -> 12, ％ -> %, ㎡ -> m2), no spaces or thousands commas."""
    return _SPACE.sub("", unicodedata.normalize("NFKC", text))


def _number(num: str) -> float:
    if num[0] in _CN_CHARS:
        return chinese_number(num)
    return float(num)


def _qualifier(*parts: tuple[str | None, dict[str, str]]) -> str | None:
    """The one qualifier named by the parts, or None if they disagree."""
    found = {table[p] for p, table in parts if p}
    found.discard("exact")
    if len(found) > 1:
        return None
    return found.pop() if found else "exact"


def _decimals(num: str) -> int:
    """Decimal places written in an Arabic number (0 for Chinese numerals other than 点)."""
    if "." in num:
        return len(num) - num.index(".") - 1
    if "点" in num:
        return len(num) - num.index("点") - 1
    return 0


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


def _bounds(value: float, qualifier: str) -> tuple[float, float]:
    if qualifier == "exact":
        return value, value
    if qualifier in ("over", "at_least"):
        return value, math.nan
    if qualifier in ("under", "nearly", "at_most"):
        return math.nan, value
    return math.nan, math.nan


def _parse_single(clean: str):
    m = _FIGURE_FULL.match(clean)
    if m:
        num = m.group("num")
        try:
            value = _number(num)
        except ValueError:
            return None
        scale = math.prod(_MULT[c] for c in m.group("mult"))
        qualifier = _qualifier(
            (m.group("pre"), _QUAL_PREFIX),
            (m.group("inf1"), _QUAL_INFIX),
            (m.group("inf2"), _QUAL_INFIX),
            (m.group("suf"), _QUAL_SUFFIX),
        )
        if qualifier is None:
            return None
        kind, unit, factor = _UNITS.get(m.group("unit") or "", ("number", "", 1.0))
        value = float(scale_decimal(np.array([value]), np.array([_decimals(num)]), scale * factor)[0])
        return (value, unit, kind, qualifier, *_bounds(value, qualifier))
    for pattern, scale in ((_PERCENT_WORDS, 0.01), (_CHENG, 0.1)):
        m = pattern.match(clean)
        if m:
            try:
                value = _number(m.group("num"))
                frac = m.groupdict().get("frac")
                if frac:
                    value += _number(frac) / 10
            except ValueError:
                return None
            digits = _decimals(m.group("num")) + (1 if m.groupdict().get("frac") else 0)
            value = float(scale_decimal(np.array([value]), np.array([digits]), scale)[0])
            qualifier = _qualifier((m.group("pre"), _QUAL_PREFIX), (m.group("suf"), _QUAL_SUFFIX))
            if qualifier is None:
                return None
            return (value, "%", "percent", qualifier, *_bounds(value, qualifier))
    return None


def _parse_range(clean: str):
    m = _RANGE.match(clean)
    if not m:
        return None
    right = _parse_single(m.group("b"))
    if right is None:
        return None
    a_text = m.group("a")
    left = _parse_single(a_text)
    if left is None:
        return None
    b_match = _FIGURE_FULL.match(m.group("b"))
    tail_mult = b_match.group("mult") if b_match else ""
    tail_unit = b_match.group("unit") or "" if b_match else ""
    a_match = _FIGURE_FULL.match(a_text)
    # 10-15万元: the left end takes the multiplier and unit written once on the right
    if a_match and not a_match.group("unit"):
        a_text2 = a_text + ("" if a_match.group("mult") else tail_mult) + tail_unit
        if right[2] == "percent" and clean.endswith("%"):
            a_text2 = a_text + "%"
        left = _parse_single(a_text2) or left
    if left[2] != right[2] or left[1] != right[1]:
        return None
    lo, hi = left[0], right[0]
    if lo > hi:
        return None
    return ((lo + hi) / 2, right[1], right[2], "range", lo, hi)


def _why(original: str, clean: str) -> str:
    if not re.search(rf"\d|[{_CN_CHARS}]", clean):
        return f"{original!r} has no number in it"
    m = re.match(rf"^(?:{_PRE_RE})?(?:{_ARABIC}|{_CN_NUM})[余多]?[十百千万亿]*[余多]?(?P<rest>.*)$", clean)
    if m and m.group("rest"):
        return f"{original!r}: unknown unit or words {m.group('rest')!r} after the number"
    return f"{original!r} is not a figure renostats can read (number, multiplier, unit, qualifier)"


# The vectorised pass: Arabic numbers only, the same grammar as _FIGURE otherwise.
_FAST = (
    rf"^(?P<pre>{_PRE_RE})?(?P<num>[-+]?[0-9]+(?:\.[0-9]+)?)(?P<inf1>[余多])?(?P<mult>[十百千万亿]*)"
    rf"(?P<inf2>[余多])?(?P<unit>{_UNIT_RE})?(?P<suf>{_SUF_RE})?$"
)


def _parse_text_cells(cells, positions, value, unit, kind, qual, low, high, error) -> None:
    import pyarrow as pa
    import pyarrow.compute as pc

    arr = pa.array(cells, type=pa.string(), from_pandas=True)
    arr = pc.utf8_normalize(arr, form="NFKC")
    arr = pc.replace_substring_regex(arr, pattern=r"[\s,]", replacement="")
    blank = pc.fill_null(pc.equal(arr, ""), True).to_numpy(zero_copy_only=False)
    got = pc.extract_regex(arr, pattern=_FAST)
    matched = pc.is_valid(got).to_numpy(zero_copy_only=False) & ~blank
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
        v = scale_decimal(num, digits, mult * factor)
        key = np.zeros(fast.size, dtype=np.int64)
        for k in ("pre", "inf1", "inf2", "suf"):
            key = key * (len(words[k][1]) + 1) + words[k][0]
        key_codes, _ = pd.factorize(key)
        firsts = np.unique(key_codes, return_index=True)[1]  # one row per distinct combination
        q_table = np.array(
            [
                _qualifier(
                    (words["pre"][1][words["pre"][0][i]], _QUAL_PREFIX),
                    (words["inf1"][1][words["inf1"][0][i]], _QUAL_INFIX),
                    (words["inf2"][1][words["inf2"][0][i]], _QUAL_INFIX),
                    (words["suf"][1][words["suf"][0][i]], _QUAL_SUFFIX),
                )
                for i in firsts
            ],
            dtype=object,
        )
        q = q_table[key_codes]
        year = np.array([w == "年" for w in unit_words])[unit_codes] & (num >= 1000)
        # disagreeing qualifiers, and 4-digit numbers of 年 (years: dates), go to the slow path
        ok = (q != None) & ~year  # noqa: E711  (elementwise on an object array)
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
        raise ValueError(f"{bad.size} cell(s) are not quantities: {listed}{more}")
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


# Prose: dates first (so 4月18日 is not a count), then figures.
_PROSE = re.compile(
    r"(?P<date>\d{4}年(?:\d{1,2}月(?:\d{1,2}[日号])?)?|\d{1,2}月(?:\d{1,2}[日号]|[底初]|[上中下]旬)?)"
    rf"|(?:(?P<pct>百分之(?:{_ARABIC}|{_CN_NUM}))|{_FIGURE.replace('(?P<', '(?P<f_')})"
)


def _is_word_numeral(match: re.Match, text: str) -> bool:
    """Lone Chinese numerals inside words (一批, 一道, 三统一) are not figures."""
    num = match.group("f_num")
    if not num or num[0] not in _CN_CHARS:
        return False
    unit = match.group("f_unit")
    if (
        num == "一"
        and not match.group("f_mult")
        and _UNITS.get(unit or "", ("",))[0]
        not in (
            "money",
            "area",
            "length",
        )
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
