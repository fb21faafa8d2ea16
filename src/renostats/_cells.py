"""Turning one ledger cell into a value of its column: quantities, dates, yes/no, grades, report times.

A cell that states its own unit replaces the header's; a 是/否 answer in a share column is 1 or 0; a date
needs its year; 在建 in a date column means "leave it blank". Reading layer: a private helper behind
:mod:`renostats.ledger`, importing nothing from it.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from typing import Any

import numpy as np
import pandas as pd

from renostats.schemas import (
    Column,
)
from renostats.units import parse_quantities, scale_decimal

_TRUE = {"是", "有", "需要", "已复工", "复工", "y", "yes", "true", "1", "√", "✓", "是的"}
_FALSE = {"否", "无", "不需要", "未复工", "停工", "n", "no", "false", "0", "×", "✗", "不是"}
_TIME_WORDS = {"上午": "09:00", "早上": "08:00", "中午": "12:00", "下午": "15:00", "晚上": "20:00"}


class _Formula(str):
    """A cell holding a formula whose result was never saved (files written by scripts)."""


class _Percent(float):
    """A number shown as a percentage in Excel (stores 0.85, shows 85%)."""

    def __str__(self) -> str:
        return f"{float(self) * 100:.12g}%"


def _cell_text(value: Any) -> str:
    if value is None or (isinstance(value, float) and np.isnan(value)):
        return ""
    return unicodedata.normalize("NFKC", str(value)).strip()


def _plain(value: Any) -> Any:
    if isinstance(value, np.generic):
        return value.item()
    if value is pd.NA or value is pd.NaT:
        return None
    return value


def _convert(
    raw: pd.DataFrame, rows: np.ndarray, schema, mapping, units, where: Any, required, formats_known
):
    data = {}
    problems: list = []
    for name in raw.columns:
        col = schema.column(name)
        header = mapping[name][1]
        # formulas without a saved value are reported once, by _formulas
        cells = pd.Series([None if isinstance(v, _Formula) else v for v in raw[name]], dtype=object)
        scale = units.get(name, (1.0, "", "", 1.0))
        if col.type == "share" and name in units and not formats_known:
            # an .xls file keeps no number formats: a stored 0.85 may be shown as 85%, so under a
            # (%) header it is refused rather than read as 0.85%
            for i, v in enumerate(cells):
                if isinstance(v, int | float) and not isinstance(v, bool) and 0 < v < 1:
                    problems.append(
                        where.problem(
                            rows[i],
                            header,
                            v,
                            "a percentage written out (85 or 85%): in an .xls file a fraction under a "
                            "(%) header may be a cell shown as a percentage; or save the file as .xlsx",
                        )
                    )
                    cells[i] = None
        values, bad = _CONVERTERS[col.type](cells, col, scale[0], scale[3])
        data[name] = values
        for i, expected in bad:
            problems.append(where.problem(rows[i], header, _shown(raw[name].iloc[i]), expected))
        if name in required:
            missing = np.flatnonzero(cells.map(lambda v: _cell_text(v) == "").to_numpy(dtype=bool))
            for i in missing:
                problems.append(where.problem(rows[i], header, None, f"a value ({col.name} is needed)"))
    return pd.DataFrame(data, index=pd.RangeIndex(len(raw))), problems


def _shown(value: Any) -> Any:
    """A cell as the user sees it: a percent-formatted number as 85%, numpy scalars as Python."""
    if isinstance(value, _Percent):
        return str(value)
    return _plain(value)


#: Characters that print as nothing (zero-width space, joiners, soft hyphen, BOM): they make two
#: names that look the same compare as different.
_INVISIBLE = re.compile("[\u00ad\u200b-\u200f\u2028-\u202e\u2060-\u2064\ufeff]")


def _to_text(cells: pd.Series, col: Column, factor: float, unit_only: float):
    def one(v):
        if v is None or (isinstance(v, float) and np.isnan(v)):
            return None
        if isinstance(v, float) and v.is_integer() and not isinstance(v, _Percent):
            v = int(v)
        text = _INVISIBLE.sub("", str(v)).strip()
        return text or None

    return pd.array([one(v) for v in cells], dtype="string"), []


def _expected_quantity(col: Column) -> str:
    if col.type == "share":
        return "a share between 0 and 1 (0.85, 85%, 八成五; or declare (%) in the header)"
    examples = {
        "money": "an amount of money (1200000, 120万, 120万元)",
        "area": "an area (3400, 3400平方米, 0.34万)",
        "count": "a count (12, 12栋)",
        "energy": "electricity (350, 350千瓦时, 350度)",
        "number": "a number",
    }
    return examples.get(col.kind or "number", "a number")


def _to_quantity(cells: pd.Series, col: Column, factor: float, unit_only: float):
    # element by element: Series.map would turn the _Percent marks into plain floats
    # a 是/否 answer in a share column is 1 or 0 already, as a cell Excel shows as 85% is 0.85: neither
    # is scaled by a (%) in the header
    answers = [_yes_no_share(v) if col.type == "share" else v for v in cells]
    percent = np.array(
        [
            isinstance(v, _Percent) or (a is not v and isinstance(a, float))
            for v, a in zip(cells, answers, strict=True)
        ],
        dtype=bool,
    )
    own = np.array([_states_multiplier(v) for v in cells], dtype=bool)
    shares = [float(a) for a, p in zip(answers, percent, strict=True) if p]
    cells = pd.Series([None if p else v for v, p in zip(cells, percent, strict=True)], dtype=object)
    if col.name in ("built_year", "planned_year"):
        cells = cells.map(_year_cell)
    parsed = parse_quantities(cells, errors="coerce")
    value = parsed["value"].to_numpy(dtype=float, copy=True)
    kind = parsed["kind"].to_numpy(dtype=object, na_value=None)
    # a cell Excel shows as 85% stores 0.85: a fraction already, whatever the header says
    value[percent] = shares
    kind[percent] = "percent"
    bad = []
    expected = _expected_quantity(col)
    for i in np.flatnonzero(parsed["error"].notna().to_numpy() & ~percent):
        bad.append((i, expected))
    plain = kind == "number"
    # a unit declared in the header scales plain numbers (ledgers write at most a few decimals); a
    # cell that writes its own multiplier (0.6万 under 万平方米) replaces the header's multiplier
    value[plain & ~own] = scale_decimal(value[plain & ~own], 9, factor)
    value[plain & own] = scale_decimal(value[plain & own], 9, unit_only)
    wanted = "percent" if col.type == "share" else col.kind
    mismatch = np.flatnonzero((kind != None) & ~plain & (kind != wanted))  # noqa: E711
    for i in mismatch:
        bad.append((i, f"{expected}, not {_KIND_WORDS.get(kind[i], kind[i])}"))
        value[i] = np.nan
    for i, _ in bad:
        value[i] = np.nan
    if col.type == "int":
        fractional = np.flatnonzero(~np.isnan(value) & (value != np.round(value)))
        for i in fractional:
            bad.append((i, f"a whole number ({expected})"))
            value[i] = np.nan
        return pd.array(np.where(np.isnan(value), None, np.round(value)), dtype="Int64"), bad
    return value, bad


_KIND_WORDS = {"area": "an area", "money": "money", "percent": "a percentage", "count": "a count",
               "length": "a length", "duration": "a duration", "energy": "electricity", "date": "a date"}  # fmt: skip
_OWN_MULTIPLIER = re.compile(r"[万萬亿億]|\d\s*[十百千]")


def _states_multiplier(v: Any) -> bool:
    """True for text that writes its own multiplier: 0.6万, 1.2亿, 5千 (not 三百, a numeral)."""
    return isinstance(v, str) and bool(_OWN_MULTIPLIER.search(unicodedata.normalize("NFKC", v)))


def _yes_no_share(v: Any) -> Any:
    if isinstance(v, str):
        t = v.strip().lower()
        if t in _TRUE:
            return 1.0
        if t in _FALSE:
            return 0.0
    return v


def _year_cell(v: Any) -> Any:
    if isinstance(v, dt.date):
        return v.year
    if isinstance(v, str):
        m = re.fullmatch(r"\s*(\d{4})\s*(?:年度?|年代)?\s*", unicodedata.normalize("NFKC", v))
        if m:
            return int(m.group(1))
    return v


def _to_date(cells: pd.Series, col: Column, factor: float, unit_only: float):
    out, bad = [], []
    for i, v in enumerate(cells):
        try:
            out.append(_date(v))
        except ValueError:
            out.append(None)
            text = unicodedata.normalize("NFKC", str(v)).strip()
            if text in _UNDER_WAY:
                bad.append((i, f"a date; leave the cell blank while the works are under way ({text})"))
            elif _NO_YEAR.fullmatch(text):
                bad.append((i, "a date with its year (2020年3月9日, 2020-03-09); add the year"))
            else:
                bad.append((i, _DATE_FORMS))
    return pd.to_datetime(pd.Series(out, dtype=object)).astype("datetime64[ns]").to_numpy(), bad


_DATE_FORMS = "a date (2020-03-09, 2020/3/9, 2020.3.9, 2020年3月9日, 2020-04 or an Excel date)"
_UNDER_WAY = {"在建", "施工中", "未竣工", "未完工", "进行中", "正在施工", "未完成"}
_NO_YEAR = re.compile(r"\d{1,2}\s*[月/.-]\s*\d{1,2}\s*[日号]?(?:\s*(?:上午|下午))?")


def _date(v: Any) -> dt.datetime | None:
    if v is None or (isinstance(v, float) and np.isnan(v)):
        return None
    if isinstance(v, dt.datetime):
        return v.replace(hour=0, minute=0, second=0, microsecond=0)
    if isinstance(v, dt.date):
        return dt.datetime(v.year, v.month, v.day)
    if isinstance(v, int | float) and not isinstance(v, bool):
        if 20000 <= v <= 80000:  # an Excel serial date that lost its format in a CSV export
            return dt.datetime(1899, 12, 30) + dt.timedelta(days=int(v))
        if 19000101 <= v <= 21001231 and float(v).is_integer():
            return _date(str(int(v)))
        raise ValueError(v)
    text = unicodedata.normalize("NFKC", str(v)).strip()
    if not text:
        return None
    if re.fullmatch(r"\d{5}(?:\.\d+)?", text):  # a serial date as text in a CSV
        return _date(float(text))
    m = re.fullmatch(
        r"(\d{4})[-./年](\d{1,2})(?:[-./月](\d{1,2})[日号]?|月)?(?:\s+\d{1,2}:\d{2}(?::\d{2})?)?", text
    )
    if m is None:
        m = re.fullmatch(r"(\d{4})(\d{2})(\d{2})", text)
    if m is None:
        raise ValueError(text)
    year, month = int(m.group(1)), int(m.group(2))
    day = int(m.group(3)) if m.group(3) else 1
    return dt.datetime(year, month, day)


def _to_bool(cells: pd.Series, col: Column, factor: float, unit_only: float):
    out, bad = [], []
    for i, v in enumerate(cells):
        if v is None or (isinstance(v, float) and np.isnan(v)):
            out.append(None)
            continue
        if isinstance(v, bool):
            out.append(v)
            continue
        t = _cell_text(v).lower()
        if t.endswith(".0"):
            t = t[:-2]
        if t in _TRUE:
            out.append(True)
        elif t in _FALSE:
            out.append(False)
        else:
            out.append(None)
            bad.append((i, "yes or no (是/否, 1/0, √/×)"))
    return pd.array(out, dtype="boolean"), bad


def _to_grade(cells: pd.Series, col: Column, factor: float, unit_only: float):
    out, bad = [], []
    for i, v in enumerate(cells):
        t = _cell_text(v).upper()
        if not t:
            out.append(None)
            continue
        m = re.fullmatch(r"([ABCD])\s*级?(?:危房)?", t)
        if m:
            out.append(m.group(1))
        else:
            out.append(None)
            bad.append((i, "a grade A, B, C or D (C级, D级危房)"))
    return pd.array(out, dtype="string"), bad


def _to_time(cells: pd.Series, col: Column, factor: float, unit_only: float):
    out, bad = [], []
    for i, v in enumerate(cells):
        if v is None or (isinstance(v, float) and np.isnan(v)):
            out.append(None)
            continue
        if isinstance(v, dt.time | dt.datetime):
            out.append(f"{v.hour:02d}:{v.minute:02d}")
            continue
        t = _cell_text(v)
        m = re.fullmatch(r"(\d{1,2})[:时点](\d{2})?分?", t)
        if t in _TIME_WORDS:
            out.append(_TIME_WORDS[t])
        elif m and int(m.group(1)) < 24 and int(m.group(2) or 0) < 60:
            out.append(f"{int(m.group(1)):02d}:{int(m.group(2) or 0):02d}")
        else:
            out.append(None)
            bad.append((i, "a time of day (08:30, 16:00, 上午, 下午)"))
    return pd.array(out, dtype="string"), bad


_CONVERTERS = {
    "text": _to_text,
    "int": _to_quantity,
    "float": _to_quantity,
    "share": _to_quantity,
    "date": _to_date,
    "bool": _to_bool,
    "grade": _to_grade,
    "time": _to_time,
}


def _empty(col: Column, n: int):
    if col.type in ("text", "grade", "time"):
        return pd.array([None] * n, dtype="string")
    if col.type == "int":
        return pd.array([None] * n, dtype="Int64")
    if col.type == "bool":
        return pd.array([None] * n, dtype="boolean")
    if col.type == "date":
        return np.full(n, np.datetime64("NaT"), dtype="datetime64[ns]")
    return np.full(n, np.nan)
