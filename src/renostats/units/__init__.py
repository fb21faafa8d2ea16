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

The package holds the public functions; private modules hold the rest, each importing only the ones
before it: ``_tables`` (numerals, multipliers, units, qualifier and sign words), ``_numerals`` (a
numeral to one exact number), ``_grammar`` (the patterns and the reading of one figure, which
:func:`parse_quantity` wraps), ``_fast`` (the vectorised path of :func:`parse_quantities`, and
:func:`scale_decimal`) and ``_prose`` (the scanner behind :func:`extract_figures`).
"""

from __future__ import annotations

import math
import re
from decimal import Decimal
from typing import Any

import numpy as np
import pandas as pd

from renostats._validate import number, one_of
from renostats.errors import InputError
from renostats.units._fast import _parse_text_cells, scale_decimal
from renostats.units._grammar import _RUN_CHARS, Quantity, _normalise, _read, _Refuse, _shown
from renostats.units._numerals import _format_int, _numeral
from renostats.units._prose import _PROSE, _is_word_numeral, _normalise_in_place
from renostats.units._tables import _CN_CHARS, COLUMNS, KINDS, MAX_LENGTH, QUALIFIERS

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
    return _read(text)


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
